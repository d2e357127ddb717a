"""Run the pipeline over an archive: bounded concurrency, shaped by the rate limiter, cached.

Two entry points:

- :func:`abatch` yields an :class:`Outcome` per input record, in completion order, for
  scripts that handle results themselves.
- :func:`run_batch` writes them to a resumable JSON Lines file (see ``summarizer.batch.results``)
  with a progress display and Ctrl-C handling; ``summarizer batch`` is a thin wrapper.

Every call to the model goes through ``summarizer.batch.throttle.ShapedChat`` (rate ceilings,
Retry-After, jittered backoff). The SDK's own retries are switched off for the client built
here, so that one policy, shared by every concurrent request, decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from summarizer.attribution.cancel import cancel_on
from summarizer.batch.cache import Cache, NullCache, key, sha256_text
from summarizer.batch.filerun import FileRun
from summarizer.batch.limiter import Limiter, RateLimiter
from summarizer.batch.preflight import check_templates
from summarizer.batch.progress import BatchProgress, RunTotals
from summarizer.batch.results import OutputFile, error_line, open_lines, result_line
from summarizer.batch.throttle import ShapedChat, Slot
from summarizer.config import Settings, redact_url
from summarizer.errors import (
    ConfigError,
    InputError,
    LLMError,
    OutputValidationError,
    SummarizerError,
    TemplateError,
)
from summarizer.llm import ChatModel, ChatRequest, ChatResponse, OpenAIChat
from summarizer.pipeline import run as pipeline
from summarizer.pipeline.prepare import template_sha256
from summarizer.schema import Article, SummaryResult, Usage
from summarizer.sources.archive import Input, Record

if TYPE_CHECKING:
    from summarizer.db.writer import ArchiveWriter

__all__ = [
    "BatchRunner",
    "EngineName",
    "OfflineEngine",
    "Outcome",
    "Summarize",
    "abatch",
    "cache_key_for",
    "engine_named",
    "llm_engine",
    "offline_engine",
    "run_batch",
    "run_fatal",
]

logger = logging.getLogger(__name__)

Emit = Callable[["Outcome"], Awaitable[None]]
Summarize = Callable[[Article, ChatModel], Awaitable[SummaryResult]]
"""Summarises one article with the (shaped) client it is given; the batch's pluggable engine."""
EngineName = Literal["llm", "offline"]
"""An engine by name: the model (the default), or the offline attribution engine."""

_READ_AHEAD = 64  # records read per hop to the reader thread


# ---- engines -------------------------------------------------------------------------------


def llm_engine(settings: Settings) -> Summarize:
    """The default engine: ``pipeline.asummarize`` against the batch's shaped client."""

    async def summarize(article: Article, client: ChatModel) -> SummaryResult:
        return await pipeline.asummarize(article, settings=settings, client=client)

    return summarize


def offline_engine(settings: Settings) -> Summarize:
    """The attribution engine as a batch engine (``--offline``): no client, no calls."""
    return OfflineEngine(settings)


def engine_named(engine: EngineName | Summarize | None, settings: Settings) -> Summarize | None:
    """The engine a run was asked for: None for the model (the runner's default, which
    needs an endpoint), the offline engine by name, or the coroutine given."""
    if engine is None or engine == "llm":
        return None
    if engine == "offline":
        return offline_engine(settings)
    if isinstance(engine, str):
        raise ValueError(f"engine must be 'llm', 'offline' or a coroutine, not {engine!r}.")
    return engine


