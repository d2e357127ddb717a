"""The OpenAI Batch API exchange: a run's calls, polled until its batches finish.

The calls themselves (upload, create, find, retrieve, download) are ``llm.OpenAIBatches``,
behind the ``llm.BatchEndpoint`` protocol: ``llm`` is the only module that talks to the openai
SDK. What is left here is the run's side: one endpoint per command, closed afterwards, and
the patient polling of a batch that takes minutes to hours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from summarizer.config import Settings
from summarizer.llm import BatchEndpoint, BatchInfo, OpenAIBatches

__all__ = ["poll_until_done", "with_api"]

T = TypeVar("T")


async def poll_until_done(
    api: BatchEndpoint,
    batch_id: str,
    *,
    interval: float = 30.0,
    max_interval: float = 600.0,
    on_status: Callable[[BatchInfo], None] | None = None,
) -> BatchInfo:
    """Poll until the batch is done, waiting ``interval`` seconds at first and half as long
    again after each poll up to ``max_interval`` (batches take minutes to hours)."""
    while True:
        info = await api.retrieve(batch_id)
        if on_status is not None:
            on_status(info)
        if info.done:
            return info
        await asyncio.sleep(interval)
        interval = min(max_interval, interval * 1.5)


def with_api(settings: Settings, step: Callable[[BatchEndpoint], Awaitable[T]]) -> T:
    """Run ``step`` with an endpoint built from the settings and closed afterwards; blocking."""

    async def go() -> T:
        api = OpenAIBatches(settings)
        try:
            return await step(api)
        finally:
            await api.aclose()

    return asyncio.run(go())
