"""One article end to end: plan, ask, resolve; and the offline engine's result alone."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from summarizer._version import __version__
from summarizer.attribution import analyze
from summarizer.config import Settings
from summarizer.errors import InputError, SummarizerError
from summarizer.llm import ChatModel, OpenAIChat
from summarizer.pipeline.call import ask, build_result
from summarizer.pipeline.evidence import Evidence
from summarizer.pipeline.longform import ask_parts
from summarizer.pipeline.prepare import article_sha256, as_article, plan
from summarizer.pipeline.resolve import engine_positions
from summarizer.schema import Article, Provenance, SummaryResult

__all__ = ["Engine", "asummarize", "run_sync", "summarize", "summarize_offline"]

T = TypeVar("T")
logger = logging.getLogger(__name__)
Engine = Literal["llm", "offline"]


async def asummarize(
    article: str | bytes | Article,
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
) -> SummaryResult:
    """Summarise one article: who takes which position, with the evidence for each.

    Args:
        article: The article text (``bytes`` are decoded like a file), or an Article with an
            id, title and so on.
        settings: Defaults to ``Settings.load()`` (the environment).
        client: A ChatModel (``OpenAIChat``, ``summarizer.testing.FakeLLM``); by default one
            is built from the settings and closed afterwards.
        engine: ``"llm"`` (default) gives the model the offline engine's evidence and resolves
            its citations; ``"offline"`` returns the engine's result alone: actors, roles,
            quotes and reported statements, no stances, no summary, no network.

    Raises:
        SummarizerError: Any of its subclasses; see ``summarizer.errors``.
    """
    settings = settings or Settings.load()
    article = _as_article(article)
    if engine == "offline":
        return summarize_offline(article)
    the_plan = plan(article, settings=settings)
    own_client = client is None
    if client is None:
        settings.require_endpoint()
        client = OpenAIChat(settings)
    started = time.perf_counter()
    try:
        if the_plan.split:
            answer = await ask_parts(the_plan, settings, client)
        else:
            answer = await ask(the_plan.parts[0], settings, client)
    finally:
        if own_client and isinstance(client, OpenAIChat):
            await client.aclose()
    first = the_plan.parts[0]
    return build_result(
        the_plan.article,
        the_plan.evidence,
        answer,
        settings=settings,
        template=(first.template, first.template_sha256),
        started=started,
        parts=len(the_plan.parts),
    )


def summarize(
    article: str | bytes | Article,
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
) -> SummaryResult:
    """Blocking twin of :func:`asummarize` (same arguments, same result).

    Each call runs an event loop of its own. A client may be reused across calls: an
    ``OpenAIChat`` closes the connections it opened on a call's loop before that loop ends,
    and opens new ones on the next call.
    """
    return run_sync(
        asummarize(article, settings=settings, client=client, engine=engine), client=client
    )


def summarize_offline(article: str | bytes | Article) -> SummaryResult:
    """The attribution engine's result alone: deterministic, no model, no network."""
    article = _as_article(article)
    started = time.perf_counter()
    evidence = Evidence.from_attribution(analyze(article.text, language=article.language))
    return SummaryResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        issue="",
        summary="",
        positions=engine_positions(evidence),
        provenance=Provenance(
            engine="offline",
            latency_s=round(time.perf_counter() - started, 4),
            tool_version=__version__,
            article_sha256=article_sha256(article.text),
            created_at=datetime.now(UTC),
            language=evidence.language,
        ),
    )


def run_sync(coro: Coroutine[Any, Any, T], *, client: ChatModel | None = None) -> T:
    """Run a coroutine from synchronous code on a loop of its own; refuse inside a running
    event loop.

    ``client`` is the caller's ChatModel the coroutine uses: an ``OpenAIChat``'s SDK client
    belongs to this loop (its connections do), so it is closed before the loop ends. Left to
    the garbage collector, it would try to close itself on a later loop and fail ("Event loop
    is closed").
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_closing(coro, client))
    coro.close()
    raise SummarizerError(
        "summarize() was called from inside a running event loop; use `await asummarize(...)`."
    )


async def _closing(coro: Coroutine[Any, Any, T], client: ChatModel | None) -> T:
    try:
        return await coro
    finally:
        if isinstance(client, OpenAIChat):
            await client.aclose()


def _as_article(article: str | bytes | Article) -> Article:
    if isinstance(article, bytes | bytearray):
        # Decoded like a file: UTF-8, a byte-order mark, else the common Western encodings.
        from summarizer.sources.extract import decode_bytes

        decoded = decode_bytes(bytes(article), source="article")
        if decoded.guessed:
            logger.warning("%s", decoded.note())
        article = decoded.text
    if not isinstance(article, str | Article):
        raise InputError(
            f"cannot summarise a {type(article).__name__}. Pass the article's text (str), "
            "bytes, or a summarizer.Article.",
            source="article",
        )
    return as_article(article)
