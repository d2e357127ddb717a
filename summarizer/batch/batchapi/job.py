"""A Batch API run over an archive: write, submit, poll, collect into the batch output file.

A run lives next to its output ``OUT.jsonl``:

- ``OUT.jsonl.batchapi.json``, the state: the archive, the settings, and per request file
  its OpenAI file and batch ids and status, saved after every step, so ``status`` and
  ``collect`` work from another terminal, days later, and a re-run never uploads or pays
  for a batch twice;
- ``OUT.jsonl.batchapi/``, the request files and the downloaded output and error files.

``collect`` writes the same lines as ``summarizer batch`` (``summarizer.batch.results``): each
answer is judged, resolved against the article by ``pipeline.call.result_from_response``. Records
the batch did not answer usably are summarised online by the batch runner (what the online
path would have retried or re-asked: missing results, request errors, invalid output,
answers cut off at the length limit, articles too long for one call) or, with no endpoint
or ``retry_online=False``, become error lines. Refusals and content filtering are error
lines, as they are online. One line per
input record, never dropped, resumable like any batch output.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.batchapi.exchange import poll_until_done
from summarizer.batch.batchapi.files import (
    MAX_BYTES,
    MAX_REQUESTS,
    CustomIds,
    Part,
    RequestWriter,
    ResultIndex,
    batch_mode,
    request_line,
)
from summarizer.batch.cache import Cache, NullCache
from summarizer.batch.progress import RunTotals
from summarizer.batch.results import OutputFile, error_line, record_key, result_line
from summarizer.batch.runner import BatchRunner, Outcome, cache_key_for
from summarizer.config import Settings, redact_url
from summarizer.errors import ConfigError, LLMError, OutputValidationError, SummarizerError
from summarizer.llm import BatchEndpoint, BatchInfo, ChatModel, ChatResponse, Mode
from summarizer.pipeline.call import result_from_response
from summarizer.pipeline.prepare import prepare
from summarizer.schema import Article, SummaryResult, Usage
from summarizer.sources.archive import Fields, Format, Record, iter_records

__all__ = [
    "BatchJob",
    "collect",
    "download",
    "run",
    "state_path",
    "status",
    "submit",
    "write_requests",
]

logger = logging.getLogger(__name__)

Notify = Callable[[str], None]
_STATE_VERSION = 1


def state_path(output: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(output)}.batchapi.json")


@dataclass
class BatchJob:
    """The saved state of a Batch API run (see the module docstring)."""

    output: str
    source: str
    format: Format | None
    fields: dict[str, Any]
    settings: dict[str, Any]
    mode: Mode
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    parts: list[Part] = field(default_factory=list)
    version: int = _STATE_VERSION

    @property
    def folder(self) -> Path:
        return Path(f"{self.output}.batchapi")

    def save(self) -> None:
        """Write the state atomically: a crash leaves the old state or the new, never half."""
        path = state_path(self.output)
        partial = path.with_name(path.name + ".part")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=1, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(path)

    @classmethod
    def load(cls, output: str | os.PathLike[str]) -> BatchJob:
        path = state_path(output)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: no Batch API run for {output}; start one with "
                f"`summarizer batchapi submit INPUT -o {output}`."
            ) from None
        data["parts"] = [Part(**p) for p in data.get("parts", [])]
        return cls(**data)

    def run_settings(self, current: Settings) -> Settings:
        """The settings the requests were written with; key and endpoint from ``current``."""
        stored = {k: v for k, v in self.settings.items() if k != "api_key"}
        if current.base_url is not None:
            stored["base_url"] = current.base_url
        if current.api_key is not None:
            stored["api_key"] = current.api_key
        return Settings.model_validate(stored)

    def records(self) -> Iterator[Record]:
        return iter_records(self.source, format=self.format, fields=Fields(**self.fields))


def _storable(settings: Settings) -> dict[str, Any]:
    """Settings for the state file: never the key, never credentials in the endpoint URL."""
    stored = settings.model_dump(mode="json", exclude={"api_key"})
    if stored.get("base_url"):
        stored["base_url"] = redact_url(stored["base_url"])
    return stored


# ---- write and submit ------------------------------------------------------------------------


def write_requests(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    settings: Settings,
    format: Format | None = None,
    fields: Fields | None = None,
    cache: Cache | None = None,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
) -> BatchJob:
    """Write the request files for every record not yet in ``output`` (and not cached).

    Bad records, articles too long for one call and requests over ``max_bytes`` are left
    out: ``collect`` gives them their lines. An existing run's files are kept as they are.
    """
    if state_path(output).exists():
        job = BatchJob.load(output)
        if Path(job.source).resolve() != Path(source).resolve():
            raise ConfigError(
                f"{output} belongs to a Batch API run over {job.source}, not {source}. "
                "Choose another output file, or delete the run's state to start afresh."
            )
        return job
    if os.fspath(source) == "-":
        raise ConfigError("A Batch API run reads its archive twice: pass a file, not stdin.")
    fields = fields or Fields()
    job = BatchJob(
        output=os.fspath(output),
        source=os.fspath(source),
        format=format,
        fields=asdict(fields),
        settings=_storable(settings),
        mode=batch_mode(settings),
    )
    done = _done(output)
    cache = cache or NullCache()
    key_for = cache_key_for(settings)
    custom_ids = CustomIds()
    writer = RequestWriter(job.folder, max_requests=max_requests, max_bytes=max_bytes)
    try:
        for record in job.records():
            custom_id = custom_ids(record.id, record.number)
            article = record.article
            done_before = record_key(record) in done
            if article is None or done_before:
                continue
            if cache.contains(key_for(article)):
                continue
            try:
                prepared = prepare(article, settings=settings)
            except SummarizerError:
                continue  # too long for one call, or unusable: collect handles it online
            writer.add(request_line(custom_id, prepared, settings, job.mode))
    finally:
        job.parts = writer.close()
    job.save()
    return job


async def submit(job: BatchJob, api: BatchEndpoint, *, notify: Notify | None = None) -> BatchJob:
    """Upload every request file and create its batch; saved after each step, so a re-run
    picks up where an interrupted one stopped and never creates a batch twice."""
    say = notify or (lambda message: logger.info("%s", message))
    for part in job.parts:
        if part.batch_id is not None:
            continue
        if part.input_file_id is None:
            part.input_file_id = await api.upload(job.folder / part.file)
            job.save()
        labels = {"summarizer_run": job.run_id, "summarizer_part": part.file}
        found = await api.find(labels) if part.status == "creating" else None
        if found is None:
            part.status = "creating"  # a crash from here on may leave a batch we must find
            job.save()
            found = await api.create(part.input_file_id, labels)
        _update(part, found)
        job.save()
        say(f"{part.file}: {part.requests} requests in batch {part.batch_id} ({part.status})")
    return job


def _update(part: Part, info: BatchInfo) -> None:
    part.batch_id = info.id
    part.status = info.status
    part.output_file_id = info.output_file_id
    part.error_file_id = info.error_file_id


async def status(job: BatchJob, api: BatchEndpoint) -> list[BatchInfo]:
    """Ask for every batch's status, and save it."""
    infos = []
    for part in job.parts:
        if part.batch_id is None:
            continue
        info = await api.retrieve(part.batch_id)
        _update(part, info)
        infos.append(info)
    job.save()
    return infos


