"""RateLimiter, reset and Retry-After parsing, backoff: all on a fake clock, no real waiting."""

from __future__ import annotations

import asyncio

import pytest

from summarizer.batch.limiter import (
    RateLimiter,
    backoff_delay,
    parse_reset,
    parse_retry_after,
)


class FakeClock:
    """Virtual time: ``sleep`` moves the clock forward instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def limiter(clock: FakeClock, **kwargs: float) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, **kwargs)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("20ms", 0.02),
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("17.28s", 17.28),
        ("2m59.56s", 179.56),
        ("1h2m3s", 3723.0),
        ("0s", 0.0),
        ("7", 7.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("5x", None),
        ("1s junk", None),
    ],
    ids=lambda v: repr(v),
)
def test_parse_reset(value: str | None, seconds: float | None) -> None:
    expected = pytest.approx(seconds) if seconds is not None else None
    assert parse_reset(value) == expected


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0),
        ({"retry-after": "later"}, None),
        ({"retry-after": "-1"}, None),
        ({}, None),
    ],
    ids=["seconds", "fraction", "ms-wins", "http-date", "garbage", "negative", "absent"],
)
def test_parse_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    now = 1445412480.0  # 2015-10-21 07:28:00 GMT
    result = parse_retry_after(headers, now=now)
    assert result == (pytest.approx(seconds) if seconds is not None else None)


async def test_rpm_paces_requests_evenly(clock: FakeClock) -> None:
    rate = limiter(clock, rpm=120, burst=0)  # one request every 0.5 s, no burst
    start = clock.now
    granted = []
    for _ in range(5):
        await rate.acquire()
        granted.append(clock.now - start)
    assert granted == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])


async def test_burst_lets_that_many_go_at_once(clock: FakeClock) -> None:
    rate = limiter(clock, rpm=60, burst=3)  # 3 requests at once, then one per second
    start = clock.now
    for _ in range(4):
        await rate.acquire()
    assert clock.now - start == pytest.approx(1.0)


async def test_default_burst_is_one_seconds_worth(clock: FakeClock) -> None:
    rate = limiter(clock, rpm=120)
    start = clock.now
    await asyncio.gather(*(rate.acquire() for _ in range(3)))
    assert clock.now - start == pytest.approx(0.5)


async def test_throughput_matches_the_ceiling(clock: FakeClock) -> None:
    rate = limiter(clock, rpm=600, burst=0)
    start = clock.now
    await asyncio.gather(*(rate.acquire() for _ in range(601)))
    assert clock.now - start == pytest.approx(60.0)


async def test_tpm_waits_for_tokens(clock: FakeClock) -> None:
    rate = limiter(clock, tpm=6000)  # 100 tokens per second, burst 100
    start = clock.now
    await rate.acquire(tokens=100)
    await rate.acquire(tokens=100)
    assert clock.now - start == pytest.approx(1.0)


async def test_oversized_request_waits_for_a_full_budget_then_goes(clock: FakeClock) -> None:
    rate = limiter(clock, tpm=6000)  # burst of 100 tokens
    await rate.acquire(tokens=50)
    start = clock.now
    await rate.acquire(tokens=1000)  # larger than the burst: must not wait forever
    assert clock.now - start == pytest.approx(0.5)
    start = clock.now
    await rate.acquire(tokens=1)  # the debt (10 s of tokens, less the 1 s burst) comes first
    assert clock.now - start == pytest.approx(9.01)


async def test_settle_refunds_an_overestimate(clock: FakeClock) -> None:
    rate = limiter(clock, tpm=6000)
    ticket = await rate.acquire(tokens=100)
    rate.settle(ticket, actual_tokens=0)
    start = clock.now
    await rate.acquire(tokens=100)
    assert clock.now == start


async def test_settle_charges_an_underestimate(clock: FakeClock) -> None:
    rate = limiter(clock, tpm=6000)
    ticket = await rate.acquire(tokens=10)
    rate.settle(ticket, actual_tokens=210)
    start = clock.now
    await rate.acquire(tokens=10)
    assert clock.now - start == pytest.approx(1.2)


async def test_429_with_retry_after_pauses_everyone(clock: FakeClock) -> None:
    rate = limiter(clock)
    assert rate.observe(429, {"Retry-After": "2"}) == 2.0
    assert rate.paused_for == 2.0
    start = clock.now
    await asyncio.gather(rate.acquire(), rate.acquire(), rate.acquire())
    assert clock.now - start == pytest.approx(2.0)


async def test_429_without_retry_after_uses_the_reset_headers(clock: FakeClock) -> None:
    rate = limiter(clock)
    headers = {"x-ratelimit-reset-requests": "20ms", "x-ratelimit-reset-tokens": "6m0s"}
    assert rate.observe(429, headers) == 360.0


def test_429_with_nothing_to_go_on_pauses_one_second(clock: FakeClock) -> None:
    assert limiter(clock).observe(429, {}) == 1.0


@pytest.mark.parametrize(
    ("headers", "pause"),
    [
        ({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}, 1.0),
        ({"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "20ms"}, 0.02),
        ({"x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "1s"}, 0.0),
        ({"x-ratelimit-remaining-tokens": "0"}, 0.0),
    ],
    ids=["requests-exhausted", "tokens-exhausted", "budget-left", "no-reset"],
)
def test_remaining_zero_pauses_until_reset(
    clock: FakeClock, headers: dict[str, str], pause: float
) -> None:
    rate = limiter(clock)
    assert rate.observe(200, headers) == pytest.approx(pause)
    assert rate.paused_for == pytest.approx(pause)


def test_a_shorter_pause_does_not_cut_a_longer_one(clock: FakeClock) -> None:
    rate = limiter(clock)
    rate.pause(10)
    rate.observe(429, {"retry-after": "1"})
    assert rate.paused_for == 10


async def test_waiters_are_granted_in_arrival_order(clock: FakeClock) -> None:
    rate = limiter(clock, tpm=6000)
    order: list[int] = []

    async def request(n: int, tokens: int) -> None:
        await rate.acquire(tokens=tokens)
        order.append(n)

    await asyncio.gather(request(1, 100), request(2, 500), request(3, 1), request(4, 1))
    assert order == [1, 2, 3, 4]


def test_rejects_non_positive_ceilings() -> None:
    with pytest.raises(ValueError, match="rpm must be positive"):
        RateLimiter(rpm=0)


@pytest.mark.parametrize(
    ("attempt", "draw", "delay"),
    [(0, 0.0, 1.0), (0, 1.0, 0.5), (3, 0.0, 8.0), (3, 0.5, 6.0), (10, 0.0, 60.0)],
    ids=["first-max", "first-min", "fourth-max", "fourth-mid", "capped"],
)
def test_backoff_delay(attempt: int, draw: float, delay: float) -> None:
    assert backoff_delay(attempt, rng=lambda: draw) == pytest.approx(delay)


def test_full_jitter_can_reach_zero() -> None:
    assert backoff_delay(2, jitter=1.0, rng=lambda: 1.0) == 0.0


def test_an_exhausted_request_budget_pauses_for_one_request_not_a_full_reset(
    clock: FakeClock,
) -> None:
    headers = {
        "x-ratelimit-limit-requests": "120",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1m0s",
    }
    assert limiter(clock).observe(200, headers) == pytest.approx(0.5)


async def test_learn_adopts_the_providers_limits_when_none_were_set(clock: FakeClock) -> None:
    rate = limiter(clock)
    rate.learn({"x-ratelimit-limit-requests": "60", "x-ratelimit-limit-tokens": "100000"})
    start = clock.now
    for _ in range(60):
        await rate.acquire()
    assert clock.now == start  # the provider's budget allows a minute's worth at once
    rate.observe(429, {"retry-after": "0"})  # ...and once it refuses, the budget is spent
    for _ in range(3):
        await rate.acquire()
    assert clock.now - start == pytest.approx(2.0, abs=1.01)  # paced at one a second


def test_learn_keeps_ceilings_that_were_set(clock: FakeClock) -> None:
    rate = limiter(clock, rpm=6000)
    rate.learn({"x-ratelimit-limit-requests": "60"})
    assert rate._requests is not None
    assert rate._requests.interval == pytest.approx(0.01)
