"""One OpenAIChat reused across blocking summarize() calls: each call runs its own event loop,
and the SDK client (its connections) built on a loop must be closed before that loop ends.

Left to the garbage collector after its loop has closed, the SDK's client schedules its own
close on whatever loop runs then, which fails with "Event loop is closed" ("Task exception was
never retrieved"), and its sockets are reported unclosed. The server is the fake one on
127.0.0.1; nothing here depends on timing.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from collections.abc import Iterator

import pytest

from summarizer import OpenAIChat, Settings, summarize
from summarizer.testing.fakeserver import FakeServer
from tests.conftest import SEED


@pytest.fixture
def settings() -> Iterator[Settings]:
    with FakeServer() as server:
        yield Settings(base_url=server.base_url, api_key="sk-test", model="fake-model")


async def _collect_garbage_in_a_running_loop() -> None:
    """Where the bug showed: a later loop collects the old clients and runs their close."""
    gc.collect()
    for _ in range(10):
        await asyncio.sleep(0)
    gc.collect()


@pytest.mark.filterwarnings("default::ResourceWarning")
@pytest.mark.filterwarnings("default::pytest.PytestUnraisableExceptionWarning")
def test_a_client_reused_across_blocking_calls_leaves_nothing_behind(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    text = SEED.read_text(encoding="utf-8")
    chat = OpenAIChat(settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [summarize(text, settings=settings, client=chat) for _ in range(3)]
        asyncio.run(_collect_garbage_in_a_running_loop())
        del chat
        gc.collect()
    assert all(result.positions for result in results)
    left = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    # Popen objects of earlier tests in the same process (a Ray node's that failed to start)
    # are collected here too; they are not this client's.
    left = [m for m in left if not m.startswith("subprocess ")]
    assert left == []
    unraisable = [str(w.message) for w in caught if "Unraisable" in w.category.__name__]
    assert unraisable == []
    asyncio_errors = [r.getMessage() for r in caplog.records if r.name == "asyncio"]
    assert asyncio_errors == []
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
