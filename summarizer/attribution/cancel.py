"""A way to stop the engine part way: the batch abandons an article that ran past its time.

A thread cannot be killed from outside; the engine instead calls :func:`checkpoint` in its
per-quote and per-sentence loops, which raises :class:`Cancelled` once the caller's event is
set. Without :func:`cancel_on` around the call, a checkpoint costs one context lookup.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["Cancelled", "cancel_on", "checkpoint"]

_EVENT: ContextVar[threading.Event | None] = ContextVar("summarizer_cancel", default=None)


class Cancelled(Exception):
    """The caller gave up on this analysis; nothing is wrong with the article."""


@contextlib.contextmanager
def cancel_on(event: threading.Event) -> Iterator[None]:
    """Within this block (and what it calls, in this thread), checkpoints raise once
    ``event`` is set."""
    token = _EVENT.set(event)
    try:
        yield
    finally:
        _EVENT.reset(token)


def checkpoint() -> None:
    """Raise :class:`Cancelled` if the caller has given up."""
    event = _EVENT.get()
    if event is not None and event.is_set():
        raise Cancelled