async def download(
    job: BatchJob,
    api: BatchEndpoint,
    *,
    wait: bool,
    interval: float = 30.0,
    notify: Notify | None = None,
) -> bool:
    """Fetch the output and error files of every finished batch; True when all are in.

    With ``wait``, poll unfinished batches until they finish.
    """
    say = notify or (lambda message: logger.info("%s", message))
    complete = True
    for part in job.parts:
        if part.batch_id is None:
            raise ConfigError(f"{part.file} was never submitted: run `summarizer batchapi submit`.")
        if part.results:
            continue
        info = await api.retrieve(part.batch_id)
        if not info.done and wait:
            info = await poll_until_done(api, part.batch_id, interval=interval)
        _update(part, info)
        job.save()
        if not info.done:
            say(f"{part.file}: batch {info.id} is {info.status} ({info.completed}/{info.total})")
            complete = False
            continue
        if info.errors:
            say(f"{part.file}: batch {info.id} {info.status}: {info.errors}")
        stem = part.file.removeprefix("requests-").removesuffix(".jsonl")
        files = []
        for kind, file_id in (("errors", info.error_file_id), ("output", info.output_file_id)):
            if file_id:
                name = f"{kind}-{stem}.jsonl"
                await api.download(file_id, job.folder / name)
                files.append(name)
        part.results = files or ["(none)"]
        job.save()
    return complete


