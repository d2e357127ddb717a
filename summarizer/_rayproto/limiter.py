"""One rate budget for a whole Ray cluster: the runner's limiter, held by one named actor.

Every actor's calls wait their turn at the same ``RateLimiter`` (``--rpm``/``--tpm``, the
provider's announced limits, the pause after a 429), so the budget is the provider's, not a
share of it per actor. The actor is named after the endpoint and model, so two jobs on one
cluster against the same key share it too.

:class:`SharedLimiter` is what an actor's ``ShapedChat`` talks to: ``acquire`` is one round
trip to the limiter actor; what the answers teach it (``learn``, ``observe``, ``settle``) is
sent without waiting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import ray

from summarizer.config import Settings
from summarizer.ratelimit import RateLimiter, Ticket

if TYPE_CHECKING:
    from ray.actor import ActorHandle

__all__ = ["LimiterActor", "SharedLimiter", "shared_limiter"]


class LimiterActor:
    """The one ``RateLimiter`` of a run, in an actor (async: callers wait without a thread)."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.limiter = RateLimiter(rpm=rpm, tpm=tpm)

    async def acquire(self, tokens: int) -> int:
        return (await self.limiter.acquire(tokens)).tokens

    async def settle(self, charged: int, actual: int) -> None:
        self.limiter.settle(Ticket(charged), actual)

    async def observe(self, status: int | None, headers: dict[str, str]) -> float:
        return self.limiter.observe(status, headers)

    async def learn(self, headers: dict[str, str]) -> None:
        self.limiter.learn(headers)


def shared_limiter(settings: Settings, *, namespace: str = "summarizer") -> ActorHandle:
    """The limiter actor for this endpoint and model, started if it is not running.

    It uses no CPU reservation (it waits, it does not compute) and lives as long as the job
    that started it.
    """
    where = f"{settings.endpoint_host}/{settings.model}"
    name = "summarizer-limiter-" + hashlib.sha256(where.encode()).hexdigest()[:12]
    actor = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(LimiterActor)
    return actor.options(name=name, namespace=namespace, get_if_exists=True).remote(
        settings.rpm, settings.tpm
    )


class SharedLimiter(RateLimiter):
    """A ``RateLimiter`` whose state lives in the limiter actor (see ``shared_limiter``)."""

    def __init__(self, actor: ActorHandle) -> None:
        super().__init__()
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
