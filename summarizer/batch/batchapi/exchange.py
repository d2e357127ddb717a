"""The OpenAI Batch API exchange: upload a request file, create a batch, poll it, download.

This module imports openai, as llm.py does: the Files and Batches endpoints are not chat
calls, so they cannot go through ``llm.ChatModel``, and wrapping them here keeps every other
module free of the SDK (pyproject's ruff per-file-ignores allow it here and in llm.py only).
SDK errors become ``LLMError`` with the same messages as online calls (``llm.http_error``).

The exchanges follow the API reference: ``POST /v1/files`` (purpose ``batch``),
``POST /v1/batches`` (endpoint ``/v1/chat/completions``, window ``24h``), ``GET
/v1/batches/{id}``, ``GET /v1/batches`` (to find a batch whose creation was interrupted),
``GET /v1/files/{id}/content``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import openai

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.llm import http_error

__all__ = ["TERMINAL", "BatchAPI", "BatchInfo", "with_api"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch statuses after which nothing more will run (expired and cancelled batches may
still have partial output)."""


@dataclass(frozen=True)
class BatchInfo:
    """What ``GET /v1/batches/{id}`` says about a batch."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: str = ""

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


class BatchAPI:
    """Files and Batches calls against OpenAI (or any server that implements them).

    Args:
        client: The SDK client; ``from_settings`` builds one from the key and base URL.
    """

    def __init__(self, client: openai.AsyncOpenAI) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> BatchAPI:
        settings.require_endpoint()
        key = settings.api_key
        return cls(
            openai.AsyncOpenAI(
                api_key=key.get_secret_value() if key else "no-key-needed",
                base_url=settings.base_url,
                timeout=max(settings.timeout, 600.0),  # uploads of up to 200 MB
                max_retries=settings.max_retries,
            )
        )

    async def aclose(self) -> None:
        await self.client.close()

    async def upload(self, path: Path) -> str:
        """Upload a request file (purpose ``batch``); returns the file id."""
        with path.open("rb") as handle:
            created = await _call(self.client.files.create(file=handle, purpose="batch"))
        return created.id

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        """Create a batch over an uploaded file, labelled with ``metadata``."""
        batch = await _call(
            self.client.batches.create(
                input_file_id=input_file_id,
                endpoint="/v1/chat/completions",  # batchfile.ENDPOINT
                completion_window="24h",
                metadata=metadata,
            )
        )
        return _info(batch)

    async def find(self, metadata: dict[str, str], *, limit: int = 100) -> BatchInfo | None:
        """The most recent batch labelled with ``metadata``, among the last ``limit``."""
        page = await _call(self.client.batches.list(limit=limit))
        for batch in page.data:
            labels = batch.metadata or {}
            if all(labels.get(k) == v for k, v in metadata.items()):
                return _info(batch)
        return None

    async def retrieve(self, batch_id: str) -> BatchInfo:
        return _info(await _call(self.client.batches.retrieve(batch_id)))

    async def wait(
        self,
        batch_id: str,
        *,
        interval: float = 30.0,
        max_interval: float = 600.0,
        on_status: Callable[[BatchInfo], None] | None = None,
    ) -> BatchInfo:
        """Poll until the batch is done, waiting ``interval`` seconds at first and half as
        long again after each poll up to ``max_interval`` (batches take minutes to hours)."""
        while True:
            info = await self.retrieve(batch_id)
            if on_status is not None:
                on_status(info)
            if info.done:
                return info
            await asyncio.sleep(interval)
            interval = min(max_interval, interval * 1.5)

    async def download(self, file_id: str, path: Path) -> None:
        """Save a file's content to ``path`` (via a side file, so a torn download never
        looks complete)."""
        partial = path.with_name(path.name + ".part")

        async def fetch() -> None:
            async with self.client.files.with_streaming_response.content(file_id) as response:
                with partial.open("wb") as handle:
                    async for chunk in response.iter_bytes():
                        handle.write(chunk)

        await _call(fetch())
        partial.replace(path)


def with_api(settings: Settings, step: Callable[[BatchAPI], Awaitable[T]]) -> T:
    """Run ``step`` with a BatchAPI built from the settings and closed afterwards; blocking."""

    async def go() -> T:
        api = BatchAPI.from_settings(settings)
        try:
            return await step(api)
        finally:
            await api.aclose()

    return asyncio.run(go())


def _info(batch: Any) -> BatchInfo:
    counts = batch.request_counts
    errors = batch.errors.data if batch.errors is not None and batch.errors.data else []
    return BatchInfo(
        id=batch.id,
        status=batch.status,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        total=counts.total if counts else 0,
        completed=counts.completed if counts else 0,
        failed=counts.failed if counts else 0,
        errors="; ".join(f"{e.code}: {e.message}" for e in errors[:3]),
    )


async def _call(call: Awaitable[T]) -> T:
    try:
        return await call
    except openai.APIStatusError as exc:
        raise http_error(exc.status_code, exc.body, request_id=exc.request_id) from exc
    except openai.APITimeoutError as exc:
        raise LLMError(
            "The Batch API request timed out; run the same command again.", reason="timeout"
        ) from exc
    except openai.APIConnectionError as exc:
        raise LLMError(
            f"Cannot reach the Batch API ({exc.__cause__ or exc}). Check OPENAI_BASE_URL.",
            reason="connection",
        ) from exc