# ---- collect ---------------------------------------------------------------------------------


async def collect(
    job: BatchJob,
    *,
    settings: Settings,
    results: list[Path] | None = None,
    client: ChatModel | None = None,
    cache: Cache | None = None,
    retry_online: bool = True,
    notify: Notify | None = None,
) -> RunTotals:
    """Write one output line per archive record from the batch results.

    Args:
        job: The run (``BatchJob.load(output)``).
        settings: The current settings: the endpoint and key for online retries (the
            prompt settings come from the run).
        results: Result files to read instead of the run's downloads (a vLLM ``run_batch``
            output file).
        client: The online ChatModel for retries; by default one from the settings.
        cache: Results are put there; cached articles (left out of the batch) come from it.
        retry_online: Summarise online what the batch did not answer usably; needs an
            endpoint (or ``client``). Otherwise those records become error lines.
    """
    say = notify or (lambda message: logger.info("%s", message))
    settings = job.run_settings(settings)
    cache = cache or NullCache()
    online = retry_online and (client is not None or settings.has_endpoint)
    if results is None:
        results = [job.folder / name for p in job.parts for name in p.results if name != "(none)"]
    index = ResultIndex(results)
    totals = RunTotals(total=None)
    sink = OutputFile(job.output)
    runner = BatchRunner(
        settings, client=client, cache=cache, engine=None if online else _refuse_online
    )
    key_for = cache_key_for(settings)
    custom_ids = CustomIds()
    retry: set[int] = set()
    try:
        for record in job.records():
            custom_id = custom_ids(record.id, record.number)
            if record_key(record) in sink.done:
                totals.skipped += 1
                continue
            line = _line(record, index.get(custom_id), settings, job.mode, cache, key_for)
            if isinstance(line, _Retry) and online:
                retry.add(record.number)
                continue
            if isinstance(line, _Retry):
                line = await _without_online(record, line, runner)
            sink.write(line.text)
            totals.add(ok=line.ok, cached=line.cached, calls=0, usage=line.usage)
        if retry:
            say(f"summarising {len(retry)} records online that the batch did not answer usably")
            await _retry_online(job, runner, retry, sink, totals)
    finally:
        sink.close()
    return totals


@dataclass(frozen=True)
class _Line:
    text: str
    ok: bool
    usage: Usage
    cached: bool = False


@dataclass(frozen=True)
class _Retry:
    """Why a record gets no line from the batch: it goes online, or becomes this error."""

    error: SummarizerError
    attempts: int = 1