class OfflineEngine:
    """Runs the CPU-bound attribution engine in a worker thread, so the event loop (and the
    output) keeps moving. When the runner gives up on an article (``--article-timeout``, or
    Ctrl-C twice) the engine stops at its next checkpoint instead of keeping a core busy and
    the process alive (``summarizer.attribution.cancel``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __call__(self, article: Article, client: ChatModel) -> SummaryResult:
        cancel = threading.Event()

        def work() -> SummaryResult:
            with cancel_on(cancel):
                return pipeline.summarize_offline(article)

        try:
            return await asyncio.to_thread(work)
        finally:
            cancel.set()  # a no-op when the work is done; otherwise it stops there


_NOT_IN_CACHE_KEY = {
    "api_key",
    "base_url",  # added redacted: credentials must not shape (or leak through) the key
    "model",  # passed to key() on its own
    "prompts_dir",  # the templates' sha256 stands for their content
    "timeout",
    "max_retries",
    "concurrency",
    "rpm",
    "tpm",
    "max_attempts",
    "retry_backoff",
    "article_timeout",
    "cache_path",
    "price_input_per_mtok",
    "price_output_per_mtok",
    "expected_output_tokens",
    "stream",
    "endpoint_memory",
}


def cache_key_for(settings: Settings, *, engine: str = "llm") -> Callable[[Article], str]:
    """The cache key of an article's result: its text, the template's sha256, the model, and
    every option that changes the answer (the title goes into the prompt, so it counts too)."""
    template_sha = template_sha256(settings)
    # Every setting that can change the answer or the result is in the key; only those that
    # change how fast or how often we ask (and the key itself) are left out.
    options = settings.model_dump(mode="json", exclude=_NOT_IN_CACHE_KEY)
    options["engine"] = engine
    options["base_url"] = redact_url(settings.base_url) if settings.base_url else None

    def key_for(article: Article) -> str:
        return key(
            sha256_text(article.text),
            template_sha,
            settings.model,
            {**options, "title": article.title},
        )

    return key_for


# ---- one article -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input record.

    Attributes:
        record: The input record (its id, number, line and article).
        result: The summary, when there is one.
        error: Why there is none: the record's InputError, the pipeline's error, or a timeout.
        attempts: Calls made for this record in this run (0 for cached and bad records).
        cached: The result came from the cache.
        usage: Tokens the calls used (what was paid for), failed attempts included.
        elapsed: Seconds from start to finish.
        waited: Seconds of ``elapsed`` spent waiting on the model, limiter and backoff.
        line: The output line (JSON, no newline).
    """

    record: Record
    result: SummaryResult | None
    error: BaseException | None
    attempts: int
    cached: bool
    usage: Usage
    elapsed: float
    waited: float
    line: str

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def overhead(self) -> float:
        """The tool's own time for this record: elapsed minus waiting."""
        return max(0.0, self.elapsed - self.waited)


def _error_outcome(
    record: Record, error: BaseException, attempts: int, usage: Usage, started: float, waited: float
) -> Outcome:
    line = error_line(record, error, attempts=attempts)
    elapsed = time.perf_counter() - started
    return Outcome(record, None, error, attempts, False, usage, elapsed, waited, line)


def _unusable(record: Record, started: float) -> Outcome:
    bad = record.error or ValueError("record has neither article nor error")
    return _error_outcome(record, bad, 0, Usage(), started, 0.0)


# ---- the runner ------------------------------------------------------------------------------


