"""``summarizer batch --via ray``: an archive through the Ray stage into one output file.

The driver does what must happen in one place: it reads the archive (the local runner's
reader, so every record keeps its id, number and line, and an unusable record gets the same
error line), skips what the output already holds (resume) and what the cache holds, and is
the one writer: each result is stored in the cache, then its line is appended. Everything
else (rendering, the calls, validation, quote checks, grounding) runs in the stage's actors.

Records go to Ray in windows of ``window`` articles, one Dataset each, so the driver's memory
stays bounded however large the archive is. A line that comes back twice (a batch redone
after its actor died) is written once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast

import pyarrow as pa
import ray
import ray.data

from summarizer.batch.cache import Cache, NullCache
from summarizer.batch.filerun import FileRun, ResultSink
from summarizer.batch.progress import BatchProgress, RunTotals
from summarizer.batch.ray.session import ray_session
from summarizer.batch.ray.stage import ARTICLE_COLUMN, summarize_dataset
from summarizer.batch.results import record_key
from summarizer.batch.runner import BatchRunner, EngineName, Outcome, Summarize
from summarizer.config import Settings
from summarizer.errors import InputError, SummarizerError
from summarizer.schema import Usage
from summarizer.sources.archive import Input, Record, RecordRef

__all__ = ["RayOptions", "run_on_ray"]


@dataclass(frozen=True, kw_only=True)
class RayOptions:
    """Where and how wide a ``--via ray`` run goes.

    Attributes:
        address: ``None`` starts Ray on this machine; ``"auto"`` joins the cluster this
            machine belongs to (``ray start``); ``"ray://host:10001"`` a remote one.
        actors: Actors in the pool; by default one per CPU of the cluster.
        num_cpus: CPUs each actor reserves.
        window: Articles per Dataset; bounds the driver's memory.
        budget: ``"shared"`` (one limiter for every actor) or ``"split"`` (each its share);
            see ``summarize_dataset``.
    """

    address: str | None = None
    actors: int | None = None
    num_cpus: float = 1.0
    window: int = 10_000
    budget: Literal["shared", "split"] = "shared"


def run_on_ray(
    source: Input | str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    settings: Settings,
    options: RayOptions | None = None,
    cache: Cache | None = None,
    engine: EngineName | Summarize = "llm",
    retry_errors: bool = False,
    progress: bool = True,
    notify: Callable[[str], None] | None = None,
) -> RunTotals:
    """Summarise an archive on a Ray cluster into a JSON Lines file, resumably.

    The arguments are those of ``summarizer.batch.runner.run_batch`` (``engine`` by name or
    a coroutine; no ``client``: each actor opens its own), and ``options`` says which
    cluster and how many actors. The output file holds the lines the local runner would
    write.

    Raises:
        InputError: The archive or the output cannot be used.
        SummarizerError: An error that would fail every record (see the stage).
    """
    options = options or RayOptions()
    files = FileRun.checked(
        source,
        output,
        settings,
        calls_model=engine == "llm",
        retry_errors=retry_errors,
        notify=notify,
    )
    totals = files.totals
    cache = NullCache() if engine == "offline" else (cache or NullCache())
    runner = BatchRunner(settings, cache=cache, engine=_no_engine)
    writer = _Writer(files.sink, cache, totals)
    records = files.records()
    try:
        with (
            _stopped_as_locally(files),
            ray_session(options.address) as cpus,
            BatchProgress(totals, enabled=progress) as bar,
        ):
            writer.bar = bar
            actors = options.actors or max(1, int(cpus // options.num_cpus))
            for window in _windows(records, runner, writer, options.window):
                rows = [_row_of(record) for record in window]
                dataset = summarize_dataset(
                    ray.data.from_items(rows),
                    settings=settings,
                    engine=engine,
                    actors=actors,
                    budget=options.budget,
                    num_cpus=options.num_cpus,
                )
                for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                    for row in cast("pa.Table", batch).to_pylist():
                        writer.from_row(row)
    except KeyboardInterrupt:
        totals.interrupted = True
    finally:
        files.close()
    files.finish()
    if writer.duplicates:
        files.say(
            f"{writer.duplicates} lines came back twice (redone after a worker died); kept one"
        )
    return totals


@contextlib.contextmanager
def _stopped_as_locally(files: FileRun) -> Iterator[None]:
    """Raise what stopped the run as the local runner does: the stage's own error (or a
    damaged archive), with what was written and how the same command resumes."""
    try:
        yield
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause
        if not isinstance(cause, SummarizerError):
            raise
        cause.args = (str(cause).splitlines()[0],)  # without the retry advice Ray Data appends
        raise files.stopped(cause) from None
    except InputError as damaged:  # the archive broke part way (a truncated .gz)
        if not files.totals.written:
            raise
        raise files.stopped(damaged, "once the archive is repaired") from None


class _Writer:
    """The one writer: cache first, then the line, each record once."""

    def __init__(self, sink: ResultSink, cache: Cache, totals: RunTotals) -> None:
        self.sink = sink
        self.cache = cache
        self.totals = totals
        self.bar: BatchProgress | None = None
        self.keys: dict[int, str] = {}  # record number -> cache key, for records sent out
        self.written: set[int] = set()
        self.duplicates = 0

    def outcome(self, outcome: Outcome) -> None:
        self._write(
            outcome.record,
            outcome.line,
            ok=outcome.ok,
            cached=outcome.cached,
            calls=outcome.attempts,
            usage=outcome.usage,
        )

    def from_row(self, row: dict[str, Any]) -> None:
        ref = RecordRef(row["record"], row["line"], row["id"])
        key = self.keys.pop(ref.number, None)
        if row["ok"] and key is not None and record_key(ref) not in self.written:
            self.cache.put(key, row["result"])  # before the line: a crash between costs no call
        usage = Usage(
            prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"]
        )
        self._write(
            ref,
            row["output"],
            ok=row["ok"],
            cached=False,
            calls=row["attempts"],
            usage=usage,
        )

    def _write(
        self, ref: RecordRef, text: str, *, ok: bool, cached: bool, calls: int, usage: Usage
    ) -> None:
        done = record_key(ref)
        if done in self.written:
            self.duplicates += 1
            return
        self.sink.write(text)
        self.written.add(done)
        self.totals.add(ok=ok, cached=cached, calls=calls, usage=usage)
        if self.bar is not None:
            self.bar.update()


def _windows(
    records: Iterator[Record], runner: BatchRunner, writer: _Writer, size: int
) -> Iterator[list[Record]]:
    """Records that need the stage, ``size`` at a time; the others are written on the way."""
    window: list[Record] = []
    for record in records:
        if (outcome := runner.without_call(record)) is not None:
            writer.outcome(outcome)
            continue
        if record.article is not None:
            writer.keys[record.number] = runner.cache_key(record.article)
        window.append(record)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def _row_of(record: Record) -> dict[str, Any]:
    article = record.article
    return {
        "record": record.number,
        "line": record.line,
        "id": record.id,
        ARTICLE_COLUMN: None if article is None else article.model_dump_json(),
    }


async def _no_engine(*_: Any) -> Any:
    raise AssertionError("the driver never summarises; the stage does")  # pragma: no cover