def _line(
    record: Record,
    answer: ChatResponse | LLMError | None,
    settings: Settings,
    mode: Mode,
    cache: Cache,
    key_for: Callable[[Article], str],
) -> _Line | _Retry:
    """The record's output line from its batch answer, or why it needs another way."""
    article = record.article
    if article is None:
        bad = record.error or ValueError("record has neither article nor error")
        return _Line(error_line(record, bad, attempts=0), False, Usage())
    if answer is None:
        try:
            prepare(article, settings=settings)
        except SummarizerError as unusable:  # too long for one call: never sent
            return _Retry(unusable, attempts=0)
        return _Retry(_missing(), attempts=0)
    if isinstance(answer, LLMError):
        if answer.status is None or answer.status == 429 or answer.status >= 500:
            return _Retry(answer)
        text = error_line(record, answer, attempts=1)
        return _Line(text, False, Usage())
    try:
        prepared = prepare(article, settings=settings)
        result = result_from_response(prepared, answer, settings=settings, mode=mode)
    except OutputValidationError as invalid:
        return _Retry(invalid)
    except LLMError as failed:
        if failed.reason == "length":  # online, a cut-off answer is asked again, shorter
            return _Retry(failed)
        # A refusal or a filter: the online path stops there too.
        text = error_line(record, failed, attempts=1)
        return _Line(text, False, answer.usage)
    result_json = result.model_dump_json()
    cache.put(key_for(article), result_json)
    text = result_line(record, result_json, cached=False)
    return _Line(text, True, result.provenance.usage)


async def _without_online(record: Record, retry: _Retry, runner: BatchRunner) -> _Line:
    """The line of a record the batch did not answer, with online calls off: from the
    result cache (the runner's own lookup), else the error."""
    outcome = await runner.one(record, _NoClient())
    if outcome is None or isinstance(outcome.error, _NoOnline):
        text = error_line(record, retry.error, attempts=retry.attempts)
        return _Line(text, False, Usage())
    return _Line(outcome.line, outcome.ok, outcome.usage, outcome.cached)


def _missing() -> LLMError:
    return LLMError(
        "The batch returned no result for this article (not sent, expired, cancelled or "
        "lost); collect with an endpoint configured to summarise it online.",
        reason="batch_missing",
    )


async def _retry_online(
    job: BatchJob, runner: BatchRunner, numbers: set[int], sink: OutputFile, totals: RunTotals
) -> None:
    def pending() -> Iterator[Record]:
        for record in job.records():
            if record.number in numbers:
                yield record

    async def emit(outcome: Outcome) -> None:
        sink.write(outcome.line)
        totals.add(
            ok=outcome.ok, cached=outcome.cached, calls=outcome.attempts, usage=outcome.usage
        )

    await runner.run(pending(), emit)
    if runner.fatal is not None:  # the key, the model or the server: the records left are resumable
        raise runner.fatal


class _NoOnline(Exception):
    """Raised instead of an online call when online retries are off."""


async def _refuse_online(article: Article, client: ChatModel) -> SummaryResult:
    raise _NoOnline


class _NoClient:
    """A ChatModel that is never called (the engine refuses before calling)."""

    supports_json_schema: bool | None = None

    async def complete(self, request: Any) -> Any:
        raise _NoOnline


def _done(output: str | os.PathLike[str]) -> set[int]:
    if not Path(output).exists():
        return set()
    with contextlib.closing(OutputFile(output)) as sink:
        return set(sink.done)


async def run(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    settings: Settings,
    api: BatchEndpoint,
    format: Format | None = None,
    fields: Fields | None = None,
    client: ChatModel | None = None,
    cache: Cache | None = None,
    retry_online: bool = True,
    interval: float = 30.0,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
    notify: Notify | None = None,
) -> RunTotals:
    """Write, submit, wait for and collect a Batch API run (``summarizer batch --via
    batch-api``). Interrupted anywhere, the same call resumes from the saved state."""
    job = write_requests(
        source,
        output,
        settings=settings,
        format=format,
        fields=fields,
        cache=cache,
        max_requests=max_requests,
        max_bytes=max_bytes,
    )
    await submit(job, api, notify=notify)
    await download(job, api, wait=True, interval=interval, notify=notify)
    return await collect(
        job,
        settings=settings,
        client=client,
        cache=cache,
        retry_online=retry_online,
        notify=notify,
    )