class BatchRunner:
    """Runs an engine over records with bounded concurrency; see :func:`abatch` for the
    arguments.

    ``stop()`` stops taking new records and lets those in flight finish; ``abandon()`` also
    cancels those in flight (they get no outcome, so a resumed run redoes them).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: ChatModel | None = None,
        cache: Cache | None = None,
        engine: Summarize | None = None,
        limiter: Limiter | None = None,
        cache_key: Callable[[Article], str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.cache = cache or NullCache()
        self._default_engine = engine is None
        self.engine = engine or llm_engine(settings)
        self.limiter: Limiter = limiter or RateLimiter(rpm=settings.rpm, tpm=settings.tpm)
        self.cache_key = cache_key or cache_key_for(settings)
        self.rng = rng or random.Random()
        self._stopping = False
        self.fatal: SummarizerError | None = None
        """Set when a failure is the run's rather than the article's (see :func:`run_fatal`):
        the endpoint unreachable after retries, the key rejected, the model unknown, a
        template broken. The run stops, and the records that failed that way get no line, so
        the same command resumes once it is fixed."""
        self._tasks: list[asyncio.Task[None]] = []
        self._slots: asyncio.Semaphore | None = None

    def stop(self) -> None:
        self._stopping = True

    def abandon(self) -> None:
        self._stopping = True
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def unreachable(self) -> LLMError | None:
        """The connection failure that stopped the run, if that is what stopped it."""
        fatal = self.fatal
        return fatal if isinstance(fatal, LLMError) and fatal.reason == "connection" else None

    async def run(self, records: Iterable[Record], emit: Emit) -> None:
        """Summarise every record and ``emit`` its outcome as it completes.

        Records are read ahead in a thread (reading may extract HTML) and at most
        ``settings.concurrency`` are in flight; memory does not grow with the archive.
        """
        client = self.open_client()
        # ``concurrency`` articles may have calls in flight (or paid for and not yet written);
        # a few more workers render, count and check articles meanwhile, so that this CPU
        # work overlaps the model's wait instead of lengthening every worker's cycle.
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        count = self.settings.concurrency + max(1, self.settings.concurrency // 4)
        queue: asyncio.Queue[Record | None] = asyncio.Queue(maxsize=count)
        workers = [asyncio.create_task(self._worker(queue, client, emit)) for _ in range(count)]
        self._tasks = [asyncio.create_task(self._feed(iter(records), queue, count)), *workers]
        try:
            finished = await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self.client is None and isinstance(client, OpenAIChat):
                await client.aclose()
        for failure in finished:
            if isinstance(failure, BaseException) and not isinstance(
                failure, asyncio.CancelledError
            ):
                raise failure

    def open_client(self) -> ChatModel:
        """The client calls go through: the one given, else an ``OpenAIChat`` from the settings
        with the SDK's retries off (``ShapedChat`` retries), else one that refuses to call.
        ``run`` closes the one it opens."""
        if self.client is not None:
            return self.client
        if self._default_engine or self.settings.has_endpoint:
            self.settings.require_endpoint()
            return OpenAIChat(self.settings.model_copy(update={"max_retries": 0}))
        return _NoEndpoint()

    async def _feed(
        self, records: Iterator[Record], queue: asyncio.Queue[Record | None], workers: int
    ) -> None:
        more = True
        try:
            while more and not self._stopping:
                chunk = await asyncio.to_thread(_take, records, _READ_AHEAD)
                more = len(chunk) == _READ_AHEAD
                for record in chunk:
                    if self._stopping:
                        break
                    await queue.put(record)
        finally:
            # Also when reading fails part way (a damaged .gz): the records already queued
            # are finished and written, then run() raises the reading error.
            for _ in range(workers):
                await queue.put(None)

    async def _worker(
        self, queue: asyncio.Queue[Record | None], client: ChatModel, emit: Emit
    ) -> None:
        while (record := await queue.get()) is not None:
            if self._stopping:
                continue  # drain without starting new work, until the end marker
            slot = Slot(self._slots)
            try:
                outcome = await self.one(record, client, slot=slot)
                if outcome is None:
                    continue  # the endpoint is down: no line, a resumed run redoes it
                try:
                    await emit(outcome)
                except BaseException:
                    self.abandon()  # the output is broken (disk full...): nothing can land
                    raise
            finally:
                slot.release()

    async def one(
        self, record: Record, client: ChatModel, *, slot: Slot | None = None
    ) -> Outcome | None:
        """The outcome of one record: from the cache, the engine, or its error.

        None when the endpoint could not be reached: that is no fault of the record, and
        writing an error line for every record of a large archive would bury it.
        """
        started = time.perf_counter()
        if record.article is None:
            return _unusable(record, started)
        article = record.article
        cache_key = self.cache_key(article)
        if (cached := self._cached(record, article, cache_key, started)) is not None:
            return cached
        shaped = ShapedChat(
            client,
            self.limiter,
            max_attempts=self.settings.max_attempts,
            backoff_base=self.settings.retry_backoff,
            rng=self.rng,
            slot=slot,
        )
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives as the call completes, and an abandoned worker would then run on.
            async with asyncio.timeout(self.settings.article_timeout):
                result = await self.engine(article, shaped)
        except TimeoutError:
            error = self._timeout_error(article, shaped.calls)
            return _error_outcome(record, error, shaped.calls, Usage(), started, shaped.waited)
        except Exception as exc:  # one article's failure must not end the run
            if run_fatal(exc):
                self.fatal = self.fatal or exc
                self.stop()
                return None
            if not isinstance(exc, LLMError | OutputValidationError):
                logger.debug("record %s failed", record.id, exc_info=True)
            usage = _usage_of(exc)
            return _error_outcome(record, exc, shaped.calls, usage, started, shaped.waited)
        result_json = result.model_dump_json()
        self.cache.put(cache_key, result_json)  # before the line: a crash between costs no call
        line = result_line(record, result_json, cached=False)
        usage = result.provenance.usage
        elapsed = time.perf_counter() - started
        return Outcome(
            record, result, None, shaped.calls, False, usage, elapsed, shaped.waited, line
        )

    def without_call(self, record: Record) -> Outcome | None:
        """The outcome of a record that needs no call: an unusable record's error line, or a
        result the cache holds. None when the record must be summarised."""
        started = time.perf_counter()
        if record.article is None:
            return _unusable(record, started)
        return self._cached(record, record.article, self.cache_key(record.article), started)

    def _cached(
        self, record: Record, article: Article, cache_key: str, started: float
    ) -> Outcome | None:
        cached = self._from_cache(cache_key, article)
        if cached is None:
            return None
        line = result_line(record, cached[1], cached=True)
        elapsed = time.perf_counter() - started
        return Outcome(record, cached[0], None, 0, True, Usage(), elapsed, 0.0, line)

    def _timeout_error(self, article: Article, calls: int) -> SummarizerError:
        seconds = f"{self.settings.article_timeout:g}s"
        if isinstance(self.engine, OfflineEngine):
            # No model, no calls: the time went into the engine, on an unusually long text.
            return InputError(
                f"the offline engine gave up after {seconds} on this article "
                f"({len(article.text):,} characters); raise --article-timeout if it is one "
                "long article, or split it."
            )
        return LLMError(
            f"gave up after {seconds} on this article ({calls} calls); raise "
            "--article-timeout or lower the concurrency.",
            reason="timeout",
        )

    def _from_cache(self, cache_key: str, article: Article) -> tuple[SummaryResult, str] | None:
        text = self.cache.get(cache_key)
        if text is None:
            return None
        try:
            result = SummaryResult.model_validate_json(text)
        except ValueError:
            logger.warning("cache entry %s is unreadable; summarising again.", cache_key[:12])
            return None
        same = (result.article_id, result.title, result.url)
        if same == (article.id, article.title, article.url):
            return result, text
        # The same article under another id (a duplicate in the archive): relabel the copy.
        result = result.model_copy(
            update={"article_id": article.id, "title": article.title, "url": article.url}
        )
        return result, result.model_dump_json()


class _NoEndpoint:
    """The client an engine gets when none is configured; it needs none, or this says so."""

    supports_json_schema: bool | None = None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        raise ConfigError("This engine asked for an LLM call, but no endpoint is configured.")


# Request fields that come from the settings, not the article: a 400 that names one of them
# would fail every record the same way.
_SETTING_PARAMS = frozenset(
    {"model", "temperature", "max_tokens", "max_completion_tokens", "response_format", "top_p"}
)


def run_fatal(exc: BaseException) -> TypeGuard[SummarizerError]:
    """Whether a failure is the run's, not the article's: every record after it would fail
    the same way, so the run stops instead of writing an error line for each.

    The endpoint unreachable after retries; the key rejected (401) or not allowed (403); the
    model unknown (404); a bad request (400) naming a setting; a template that does not
    render; no endpoint for an engine that needs one.
    """
    if isinstance(exc, TemplateError | ConfigError):
        return True
    if not isinstance(exc, LLMError):
        return False
    if exc.reason == "connection" or exc.status in (401, 403, 404):
        return True
    return exc.status == 400 and exc.param in _SETTING_PARAMS


def _take(records: Iterator[Record], count: int) -> list[Record]:
    return list(itertools.islice(records, count))


def _usage_of(exc: BaseException) -> Usage:
    if isinstance(exc, OutputValidationError):
        return Usage.model_validate(exc.usage)
    return Usage()


async def abatch(
    records: Iterable[Record],
    *,
    settings: Settings,
    client: ChatModel | None = None,
    cache: Cache | None = None,
    engine: Summarize | None = None,
    limiter: Limiter | None = None,
) -> AsyncIterator[Outcome]:
    """Summarise records concurrently, yielding each Outcome as it completes.

    Args:
        records: From ``summarizer.sources.archive.iter_records`` (or built by hand).
        settings: Model and prompts, plus ``concurrency``, ``rpm``, ``tpm``,
            ``max_attempts`` and ``article_timeout``.
        client: A ChatModel; by default an ``OpenAIChat`` built from the settings (with the
            SDK's retries off: the runner retries) and closed afterwards.
        cache: A ``ResultCache`` to skip articles already summarised; none by default.
        engine: What summarises one article; ``llm_engine(settings)`` by default.
        limiter: Share one limiter between runs against the same provider budget.

    Example::

        async for outcome in abatch(iter_records("archive.jsonl"), settings=settings):
            print(outcome.record.id, outcome.ok)

    Leaving the loop early cancels the articles in flight. When a failure is the run's (see
    :func:`run_fatal`: the endpoint unreachable, the key rejected, the model unknown), the
    run stops and raises it after the outcomes it has; the records it did not reach get none.
    The templates are rendered once before the first record: a broken one raises at once.
    """
    if engine is None:
        check_templates(settings)
    runner = BatchRunner(settings, client=client, cache=cache, engine=engine, limiter=limiter)
    # Unbounded so the end marker can always be put; the semaphore holds the workers back
    # when the caller is slower than they are.
    queue: asyncio.Queue[Outcome | None] = asyncio.Queue()
    room = asyncio.Semaphore(settings.concurrency)

    async def emit(outcome: Outcome) -> None:
        await room.acquire()
        queue.put_nowait(outcome)

    async def produce() -> None:
        try:
            await runner.run(records, emit)
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(produce())
    try:
        while (outcome := await queue.get()) is not None:
            room.release()
            yield outcome
        await task  # re-raises a failure of the run itself
        if runner.fatal is not None:
            raise runner.fatal  # the records it stopped short of were not yielded
    finally:
        if not task.done():
            runner.abandon()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


# ---- a run into a file -----------------------------------------------------------------------


async def run_batch(
    source: Input | str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    settings: Settings,
    client: ChatModel | None = None,
    cache: Cache | None = None,
    engine: EngineName | Summarize | None = None,
    retry_errors: bool = False,
    progress: bool = True,
    handle_sigint: bool = False,
    notify: Callable[[str], None] | None = None,
    db: str | os.PathLike[str] | None = None,
) -> RunTotals:
    """Summarise an archive into a JSON Lines file, resuming where an earlier run stopped.

    Records whose line is already in ``output`` are skipped (a torn last line is repaired
    first); every other record gets exactly one line, written and flushed as it completes.

    Args:
        source: The archive: an ``Input`` (path, format, fields, encoding), or a path to
            read with the defaults (``-`` for stdin).
        output: The output file, or ``-`` for stdout (no resume).
        settings: See :func:`abatch`.
        client, cache: See :func:`abatch`.
        engine: See :func:`abatch`; also ``"llm"`` (the default) or ``"offline"`` (the
            attribution engine: no endpoint, no calls, no cache).
        retry_errors: Drop the error lines of earlier runs and try those records again.
        progress: Show a progress bar on stderr (only when it is a terminal).
        handle_sigint: On Ctrl-C stop taking new records and finish those in flight; on a
            second Ctrl-C abandon them. The run then returns with ``interrupted`` set.
        notify: Receives one-line notices for the user (resume, repair, Ctrl-C, guessed
            encodings).
        db: Also write each result, with its article's text and metadata, into this archive
            database (``summarizer.db``), from a process of its own; output lines the
            database lacks (an earlier run's, or a run killed before its writer caught up)
            are imported first, so a resumed run leaves nothing out.

    Returns:
        The run's totals; ``summary()`` gives the final line.

    Raises:
        SummarizerError: A failure of the run rather than of one record (see
            :func:`run_fatal`), or an archive damaged part way: the message says what was
            written, and the same command resumes.
    """
    if engine == "offline":
        cache = NullCache()  # the engine is free and deterministic: nothing to save
    summarize = engine_named(engine, settings)
    files = FileRun.checked(
        source,
        output,
        settings,
        calls_model=summarize is None,
        client_given=client is not None,
        retry_errors=retry_errors,
        notify=notify,
    )
    totals = files.totals
    runner = BatchRunner(settings, client=client, cache=cache, engine=summarize)
    writer = _archive_writer(db, output, files.sink)
    records = files.records(skipped=writer.fill)

    async def emit(outcome: Outcome) -> None:
        files.sink.write(outcome.line)
        writer.add(outcome.line, outcome.record.article, outcome.record.extra)
        totals.add(
            ok=outcome.ok, cached=outcome.cached, calls=outcome.attempts, usage=outcome.usage
        )
        bar.update()

    def interrupt() -> None:
        totals.interrupted = True
        if runner.stopping:
            files.say("abandoning the articles in flight; re-run the same command to resume")
            runner.abandon()
        else:
            files.say("stopping: finishing the articles in flight (Ctrl-C again to abandon them)")
            runner.stop()

    loop = asyncio.get_running_loop()
    with BatchProgress(totals, enabled=progress) as bar, _sigint(loop, interrupt, handle_sigint):
        try:
            await runner.run(records, emit)
        except InputError as damaged:  # the archive broke part way (a truncated .gz)
            if not totals.written:
                raise
            raise files.stopped(damaged, "once the archive is repaired") from damaged
        finally:
            files.close()
            writer.close()
    files.finish()
    if runner.fatal is not None:
        raise files.stopped(runner.fatal) from runner.fatal
    return totals


class _NoArchive:
    """The writer of a run without ``--db``: takes everything, writes nothing."""

    def add(self, line: str, article: Article | None, extra: Mapping[str, Any] | None) -> None:
        return None

    def fill(self, record_id: str, article: Article, extra: Mapping[str, Any] | None) -> None:
        return None

    def close(self) -> None:
        return None


def _archive_writer(
    db: str | os.PathLike[str] | None, output: str | os.PathLike[str], sink: object
) -> ArchiveWriter | _NoArchive:
    """The archive database's writer, caught up with the lines an earlier run wrote."""
    if db is None:
        return _NoArchive()
    from summarizer.db.writer import ArchiveWriter  # only runs with --db need SQLite

    writer = ArchiveWriter(db, source=os.fspath(output))
    if isinstance(sink, OutputFile) and sink.done:
        with open_lines(os.fspath(output)) as lines:
            writer.catch_up(lines)
    writer.start()
    return writer


@contextlib.contextmanager
def _sigint(
    loop: asyncio.AbstractEventLoop, handler: Callable[[], None], enabled: bool
) -> Iterator[None]:
    if not enabled:
        yield
        return
    try:
        loop.add_signal_handler(signal.SIGINT, handler)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
