"""Rate-shaped, retried calls: every article's requests share one provider budget.

:class:`ShapedChat` wraps the shared client for one article. Each call waits its turn at the
shared :class:`~summarizer.batch.limiter.RateLimiter` (RPM/TPM ceilings, pauses set by
``Retry-After`` and ``x-ratelimit-*`` headers), and 429s, 5xx answers, timeouts and dropped
connections are retried with jittered exponential backoff, up to ``max_attempts`` tries per
call. Retrying per call, not per article, means a 429 on a re-ask does not repeat the calls
before it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time

from summarizer.batch.limiter import Limiter, backoff_delay
from summarizer.errors import LLMError
from summarizer.llm import ChatModel, ChatRequest, ChatResponse

__all__ = ["ShapedChat", "Slot", "estimate_tokens"]

logger = logging.getLogger(__name__)

# Statuses a json_schema probe uses to say "not supported" (llm.structured_call falls back on
# them): passed straight through, never retried.
_PROBE_REJECTIONS = {400, 422, 500, 501}


class Slot:
    """One article's claim on the shared in-flight limit, taken at its first call and kept
    until its output line is written (so calls paid for but not yet written never exceed the
    limit), released by whoever created it."""

    def __init__(self, limit: asyncio.Semaphore | None) -> None:
        self._limit = limit
        self._held = False

    async def take(self) -> None:
        if self._limit is not None and not self._held:
            await self._limit.acquire()
            self._held = True

    def release(self) -> None:
        if self._limit is not None and self._held:
            self._held = False
            self._limit.release()


class ShapedChat:
    """One article's view of the shared client: rate-shaped, retried, counted.

    Args:
        inner: The shared transport (``OpenAIChat``, ``FakeLLM``...).
        limiter: The rate limiter every article shares.
        max_attempts: Tries per call, the first included.
        backoff_base: Seconds before the first retry of a 5xx/timeout (doubles, jittered).
        backoff_cap: The longest backoff.

    Attributes:
        calls: Requests sent for this article, retries included.
        waited: Seconds spent waiting on the model, the limiter and backoff.
    """

    def __init__(
        self,
        inner: ChatModel,
        limiter: Limiter,
        *,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        rng: random.Random | None = None,
        slot: Slot | None = None,
    ) -> None:
        self.inner = inner
        self.slot = slot or Slot(None)
        self.limiter = limiter
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rng = rng or random.Random()
        self.calls = 0
        self.waited = 0.0

    @property
    def supports_json_schema(self) -> bool | None:  # shared by every article: the client's
        return self.inner.supports_json_schema

    @supports_json_schema.setter
    def supports_json_schema(self, value: bool | None) -> None:
        self.inner.supports_json_schema = value

    async def complete(self, request: ChatRequest) -> ChatResponse:
        estimate = estimate_tokens(request)
        await self.slot.take()
        for retry in itertools.count():
            started = time.perf_counter()
            ticket = await self.limiter.acquire(estimate)
            self.calls += 1
            try:
                response = await self.inner.complete(request)
            except LLMError as exc:
                delay = self._retry_delay(exc, request, retry)
                self.waited += time.perf_counter() - started
                if delay is None:
                    raise
                logger.info("retrying in %.2fs after: %s", delay, exc)
                await asyncio.sleep(delay)
                self.waited += delay
                continue
            self.waited += time.perf_counter() - started
            self.limiter.learn(response.headers)  # pace to the provider's announced limits
            self.limiter.observe(200, response.headers)
            # Providers charge a request's max_tokens against TPM when it starts, so the
            # estimate stands unless the answer used more.
            self.limiter.settle(ticket, max(ticket.tokens, response.usage.total_tokens))
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_delay(self, exc: LLMError, request: ChatRequest, retry: int) -> float | None:
        """Seconds to wait before trying again, or None to give up."""
        if retry + 1 >= self.max_attempts:
            return None
        if request.probe and exc.status in _PROBE_REJECTIONS:
            return None  # structured_call reads this as "no json_schema here"
        if exc.status == 429:
            headers = {} if exc.retry_after is None else {"retry-after": str(exc.retry_after)}
            self.limiter.observe(429, headers)  # every caller pauses, not just this one
            if exc.retry_after is not None:
                return self.rng.uniform(0, 0.1) * exc.retry_after  # spread the restart
            return self._backoff(retry)
        transient = exc.status is not None and exc.status >= 500
        if transient or exc.reason in ("timeout", "connection"):
            return self._backoff(retry)
        return None

    def _backoff(self, retry: int) -> float:
        return backoff_delay(
            retry, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng.random
        )


def estimate_tokens(request: ChatRequest) -> int:
    """What a provider charges against TPM as a request starts: the prompt (4 characters a
    token, OpenAI's rule of thumb) plus the whole output allowance."""
    prompt = sum(len(m["content"]) // 4 + 4 for m in request.messages) + 3
    return prompt + request.max_tokens
