"""The Ray Data stage: rows in, a result or an error per row out, the pipeline inside actors.

:func:`summarize_dataset` adds it to any Ray Dataset (``read_json``, ``read_parquet``, a
folder or a bucket); :class:`SummarizeRows` is the callable class each actor runs. Every row
goes through ``BatchRunner.one``, the function the local runner calls per record, so a row
gets the same templates, validation, quote checks, grounding and provenance, and the same
output line, as it would on one machine.

A row whose article is unusable, or whose calls fail after every retry, becomes an error row;
the job goes on. An error that would fail every row (the endpoint cannot be reached, a
rejected key, a missing template) is raised instead, and stops the job.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import ray.data

from summarizer.batch.cache import NullCache, sha256_text
from summarizer.batch.ray.budget import SharedLimiter, shared_limiter
from summarizer.batch.runner import (
    BatchRunner,
    EngineName,
    Outcome,
    Summarize,
    engine_named,
    llm_engine,
)
from summarizer.batch.throttle import Slot
from summarizer.config import Settings
from summarizer.errors import InputError
from summarizer.llm import ChatModel
from summarizer.schema import Article
from summarizer.sources.archive import Fields, Record, article_from_row

if TYPE_CHECKING:
    from ray.actor import ActorHandle

__all__ = ["OUTPUT_SCHEMA", "SummarizeRows", "summarize_dataset"]

logger = logging.getLogger(__name__)

ARTICLE_COLUMN = "article_json"
"""A row may carry its article already read (``Article`` JSON), as ``summarizer batch --via
ray`` sends it; otherwise the article is read from the row's fields like an archive record."""

OUTPUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("record", pa.int64()),
        ("line", pa.int64()),
        ("ok", pa.bool_()),
        ("result", pa.string()),  # SummaryResult JSON; null for an error row
        ("error", pa.string()),  # the error's type; null for a result
        ("message", pa.string()),
        ("attempts", pa.int64()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("output", pa.string()),  # the line `summarizer batch` writes for this row
    ]
)


