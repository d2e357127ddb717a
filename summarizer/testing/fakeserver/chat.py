"""``POST /v1/chat/completions``: rate limits, injected faults, delay, and the completion."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from summarizer.testing.fakeserver.answers import (
    article_text,
    draft_json,
    estimate_tokens,
    message_text,
)
from summarizer.testing.fakeserver.config import FakeServerConfig, Fault
from summarizer.testing.fakeserver.http import Answer, Drop, error
from summarizer.testing.fakeserver.limits import RateLimits
from summarizer.testing.fakeserver.stats import Tally


class Chat:
    """Answers chat requests; ``next_id`` is shared with the server's request ids."""

    def __init__(self, config: FakeServerConfig, tally: Tally, next_id: Callable[[], str]) -> None:
        self.config = config
        self.limits = RateLimits(config.rpm, config.tpm)
        self._tally = tally
        self._next_id = next_id
        self._rng = random.Random(config.seed)
        self._numbers = itertools.count(1)  # what fault_at refers to

    async def answer(self, raw: bytes, reader: asyncio.StreamReader) -> Answer:
        number = next(self._numbers)
        try:
            request = json.loads(raw)
            messages = request["messages"]
            prompt = sum(estimate_tokens(message_text(m)) + 4 for m in messages) + 3
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._tally.count("bad_request")
            return error(400, f"Invalid chat request: {exc!r}.", "invalid_request_error")
        if request.get("stream"):
            self._tally.count("bad_request")
            return error(400, "The fake server does not stream.", "invalid_request_error")
        content = draft_json(article_text(messages))
        max_tokens = request.get("max_completion_tokens") or request.get("max_tokens")
        charge = self.limits.charge(prompt + (max_tokens or estimate_tokens(content)))
        if charge.refusal is not None:
            self._tally.count(Fault.RATE_LIMITED)
            body = error(429, charge.refusal, charge.kind, "rate_limit_exceeded").body
            return Answer(429, body, charge.headers)
        fault = self._pick_fault(number)
        if fault == Fault.RATE_LIMITED:
            self._tally.count(fault)
            return error(429, "Synthetic rate limit.", "requests", "rate_limit_exceeded")
        if self.config.reject_json_schema and _wants_json_schema(request):
            self._tally.count("json_schema_rejected")
            return error(500, "JSON schema conversion failed (synthetic).", "server_error")
        await self._delay()
        answer = await self._fault_answer(fault, reader) if fault else None
        if answer is None:
            answer = self._completion(request, content, fault, prompt, max_tokens)
        answer.headers.extend(charge.headers)
        return answer

    def _pick_fault(self, number: int) -> Fault | None:
        if number in self.config.fault_at:
            return self.config.fault_at[number]
        draw = self._rng.random()
        for fault, rate in self.config.fault_rates.items():
            if draw < rate:
                return fault
            draw -= rate
        return None

    async def _delay(self) -> None:
        delay = self.config.latency + self._rng.uniform(0, self.config.jitter)
        if delay > 0:
            await asyncio.sleep(delay)

    async def _fault_answer(self, fault: Fault, reader: asyncio.StreamReader) -> Answer | None:
        """The answer for a fault that is not a completion; ``None`` for those that are."""
        if fault in _CLIENT_ERRORS:
            self._tally.count(fault)
            return error(*_CLIENT_ERRORS[fault])
        if fault == Fault.SERVER_ERROR:
            self._tally.count(fault)
            return error(500, "Synthetic internal server error.", "server_error")
        if fault == Fault.UNAVAILABLE:
            self._tally.count(fault)
            return error(503, "Synthetic overload; try again later.", "server_error")
        if fault == Fault.DROPPED:
            self._tally.count(fault)
            raise Drop
        if fault == Fault.TIMEOUT:
            self._tally.count(fault)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    reader.read(1), self.config.hang
                )  # ends when client hangs up
            raise Drop
        return None

    def _completion(
        self,
        request: Mapping[str, Any],
        content: str,
        fault: Fault | None,
        prompt: int,
        max_tokens: int | None,
    ) -> Answer:
        finish = "length" if fault == Fault.LENGTH else "stop"
        text: str | None = content
        refusal = None
        if fault in (Fault.MALFORMED, Fault.LENGTH):
            text = content[: len(content) // 2]
        elif fault == Fault.REFUSAL:
            text, refusal = None, "I'm sorry, but I can't help with that request. (synthetic)"
        completion = estimate_tokens(text or refusal or "")
        if fault == Fault.LENGTH and max_tokens:
            completion = max_tokens
        self._tally.count(fault or "ok", prompt, completion)
        message = {"role": "assistant", "content": text, "refusal": refusal}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        body = {
            "id": f"chatcmpl-{self._next_id()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.config.model,
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
            "system_fingerprint": "fp_fakeserver",
        }
        return Answer(200, body)


# The request errors OpenAI answers with, worded like its own (all synthetic here).
_CLIENT_ERRORS: dict[Fault, tuple[int, str, str, str, str | None]] = {
    Fault.UNAUTHORIZED: (
        401, "Incorrect API key provided (synthetic).", "invalid_request_error",
        "invalid_api_key", None,
    ),
    Fault.FORBIDDEN: (
        403, "Your project does not have access to this model (synthetic).",
        "invalid_request_error", "model_not_found", None,
    ),
    Fault.MODEL_NOT_FOUND: (
        404, "The model does not exist or you do not have access to it (synthetic).",
        "invalid_request_error", "model_not_found", None,
    ),
    Fault.BAD_SETTING: (
        400, "max_tokens is too large: this model supports at most 4096 (synthetic).",
        "invalid_request_error", "invalid_value", "max_tokens",
    ),
    Fault.TOO_LONG: (
        400, "This model's maximum context length is 8192 tokens (synthetic).",
        "invalid_request_error", "context_length_exceeded", "messages",
    ),
}  # fmt: skip


def _wants_json_schema(request: Mapping[str, Any]) -> bool:
    response_format = request.get("response_format")
    return isinstance(response_format, dict) and response_format.get("type") == "json_schema"
