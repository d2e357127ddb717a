"""One article end to end: render, budget, call, verify quotes, attach provenance."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from summarizer._version import __version__
from summarizer.attribution import Attribution, analyze
from summarizer.config import Settings
from summarizer.errors import BudgetError, InputError, SummarizerError
from summarizer.llm import (
    ChatModel,
    ChatResponse,
    Mode,
    OpenAIChat,
    Structured,
    judge_response,
    strict_json_schema,
    structured_call,
)
from summarizer.pipeline.grounding import conflicts, ground, hints, offline_positions
from summarizer.pipeline.verbatim import ArticleText
from summarizer.schema import (
    Article,
    Draft,
    MissedActor,
    Position,
    Provenance,
    Quote,
    SummaryResult,
)
from summarizer.templates import Message, Templates
from summarizer.tokens import Tokenizer, check_budget, context_window, framed, tokenizer_for

__all__ = [
    "Engine",
    "Prepared",
    "article_sha256",
    "as_article",
    "asummarize",
    "check_quotes",
    "grounded_result",
    "prepare",
    "result_from_response",
    "run_prepared",
    "summarize",
    "template_sha256",
    "templates_for",
]

T = TypeVar("T")
Engine = Literal["llm", "offline"]


@dataclass(frozen=True)
class Prepared:
    """An article rendered into the exact messages to send, with their token counts."""

    article: Article
    messages: list[Message]
    message_tokens: list[int]
    prompt_tokens: int
    budget: int
    template: str
    template_sha256: str
    templates: Templates
    variables: dict[str, Any]
    attribution: Attribution | None = None

    def messages_for(self, include_schema: bool) -> list[Message]:
        """The messages with or without the JSON schema in the prompt (JSON mode needs it)."""
        if include_schema == self.variables["include_schema"]:
            return self.messages
        variables = {**self.variables, "include_schema": include_schema}
        return self.templates.render_task(self.template, variables).messages


@functools.lru_cache(maxsize=16)
def templates_for(prompts_dir: Path | None) -> Templates:
    """One Templates per folder, so Jinja compiles each template once per process rather than
    once per article (it still reloads a template whose file changed)."""
    return Templates(prompts_dir)


@functools.cache
def _draft_schema_json() -> str:
    return json.dumps(strict_json_schema(Draft), ensure_ascii=False)


_STATIC_COUNTS: dict[tuple[str, str], int] = {}


def _count_static(tokenizer: Tokenizer, text: str) -> int:
    key = (tokenizer.name, text)
    if (count := _STATIC_COUNTS.get(key)) is None:
        if len(_STATIC_COUNTS) >= 64:  # a handful of system prompts per process; stay small
            _STATIC_COUNTS.clear()
        count = _STATIC_COUNTS[key] = tokenizer.count(text)
    return count


def _count(tokenizer: Tokenizer, message: Message) -> int:
    """Tokens in a message's content; system prompts repeat for every article, so remember
    their counts (the article-bearing user messages never repeat, so they are not kept)."""
    if message["role"] == "system":
        return _count_static(tokenizer, message["content"])
    return tokenizer.count(message["content"])


def template_sha256(settings: Settings) -> str:
    """The sha256 of the prompt templates the settings select (what results record)."""
    return templates_for(settings.prompts_dir).sha256(settings.template)


def as_article(article: str | Article, *, source: str = "article") -> Article:
    """Accept plain text or an Article; refuse empty text."""
    if isinstance(article, str):
        article = Article(text=article)
    if not article.text.strip():
        raise InputError(
            "the article text is empty. Pass the article's text.", source=article.id or source
        )
    return article


def prepare(
    article: str | Article, *, settings: Settings, templates: Templates | None = None
) -> Prepared:
    """Render the prompt for an article and check it fits the model's context window.

    Raises:
        InputError: The article is empty.
        TemplateError: A template is missing or broken.
        BudgetError: Prompt plus output allowance exceed the context window.
    """
    article = as_article(article)
    templates = templates or templates_for(settings.prompts_dir)
    # Hints go into the prompt, so they need the engine first; grounding alone waits until
    # the prompt is known to fit (a too-long article is split and grounded whole instead).
    attribution = analyze(article.text) if settings.hints else None
    include_schema = settings.output_mode == "json_object"
    variables: dict[str, Any] = {
        "article": article.text.strip(),
        "title": article.title,
        "max_actors": settings.max_actors,
        "language": settings.language,
        "summary_sentences": settings.summary_sentences,
        "schema": _draft_schema_json(),
        "include_schema": include_schema,
        "hints": hints(attribution) if settings.hints and attribution else None,
    }
    rendered = templates.render_task(settings.template, variables)
    tokenizer = tokenizer_for(settings.model, download=settings.tiktoken_download)
    message_tokens = [_count(tokenizer, m) for m in rendered.messages]
    prompt_tokens = framed(message_tokens)
    window = context_window(settings.model, settings.context_window)
    if settings.output_mode == "auto":
        # A fallback to JSON mode puts the schema in the prompt: budget for the larger prompt.
        with_schema = templates.render_task(
            settings.template, {**variables, "include_schema": True}
        )
        counted = {m["content"]: n for m, n in zip(rendered.messages, message_tokens, strict=True)}
        needed = framed(
            counted.get(m["content"]) or _count(tokenizer, m) for m in with_schema.messages
        )
    else:
        needed = prompt_tokens
    check_budget(needed, settings.max_output_tokens, window, model=settings.model)
    if attribution is None and settings.grounding:
        attribution = analyze(article.text)
    return Prepared(
        article=article,
        messages=rendered.messages,
        message_tokens=message_tokens,
        prompt_tokens=prompt_tokens,
        budget=window,
        template=rendered.template,
        template_sha256=rendered.sha256,
        templates=templates,
        variables=variables,
        attribution=attribution,
    )


async def asummarize(
    article: str | Article,
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
) -> SummaryResult:
    """Summarise one article: who takes which position, with every quote checked.

    Args:
        article: The article text, or an Article with an id, title and so on.
        settings: Defaults to ``Settings.load()`` (the environment).
        client: A ChatModel (``OpenAIChat``, ``summarizer.testing.FakeLLM``); by default one
            is built from the settings and closed afterwards.
        engine: ``"llm"`` (default) asks the model and grounds its answer in the offline
            attribution engine; ``"offline"`` returns the engine's result alone: actors,
            roles, quotes and reported statements, no stances, no summary, no network.

    Raises:
        SummarizerError: Any of its subclasses; see ``summarizer.errors``.
    """
    settings = settings or Settings.load()
    article = as_article(article)
    if engine == "offline":
        return summarize_offline(article)
    try:
        prepared: Prepared | None = prepare(article, settings=settings)
    except BudgetError:
        if settings.max_parts < 2:
            raise
        prepared = None  # too long for one call: split (see longform.run_split)
    own_client = client is None
    if client is None:
        settings.require_endpoint()
        client = OpenAIChat(settings)
    try:
        if prepared is None:
            # Imported here: longform builds on this module's single-call path (prepare,
            # run_prepared), and this is the one place the pipeline hands over to it.
            from summarizer.pipeline import longform

            return await longform.run_split(article, settings, client)
        return await run_prepared(prepared, settings, client)
    finally:
        if own_client and isinstance(client, OpenAIChat):
            await client.aclose()


def summarize(
    article: str | Article,
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
) -> SummaryResult:
    """Blocking twin of :func:`asummarize` (same arguments, same result)."""
    return run_sync(asummarize(article, settings=settings, client=client, engine=engine))


def summarize_offline(article: Article) -> SummaryResult:
    """The attribution engine's result alone: deterministic, no model, no network."""
    started = time.perf_counter()
    positions, _ = offline_positions(article.text)
    return SummaryResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        issue="",
        summary="",
        positions=positions,
        provenance=Provenance(
            engine="offline",
            latency_s=round(time.perf_counter() - started, 4),
            tool_version=__version__,
            article_sha256=article_sha256(article.text),
            created_at=datetime.now(UTC),
        ),
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code; refuse inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise SummarizerError(
        "summarize() was called from inside a running event loop; use `await asummarize(...)`."
    )


