"""Shape the batch runner's request rate so the provider rarely refuses, and obey it when it does.

``RateLimiter`` holds optional requests-per-minute and tokens-per-minute ceilings (GCRA, the
token bucket written as one "theoretical arrival time" per ceiling) and a shared pause that
every caller waits out when any response is a 429 or says a budget is exhausted::

    limiter = RateLimiter(rpm=500, tpm=200_000)
    ticket = await limiter.acquire(tokens=estimate)
    response = await call()
    limiter.settle(ticket, actual_tokens)
    limiter.observe(response.status_code, response.headers)

Pure asyncio, no network; the clock and the sleep are injectable so tests run instantly.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

__all__ = [
    "Limiter",
    "RateLimiter",
    "Ticket",
    "backoff_delay",
    "parse_reset",
    "parse_retry_after",
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_reset(value: str | None) -> float | None:
    """Seconds in an OpenAI ``x-ratelimit-reset-*`` value: ``20ms``, ``1s``, ``6m0s``,
    ``1h2m3.5s``; a bare number counts as seconds. ``None`` when it cannot be read."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds a response asks us to wait: ``retry-after-ms``, then ``retry-after`` as seconds
    or an HTTP date. ``None`` when it says nothing readable.

    Args:
        headers: Response headers; any case.
        now: Wall-clock time (``time.time()``) for the HTTP-date form.
    """
    lower = _lower(headers)
    if (millis := _number(lower.get("retry-after-ms"))) is not None:
        return millis / 1000
    value = lower.get("retry-after")
    if (seconds := _number(value)) is not None:
        return seconds
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(
    attempt: int,
    *,
    base: float = 1.0,
    cap: float = 60.0,
    jitter: float = 0.5,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): exponential, capped, jittered.

    The ceiling doubles per attempt from ``base`` up to ``cap``; ``jitter`` is the fraction of
    it drawn at random (1.0 is AWS's "full jitter", 0.5 keeps at least half the wait), so a
    crowd of retries spreads out instead of arriving together.
    """
    ceiling = min(cap, base * 2.0 ** max(0, attempt))
    return ceiling * (1.0 - jitter * rng())


@dataclass(frozen=True)
class Ticket:
    """Proof of a granted request: what it was charged, for ``settle`` to correct."""

    tokens: int


class Limiter(Protocol):
    """What a call needs from a limiter: ``RateLimiter`` in one process, or a proxy to one
    shared by many (``summarizer.batch.ray.budget.SharedLimiter``)."""

    async def acquire(self, tokens: int = 0) -> Ticket: ...
    def settle(self, ticket: Ticket, actual_tokens: int) -> None: ...
    def observe(self, status: int | None, headers: Mapping[str, str]) -> float: ...
    def learn(self, headers: Mapping[str, str]) -> None: ...


class _Gcra:
    """One ceiling: ``per_minute`` units, with up to ``burst`` units allowed at once."""

    def __init__(self, per_minute: float, burst: float) -> None:
        self.interval = 60.0 / per_minute  # seconds per unit
        self.tolerance = max(burst, 1.0) * self.interval
        self.tat = -math.inf  # theoretical arrival time: the budget is full

    def wait(self, units: float, now: float) -> float:
        """Seconds until ``units`` conform; a request larger than the burst waits for a full
        bucket and then goes into debt, so it is slow but never starves."""
        start = max(self.tat, now)
        after = start + units * self.interval
        if after - now <= self.tolerance or start <= now:
            return 0.0
        return min(after - now - self.tolerance, start - now)

    def charge(self, units: float, now: float) -> None:
        self.tat = max(self.tat, now) + units * self.interval

    def drain(self, now: float) -> None:
        """Spend whatever burst is left: from now on, units go out at the steady rate."""
        self.tat = max(self.tat, now + self.tolerance)

    def refund(self, units: float) -> None:
        self.tat -= units * self.interval


