"""RPM and TPM accounting as token buckets, and OpenAI-style rate-limit headers."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

Headers = list[tuple[str, str]]


class Bucket:
    """A token bucket that starts full and refills continuously over a minute."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = self.capacity
        self.stamp = time.monotonic()

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 when it is now); ``inf`` if it never is."""
        if amount > self.capacity:
            return math.inf
        return max(0.0, (amount - self.level) / self.rate)

    def reset_in(self) -> float:
        return (self.capacity - self.level) / self.rate


def format_reset(seconds: float) -> str:
    """Format a duration the way OpenAI's ``x-ratelimit-reset-*`` headers do: ``20ms``,
    ``1.5s``, ``6m0s``, ``1h2m3s``."""
    if seconds < 1:
        return f"{math.ceil(seconds * 1000)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(minutes)}m{round(secs, 3):g}s"
    return f"{int(hours)}h{text}" if hours else text


@dataclass(frozen=True)
class Charge:
    """The outcome of charging a request: headers always; a refusal message when limited."""

    headers: Headers
    refusal: str | None = None
    kind: str = ""


class RateLimits:
    """The request and token buckets; either is ``None`` when that limit is off."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        self.requests = Bucket(rpm) if rpm else None
        self.tokens = Bucket(tpm) if tpm else None
        self._tpm = tpm

    def charge(self, tokens: int) -> Charge:
        """Charge one request and ``tokens``; a refusal when either bucket is short."""
        now = time.monotonic()
        charges = [
            (bucket, amount, kind)
            for bucket, amount, kind in (
                (self.requests, 1, "requests"),
                (self.tokens, tokens, "tokens"),
            )
            if bucket is not None
        ]
        for bucket, _, _ in charges:
            bucket.refill(now)
        wait, kind = max(((b.wait_for(amount), k) for b, amount, k in charges), default=(0.0, ""))
        if wait == 0:
            for bucket, amount, _ in charges:
                bucket.level -= amount
        headers = _limit_headers(charges)
        if wait == 0:
            return Charge(headers)
        if math.isinf(wait):
            message = f"Request too large: {tokens} tokens, limit {self._tpm} per minute."
        else:
            message = f"Rate limit reached for {kind}. Please try again in {format_reset(wait)}."
            headers += [
                ("retry-after", str(math.ceil(wait))),
                ("retry-after-ms", f"{wait * 1000:.0f}"),
            ]
        return Charge(headers, message, kind)


def _limit_headers(charges: list[tuple[Bucket, int, str]]) -> Headers:
    headers = []
    for bucket, _, kind in charges:
        headers += [
            (f"x-ratelimit-limit-{kind}", str(int(bucket.capacity))),
            (f"x-ratelimit-remaining-{kind}", str(max(0, int(bucket.level)))),
            (f"x-ratelimit-reset-{kind}", format_reset(bucket.reset_in())),
        ]
    return headers