class SummarizeRows:
    """What each Ray actor runs: one client, one in-flight limit, the runner's per-record step.

    Args:
        settings: As for ``summarizer.batch.runner.abatch``; ``concurrency`` is per actor.
        engine: ``"llm"``, ``"offline"``, or a ``Summarize`` coroutine.
        fields: Which row fields hold the text, id, title...; archive defaults otherwise.
        limiter: The shared rate limiter actor (``summarizer.batch.ray.budget``); without
            one each actor paces itself to ``settings.rpm``/``tpm``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        engine: EngineName | Summarize = "llm",
        fields: Fields | None = None,
        limiter: ActorHandle[Any] | None = None,
    ) -> None:
        self.settings = settings
        self.fields = fields or Fields()
        self.runner = BatchRunner(
            settings,
            cache=NullCache(),  # results come back to one writer, which keeps the cache
            engine=engine_named(engine, settings) or llm_engine(settings),
            limiter=SharedLimiter(limiter) if limiter is not None else None,
        )
        self._client: ChatModel | None = None
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, batch: pa.Table) -> pa.Table:
        if self._client is None:  # built in the actor's event loop, used by every batch
            self._client = self.runner.open_client()
            self._slots = asyncio.Semaphore(self.settings.concurrency)
        client = self._client
        records = [_record(row, self.fields) for row in batch.to_pylist()]
        outcomes = await asyncio.gather(*(self._one(record, client) for record in records))
        return pa.Table.from_pylist([_row(outcome) for outcome in outcomes], OUTPUT_SCHEMA)

    async def _one(self, record: Record, client: ChatModel) -> Outcome:
        slot = Slot(self._slots)
        try:
            outcome = await self.runner.one(record, client, slot=slot)
        finally:
            slot.release()
        if outcome is None:  # every row would fail the same way: stop the job
            raise self.runner.fatal or RuntimeError("the run stopped")
        return outcome


def summarize_dataset(
    dataset: ray.data.Dataset,
    *,
    settings: Settings,
    engine: EngineName | Summarize = "llm",
    fields: Fields | None = None,
    actors: int = 1,
    batch_size: int | None = None,
    limiter: ActorHandle[Any] | None = None,
    budget: Literal["shared", "split"] = "shared",
    num_cpus: float = 1.0,
) -> ray.data.Dataset:
    """Add the summarising stage to a Ray Dataset: one output row per input row.

    Args:
        dataset: Rows with an article: a text field (``text``, ``body``, ``content``,
            ``article`` or ``html``, or ``fields.text``), optionally ``id``, ``title``,
            ``date``, ``url``, ``source``, and ``record``/``line`` numbers to carry through.
        settings: Model, prompts and options; ``concurrency`` is the articles in flight per
            actor, ``rpm``/``tpm`` the budget the actors share.
        engine: ``"llm"`` (default), ``"offline"`` (the attribution engine, no calls), or a
            ``Summarize`` coroutine.
        fields: Field names, as for archives.
        actors: Actors in the pool; each holds ``num_cpus``.
        batch_size: Rows per batch; ``settings.concurrency`` by default (128 offline).
        limiter: A shared limiter (``shared_limiter(settings)``); by default one is made for
            ``--rpm``/``--tpm`` and the provider's 429s.
        budget: ``"shared"`` (default): every call waits at the one limiter. ``"split"``:
            each actor paces itself to ``rpm/actors`` and ``tpm/actors`` and learns from the
            provider's headers and 429s alone; kept to measure against (see the README).

    Returns:
        A Dataset with the columns of ``OUTPUT_SCHEMA``: ``id``, ``record``, ``line``, ``ok``,
        ``result`` (``SummaryResult`` JSON), ``error`` and ``message``, ``attempts``, the
        tokens used, and ``output`` (the line ``summarizer batch`` would write).
    """
    if engine == "llm":
        settings.require_endpoint()  # on the driver: before any actor starts
    actor_settings = settings
    if budget == "split":
        actor_settings = settings.model_copy(
            update={"rpm": _share(settings.rpm, actors), "tpm": _share(settings.tpm, actors)}
        )
    elif limiter is None and engine != "offline":
        limiter = shared_limiter(settings)
    return dataset.map_batches(
        SummarizeRows,
        fn_constructor_kwargs={
            "settings": actor_settings,
            "engine": engine,
            "fields": fields,
            "limiter": limiter,
        },
        batch_format="pyarrow",
        batch_size=batch_size or _batch_size(engine, settings),
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=num_cpus,
    )


def _share(ceiling: float | None, actors: int) -> float | None:
    return None if ceiling is None else ceiling / actors


def _batch_size(engine: EngineName | Summarize, settings: Settings) -> int:
    """Rows per batch: a batch's lines come back together, so small batches keep lines
    flowing; but an offline row takes a millisecond or two, and a batch must outweigh the
    few milliseconds Ray spends on each task."""
    return _OFFLINE_BATCH if engine == "offline" else settings.concurrency


_OFFLINE_BATCH = 128


def _record(row: Mapping[str, Any], fields: Fields) -> Record:
    number = int(row.get("record") or 0)
    line = row.get("line")
    if (article_json := row.get(ARTICLE_COLUMN)) is not None:
        article = Article.model_validate_json(article_json)
        return Record(number, line, str(row.get("id") or article.id), article=article)
    where = f"row {number}" if number else "row"
    try:
        article = article_from_row(row, fields, where=where)
    except InputError as exc:
        error = InputError(str(exc.reason), source=where)
        return Record(number, line, _row_id(row, fields, None), error=error)
    record_id = _row_id(row, fields, article)
    return Record(number, line, record_id, article=article.model_copy(update={"id": record_id}))


def _row_id(row: Mapping[str, Any], fields: Fields, article: Article | None) -> str:
    """The row's id field, else a stable id from its text (rows have no file and line)."""
    if (value := row.get(fields.id)) not in (None, ""):
        return str(value)
    text = article.text if article is not None else json.dumps(row, default=str, sort_keys=True)
    return f"sha256:{sha256_text(text)[:16]}"


def _row(outcome: Outcome) -> dict[str, Any]:
    record, error = outcome.record, outcome.error
    return {
        "id": record.id,
        "record": record.number,
        "line": record.line,
        "ok": outcome.ok,
        "result": None if outcome.result is None else outcome.result.model_dump_json(),
        "error": None if error is None else type(error).__name__,
        "message": None if error is None else str(error),
        "attempts": outcome.attempts,
        "prompt_tokens": outcome.usage.prompt_tokens,
        "completion_tokens": outcome.usage.completion_tokens,
        "output": outcome.line,
    }
