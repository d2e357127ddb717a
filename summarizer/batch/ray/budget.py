"""One rate budget for a whole Ray cluster: the runner's limiter, held by one named actor.

Every actor's calls wait their turn at the same ``RateLimiter`` (``--rpm``/``--tpm``, the
provider's announced limits, the pause after a 429), so the budget is the provider's, not a
share of it per actor.

:class:`SharedLimiter` is what an actor's ``ShapedChat`` talks to: ``acquire`` is one round
trip to the limiter actor; what the answers teach it (``learn``, ``observe``, ``settle``) is
sent without waiting.

The actor is named, in the job's namespace, after the endpoint (its URL without credentials),
the model and the ceilings: the runs of one job with the same three share one budget. It
lives as long as the job. Two jobs on one cluster have a budget each: give each its share
with ``--rpm``.
"""

from __future__ import annotations

import hashlib
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


# A named actor dies when the handle that created it is collected, even while handles that
# found it by name are in use: a second run with the same budget lost its limiter part way
# when the first run's handle went. The creating handles are kept for the session instead.
_KEPT: dict[tuple[str, str], ActorHandle[Any]] = {}


def shared_limiter(settings: Settings) -> ActorHandle[Any]:
    """The limiter actor for this endpoint, model and ceilings, started if not running.

    It reserves no CPU: it waits, it does not compute. It lives as long as the job.
    """
    endpoint = redact_url(settings.base_url) if settings.base_url else settings.endpoint_host
    budget = f"{endpoint} {settings.model} rpm={settings.rpm} tpm={settings.tpm}"
    name = "summarizer-limiter-" + hashlib.sha256(budget.encode()).hexdigest()[:16]
    context = ray.get_runtime_context()
    job = f"{context.get_session_name()} {context.get_job_id()}"  # ids repeat across sessions
    if (kept := _KEPT.get((job, name))) is not None:
        return kept
    for stale in [key for key in _KEPT if key[0] != job]:  # an earlier session's: gone
        del _KEPT[stale]
    actor: Any = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(LimiterActor)
    handle: ActorHandle[Any] = actor.options(name=name, get_if_exists=True).remote(
        settings.rpm, settings.tpm
    )
    _KEPT[(job, name)] = handle
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