async def run_prepared(prepared: Prepared, settings: Settings, client: ChatModel) -> SummaryResult:
    """One call for a prepared article (re-asks included), checked and grounded."""
    article = prepared.article
    text = ArticleText(article.text)
    templates = prepared.templates

    def reask(errors: list[str]) -> str:
        return templates.render("reask.user.j2", {"errors": errors})

    def checked(draft: Draft) -> list[Position]:
        positions = check_quotes(draft, text, drop_unverified=settings.drop_unverified)
        if prepared.attribution is None:
            return positions
        return ground(positions, prepared.attribution)[0]

    def quote_followup(draft: Draft) -> str | None:
        missing = [
            {"actor": p.actor, "text": q}
            for p in draft.positions
            for q in p.quotes
            if text.find(q) is None
        ]
        wrong = []
        if settings.reask_on_conflict and prepared.attribution is not None:
            wrong = [
                {"actor": actor, "text": q.text, "speaker": q.speaker}
                for actor, q in conflicts(checked(draft))
            ]
        if not settings.quote_reask:
            missing = []
        if not missing and not wrong:
            return None
        return templates.render("quotes.user.j2", {"quotes": missing, "conflicts": wrong})

    started = time.perf_counter()
    answer = await structured_call(
        client,
        Draft,
        settings=settings,
        messages_for=prepared.messages_for,
        reask_message=reask,
        validation_context={"max_actors": settings.max_actors},
        followup=quote_followup,
    )
    return grounded_result(prepared, answer, settings=settings, started=started)


