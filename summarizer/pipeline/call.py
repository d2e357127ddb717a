"""Ask the model about one prepared prompt, and turn its answer into a checked result.

One call for a normal article: the answer is validated against ``Draft``; an invalid answer,
or citations that do not resolve (``resolve.problems``), is fed back in one more turn; what
still does not resolve is repaired and noted, never a lost result.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from summarizer._version import __version__
from summarizer.config import Settings
from summarizer.llm import (
    ChatModel,
    ChatResponse,
    Mode,
    Structured,
    judge_response,
    structured_call,
)
from summarizer.pipeline.evidence import Evidence
from summarizer.pipeline.prepare import Prepared, article_sha256
from summarizer.pipeline.resolve import problems, resolve
from summarizer.pipeline.verbatim import ArticleText
from summarizer.schema import Article, Draft, Provenance, SummaryResult

__all__ = ["ask", "build_result", "result_from_response"]


async def ask(prepared: Prepared, settings: Settings, client: ChatModel) -> Structured[Draft]:
    """The model's valid answer for one prompt (re-asks included)."""
    templates = prepared.templates

    def reask(errors: list[str]) -> str:
        return templates.render("reask.user.j2", {"errors": errors})

    def check_citations(draft: Draft) -> str | None:
        found = problems(draft, prepared.evidence, max_actors=settings.max_actors)
        return templates.render("reask.user.j2", {"errors": found}) if found else None

    return await structured_call(
        client,
        Draft,
        settings=settings,
        messages_for=prepared.messages_for,
        reask_message=reask,
        # max_reasks 0 means one call, whatever the answer: the repairs still apply.
        followup=check_citations if settings.max_reasks > 0 else None,
        schema_for=prepared.answer_schema,
    )


def result_from_response(
    prepared: Prepared,
    response: ChatResponse,
    *,
    settings: Settings,
    mode: Mode,
    latency: float = 0.0,
) -> SummaryResult:
    """Turn one raw answer to ``prepared``'s messages into a checked result.

    For answers that arrive outside a conversation (the Batch API, a vLLM ``run_batch``
    output file): judged once by ``llm.judge_response`` (the judge of every online answer),
    then resolved like an online answer. There is no re-ask, so an invalid answer is an error
    here; the caller may summarise online instead.

    Raises:
        LLMError: The model refused, was filtered, stopped at the length limit or said nothing.
        OutputValidationError: The answer is not a valid summary.
    """
    answer = judge_response(response, Draft, settings=settings, mode=mode)
    return build_result(
        prepared.article,
        prepared.evidence,
        answer,
        settings=settings,
        template=(prepared.template, prepared.template_sha256),
        latency=latency,
    )


def build_result(
    article: Article,
    evidence: Evidence,
    answer: Structured[Draft],
    *,
    settings: Settings,
    template: tuple[str, str],
    started: float | None = None,
    latency: float = 0.0,
    parts: int = 1,
) -> SummaryResult:
    """A valid draft made into a result: ids resolved against the article, quotes located,
    provenance attached (latency from ``started``, a ``perf_counter`` reading, else
    ``latency``)."""
    if started is not None:
        latency = time.perf_counter() - started
    resolved = resolve(
        answer.value,
        evidence,
        ArticleText(article.text),
        max_actors=settings.max_actors,
        follow=settings.speaker_authority,
        drop_unverified=settings.drop_unverified,
    )
    provenance = Provenance(
        engine="llm",
        model=answer.model or settings.model,
        endpoint_host=settings.endpoint_host,
        output_mode=answer.mode,
        template=template[0],
        template_sha256=template[1],
        usage=answer.usage,
        attempts=answer.attempts,
        latency_s=round(latency, 3),
        tool_version=__version__,
        article_sha256=article_sha256(article.text),
        created_at=datetime.now(UTC),
        parts=parts,
        language=evidence.language,
    )
    return SummaryResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        issue=answer.value.issue,
        summary=answer.value.summary,
        positions=resolved.positions,
        notes=resolved.notes,
        provenance=provenance,
    )
