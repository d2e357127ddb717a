"""A fake LLM for tests: yours and ours. No network, no key, deterministic.

```python
from summarizer import summarize
from summarizer.testing import FakeLLM

fake = FakeLLM([{"issue": "Q?", "summary": "S.", "positions": []}])
result = summarize("Article text.", client=fake)
assert fake.requests[0].messages[-1]["content"].endswith("</article>")
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from summarizer.errors import LLMError
from summarizer.llm import ChatRequest, ChatResponse
from summarizer.schema import Usage

__all__ = ["FakeLLM", "Reply", "echo_draft"]

Reply = str | dict[str, Any] | BaseModel | ChatResponse | Exception
"""A scripted reply: raw text, a JSON-able dict or model, a full ChatResponse, or an error
to raise (e.g. ``LLMError(..., status=429)``)."""


class FakeLLM:
    """A ChatModel that answers from a script instead of a server.

    Args:
        replies: Answers in order. When they run out, ``default`` answers.
        default: Builds an answer from a request; by default ``echo_draft``, a valid but
            content-free summary of the article.
        reject_json_schema: Answer json_schema requests with HTTP 500, as llama.cpp does.

    Attributes:
        requests: Every request received, in order, for assertions.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        default: Callable[[ChatRequest], Reply] | None = None,
        reject_json_schema: bool = False,
    ):
        self._replies = list(replies)
        self._default = default or echo_draft
        self.reject_json_schema = reject_json_schema
        self.supports_json_schema: bool | None = None
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        if self.reject_json_schema and request.mode == "json_schema":
            raise LLMError("HTTP 500 from the endpoint: json_schema not supported.", status=500)
        reply = self._replies.pop(0) if self._replies else self._default(request)
        return _as_response(reply, request)


def _as_response(reply: Reply, request: ChatRequest) -> ChatResponse:
    if isinstance(reply, Exception):
        raise reply
    if isinstance(reply, ChatResponse):
        return reply
    if isinstance(reply, BaseModel):
        content = reply.model_dump_json()
    elif isinstance(reply, dict):
        content = json.dumps(reply)
    else:
        content = reply
    prompt = sum(len(m["content"]) for m in request.messages) // 4
    return ChatResponse(
        content=content,
        finish_reason="stop",
        usage=Usage(prompt_tokens=prompt, completion_tokens=len(content) // 4),
        request_id="fake-request",
        model=request.model,
    )


_ARTICLE = re.compile(r"<article>\n?(.*?)\n?</article>", re.S)


def echo_draft(request: ChatRequest) -> dict[str, Any]:
    """A valid answer built from the article itself: its first line as the issue, its first
    sentence as the summary, and no positions. Content-free on purpose: tests of your own
    plumbing should not depend on what a model would say."""
    user = next((m["content"] for m in reversed(request.messages) if m["role"] == "user"), "")
    match = _ARTICLE.search(user)
    article = match.group(1).strip() if match else user
    first_line = article.splitlines()[0] if article else "the article"
    sentence = re.split(r"(?<=[.!?])\s", article, maxsplit=1)[0] if article else ""
    return {
        "issue": f"What is at stake in: {first_line[:80]}?",
        "summary": sentence[:300] or "No summary.",
        "positions": [],
    }
