"""One rate budget for a whole Ray cluster: the runner's limiter, held by one named actor.

Every actor's calls wait their turn at the same ``RateLimiter`` (``--rpm``/``--tpm``, the
provider's announced limits, the pause after a 429), so the budget is the provider's, not a
share of it per actor.

:class:`SharedLimiter` is what an actor's ``ShapedChat`` talks to: ``acquire`` is one round
trip to the limiter actor; what the answers teach it (``learn``, ``observe``, ``settle``) is
sent without waiting.

Each run has its own limiter actor, named after the endpoint (its URL without credentials),
the model and the ceilings, plus a suffix of its own; it lives as long as the run holds it.
Two runs, in one job or two, have a budget each: give each its share with ``--rpm``. (Runs
once looked their limiter up by name; a run that started as the previous one ended could
find that run's limiter while Ray was removing it, and every call then failed.)
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ray

from summarizer.batch.limiter import RateLimiter, Ticket
from summarizer.config import Settings, redact_url

if TYPE_CHECKING:
    from ray.actor import ActorHandle

__all__ = ["LimiterActor", "SharedLimiter", "shared_limiter"]


class LimiterActor:
    """The one ``RateLimiter`` of a run, in an actor (async: callers wait without a thread)."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.limiter = RateLimiter(rpm=rpm, tpm=tpm)
        self.granted = 0

    async def acquire(self, tokens: int) -> int:
        ticket = await self.limiter.acquire(tokens)
        self.granted += 1
        return ticket.tokens

    async def requests_granted(self) -> int:
        """Requests let through so far, for checks and benchmarks."""
        return self.granted

    async def settle(self, charged: int, actual: int) -> None:
        self.limiter.settle(Ticket(charged), actual)

    async def observe(self, status: int | None, headers: dict[str, str]) -> float:
        return self.limiter.observe(status, headers)

    async def learn(self, headers: dict[str, str]) -> None:
        self.limiter.learn(headers)


def shared_limiter(settings: Settings) -> ActorHandle[Any]:
    """A new limiter actor for this endpoint, model and ceilings: one run's budget.

    It reserves no CPU: it waits, it does not compute.
    """
    endpoint = redact_url(settings.base_url) if settings.base_url else settings.endpoint_host
    budget = f"{endpoint} {settings.model} rpm={settings.rpm} tpm={settings.tpm}"
    name = "summarizer-limiter-" + hashlib.sha256(budget.encode()).hexdigest()[:16]
    name += "-" + uuid.uuid4().hex[:8]
    actor: Any = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(LimiterActor)
    handle: ActorHandle[Any] = actor.options(name=name).remote(settings.rpm, settings.tpm)
    return handle


class SharedLimiter:
    """A ``Limiter`` whose state lives in the limiter actor (see ``shared_limiter``)."""

    def __init__(self, actor: ActorHandle[Any]) -> None:
        self._actor = actor

    async def acquire(self, tokens: int = 0) -> Ticket:
        return Ticket(await self._actor.acquire.remote(tokens))

    def settle(self, ticket: Ticket, actual_tokens: int) -> None:
        self._actor.settle.remote(ticket.tokens, actual_tokens)

    def observe(self, status: int | None, headers: Mapping[str, str]) -> float:
        self._actor.observe.remote(status, dict(headers))
        return 0.0  # the pause is the limiter actor's to keep

    def learn(self, headers: Mapping[str, str]) -> None:
        self._actor.learn.remote(dict(headers))