class RateLimiter:
    """Request-rate shaping for many concurrent callers sharing one provider budget.

    Callers are granted in arrival order, so a large request is not starved by small ones.

    Args:
        rpm: Requests-per-minute ceiling; ``None`` for none.
        tpm: Tokens-per-minute ceiling; ``None`` for none.
        burst: How many seconds' worth of each ceiling may go out at once (at least one
            request). Small values pace requests evenly, which keeps a provider from refusing
            them; 0 means strictly even spacing.
        clock: Monotonic seconds; injectable for tests.
        sleep: Awaitable sleep; injectable for tests.
    """

    def __init__(
        self,
        *,
        rpm: float | None = None,
        tpm: float | None = None,
        burst: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive or None, got {value!r}.")
        self._requests = _Gcra(rpm, rpm * burst / 60) if rpm else None
        self._tokens = _Gcra(tpm, tpm * burst / 60) if tpm else None
        self._clock = clock
        self._sleep = sleep
        self._paused_until = -math.inf
        self._turn = asyncio.Lock()  # FIFO: waiters are granted in arrival order

    @property
    def paused_for(self) -> float:
        """Seconds left on the shared pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` from now; a longer pause already set wins."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    async def acquire(self, tokens: int = 0) -> Ticket:
        """Wait until one request of ``tokens`` estimated tokens may go, and charge it."""
        async with self._turn:
            while (wait := self._wait(tokens)) > 0:
                await self._sleep(wait)
            now = self._clock()
            if self._requests is not None:
                self._requests.charge(1, now)
            if self._tokens is not None:
                self._tokens.charge(tokens, now)
        return Ticket(tokens)

    def settle(self, ticket: Ticket, actual_tokens: int) -> None:
        """Correct a granted request's token charge with what the provider reported."""
        if self._tokens is not None:
            self._tokens.refund(ticket.tokens - actual_tokens)

    def observe(self, status: int | None, headers: Mapping[str, str]) -> float:
        """Read a response's rate-limit signals; return the pause they caused (0 for none).

        A 429 pauses for its ``Retry-After`` (or, if absent, the longest reset header, or 1 s);
        any response whose ``x-ratelimit-remaining-requests`` or ``-tokens`` is 0 pauses until
        that budget's reset. The reset header is the time until the budget is *full* again
        (OpenAI's definition); when ``x-ratelimit-limit-requests`` is given too, the pause for
        an exhausted request budget is only the time one request takes to come back
        (reset / limit), since budgets refill continuously.
        """
        lower = _lower(headers)
        waits = [
            self._exhausted_wait(lower, kind)
            for kind in ("requests", "tokens")
            if _number(lower.get(f"x-ratelimit-remaining-{kind}")) == 0
        ]
        if status == 429:
            resets = [
                parse_reset(lower.get(f"x-ratelimit-reset-{k}")) for k in ("requests", "tokens")
            ]
            retry = parse_retry_after(lower)
            fallback = max((r for r in resets if r is not None), default=1.0)
            waits.append(retry if retry is not None else fallback)
            for ceiling in (self._requests, self._tokens):
                if ceiling is not None:  # the provider's budget is spent: so is ours
                    ceiling.drain(self._clock())
        wait = max(waits, default=0.0)
        if wait > 0:
            self.pause(wait)
        return wait

    def learn(self, headers: Mapping[str, str]) -> None:
        """Adopt the provider's announced per-minute limits (``x-ratelimit-limit-requests``
        and ``-tokens``) as ceilings where none was set.

        Like the provider's budget, a learned ceiling allows a whole minute's worth at once and
        then the steady rate; a 429 (see ``observe``) spends what is left of it, so after the
        first refusal requests are paced instead of running into more.
        """
        lower = _lower(headers)
        if self._requests is None and (rpm := _number(lower.get("x-ratelimit-limit-requests"))):
            self._requests = _Gcra(rpm, rpm)
        if self._tokens is None and (tpm := _number(lower.get("x-ratelimit-limit-tokens"))):
            self._tokens = _Gcra(tpm, tpm)

    @staticmethod
    def _exhausted_wait(lower: Mapping[str, str], kind: str) -> float:
        reset = parse_reset(lower.get(f"x-ratelimit-reset-{kind}")) or 0.0
        limit = _number(lower.get(f"x-ratelimit-limit-{kind}"))
        if kind == "requests" and limit:
            return reset / limit
        return reset

    def _wait(self, tokens: int) -> float:
        now = self._clock()
        waits = [self._paused_until - now]
        if self._requests is not None:
            waits.append(self._requests.wait(1, now))
        if self._tokens is not None:
            waits.append(self._tokens.wait(tokens, now))
        return max(waits)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and number >= 0 else None
