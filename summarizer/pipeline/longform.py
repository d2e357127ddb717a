"""Articles too long for one call: split, one call per part, merge (issue 5).

Builds on the single-call path in ``pipeline`` (``prepare``, ``run_prepared``); the pipeline
hands an article over here, through ``run_split``, when its prompt does not fit the window.
"""

from __future__ import annotations

import asyncio
import time

from summarizer.attribution import analyze
from summarizer.config import Settings
from summarizer.errors import BudgetError
from summarizer.llm import ChatModel
from summarizer.pipeline.grounding import ground
from summarizer.pipeline.merge import as_draft, merge_positions, reduce
from summarizer.pipeline.run import (
    Prepared,
    article_sha256,
    as_article,
    check_quotes,
    prepare,
    run_prepared,
    templates_for,
)
from summarizer.pipeline.split import split_article
from summarizer.pipeline.verbatim import ArticleText
from summarizer.schema import Article, Draft, MissedActor, SummaryResult
from summarizer.templates import Templates
from summarizer.tokens import tokenizer_for

__all__ = ["PART_CONCURRENCY", "plan", "prepare_parts", "run_split"]

PART_CONCURRENCY = 4
"""Most parts of one article in flight at once (the batch runner multiplies this)."""
_SPLIT_ATTEMPTS = 3


def plan(article: str | Article, *, settings: Settings) -> list[Prepared]:
    """The prompts ``asummarize`` would send for an article, before the reduce call: one if
    it fits the context window, else one per part (the merge then adds one reduce call,
    whose prompt depends on the parts' answers).

    Raises:
        InputError: The article is empty.
        TemplateError: A template is missing or broken.
        BudgetError: Too long for one call and splitting is off (``max_parts`` 1), or no
            part fits.
    """
    article = as_article(article)
    try:
        return [prepare(article, settings=settings)]
    except BudgetError:
        if settings.max_parts < 2:
            raise
    return prepare_parts(article, settings=settings)


async def run_split(article: Article, settings: Settings, client: ChatModel) -> SummaryResult:
    """Summarise each part with ``run_prepared``, merge the drafts, check and ground the
    quotes against the whole article."""
    started = time.perf_counter()
    templates = templates_for(settings.prompts_dir)
    # A part's own grounding would be thrown away by the merge (the whole article is grounded
    # below); keep it only where it changes the calls, i.e. for conflict re-asks.
    part_settings = settings
    if not settings.reask_on_conflict:
        part_settings = settings.model_copy(update={"grounding": False})
    parts = prepare_parts(article, settings=part_settings, templates=templates)
    results = await _run_parts(parts, part_settings, client)
    drafts = [as_draft(r) for r in results]
    positions = merge_positions(drafts, max_actors=settings.max_actors)
    overview = await reduce(
        drafts,
        positions,
        settings=settings,
        client=client,
        templates=templates,
        title=article.title,
    )
    merged = Draft(issue=overview.value.issue, summary=overview.value.summary, positions=positions)
    first = results[0].provenance
    provenance = first.model_copy(
        update={
            "output_mode": overview.mode,
            "usage": sum((r.provenance.usage for r in results), overview.usage),
            "attempts": sum(r.provenance.attempts for r in results) + overview.attempts,
            "latency_s": round(time.perf_counter() - started, 3),
            "article_sha256": article_sha256(article.text),
            "parts": len(parts),
        }
    )
    # Against the whole article: offsets are into the text the caller passed, and grounding
    # sees every quote with its attribution, wherever the cuts fell.
    checked = check_quotes(
        merged, ArticleText(article.text), drop_unverified=settings.drop_unverified
    )
    missed: list[MissedActor] = []
    if settings.grounding:
        checked, missed = ground(checked, analyze(article.text))
    return SummaryResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        issue=merged.issue,
        summary=merged.summary,
        positions=checked,
        missed_actors=missed,
        provenance=provenance,
    )


def prepare_parts(
    article: Article, *, settings: Settings, templates: Templates | None = None
) -> list[Prepared]:
    """Split the article into parts whose prompts fit, each rendered like a whole article.

    The budget per part is the window minus the output allowance minus the prompt around the
    article (measured on a one-word article). Should a part's prompt still not fit (the
    template may add text that grows with the article), split again with a smaller budget.

    Raises:
        BudgetError: No part fits, or the article needs more than ``max_parts`` parts.
    """
    templates = templates or templates_for(settings.prompts_dir)
    # json_object puts the schema in the prompt; auto mode may fall back to it.
    mode = "json_schema" if settings.output_mode == "json_schema" else "json_object"
    empty = prepare(
        article.model_copy(update={"text": "."}),
        settings=settings.model_copy(update={"output_mode": mode}),
        templates=templates,
    )
    budget = empty.budget - settings.max_output_tokens - empty.prompt_tokens
    tokenizer = tokenizer_for(settings.model, download=settings.tiktoken_download)
    for attempt in range(_SPLIT_ATTEMPTS):
        if budget < 1:
            break
        parts = split_article(
            article.text,
            budget=budget,
            tokenizer=tokenizer,
            overlap=settings.split_overlap,
            max_parts=settings.max_parts,
        )
        try:
            return [
                prepare(
                    article.model_copy(update={"text": p.text}),
                    settings=settings,
                    templates=templates,
                )
                for p in parts
            ]
        except BudgetError as exc:
            if attempt == _SPLIT_ATTEMPTS - 1:
                raise
            budget -= exc.tokens - exc.budget + 32
    raise BudgetError(
        f"No room left for the article in a {empty.budget}-token context window: the prompt "
        f"around it needs {empty.budget - settings.max_output_tokens - budget} tokens and the "
        f"answer {settings.max_output_tokens}. Lower SUMMARIZER_MAX_OUTPUT_TOKENS, shorten "
        "the template, or use a model with a larger window.",
        tokens=empty.budget - budget,
        budget=empty.budget,
    )


async def _run_parts(
    parts: list[Prepared], settings: Settings, client: ChatModel
) -> list[SummaryResult]:
    """Summarise every part; the first alone, so that auto mode probes json_schema once."""
    first = await run_prepared(parts[0], settings, client)
    limit = asyncio.Semaphore(PART_CONCURRENCY)

    async def one(prepared: Prepared) -> SummaryResult:
        async with limit:
            return await run_prepared(prepared, settings, client)

    tasks = [asyncio.ensure_future(one(p)) for p in parts[1:]]
    try:
        rest = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    return [first, *rest]