def result_from_response(
    prepared: Prepared,
    response: ChatResponse,
    *,
    settings: Settings,
    mode: Mode,
    latency: float = 0.0,
) -> SummaryResult:
    """Turn one raw answer to ``prepared``'s messages into a checked, grounded result.

    For answers that arrive outside a conversation (the Batch API, a vLLM ``run_batch``
    output file): judged once by ``llm.judge_response`` (the judge of every online answer),
    then the same quote checks, grounding and provenance as :func:`asummarize`. There is no
    re-ask, so an invalid answer is an error here; the caller may summarise online instead.

    Raises:
        LLMError: The model refused, was filtered, stopped at the length limit or said nothing.
        OutputValidationError: The answer is not a valid summary.
    """
    answer = judge_response(
        response,
        Draft,
        settings=settings,
        mode=mode,
        validation_context={"max_actors": settings.max_actors},
    )
    return grounded_result(prepared, answer, settings=settings, latency=latency)


def grounded_result(
    prepared: Prepared,
    answer: Structured[Draft],
    *,
    settings: Settings,
    started: float | None = None,
    latency: float = 0.0,
) -> SummaryResult:
    """A valid draft made into a result: quotes checked verbatim against the article,
    grounded in the attribution engine, provenance attached (latency from ``started``, a
    ``perf_counter`` reading, else ``latency``)."""
    article = prepared.article
    if started is not None:
        latency = time.perf_counter() - started
    provenance = Provenance(
        engine="llm",
        model=answer.model or settings.model,
        endpoint_host=settings.endpoint_host,
        output_mode=answer.mode,
        template=prepared.template,
        template_sha256=prepared.template_sha256,
        usage=answer.usage,
        attempts=answer.attempts,
        latency_s=round(latency, 3),
        tool_version=__version__,
        article_sha256=article_sha256(article.text),
        created_at=datetime.now(UTC),
    )
    text = ArticleText(article.text)
    positions = check_quotes(answer.value, text, drop_unverified=settings.drop_unverified)
    missed: list[MissedActor] = []
    if prepared.attribution is not None:
        positions, missed = ground(positions, prepared.attribution)
    return SummaryResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        issue=answer.value.issue,
        summary=answer.value.summary,
        positions=positions,
        missed_actors=missed,
        provenance=provenance,
    )


def check_quotes(draft: Draft, text: ArticleText, *, drop_unverified: bool) -> list[Position]:
    """Turn the model's positions into checked ones: each quote found verbatim or flagged."""
    positions = []
    for p in draft.positions:
        quotes = []
        for raw in p.quotes:
            span = text.find(raw)
            if span is None and drop_unverified:
                continue
            if span is None:
                quotes.append(Quote(text=raw.strip(), verified=False))
            else:
                start, end = span
                quotes.append(Quote(text=text.text[start:end], verified=True, start=start, end=end))
        positions.append(
            Position(
                actor=p.actor,
                kind=p.kind,
                role=p.role,
                stance=p.stance,
                position=p.position,
                quotes=quotes,
            )
        )
    return positions


def article_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
