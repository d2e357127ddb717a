"""The HTTP seam under faults a real server will not produce on demand.

Every response here is SYNTHETIC: an httpx2.MockTransport answers in place of a server (429,
5xx, timeouts, dropped connections, malformed JSON, refusals, length stops), so the real openai
SDK and its retries run against responses we wrote. Exchanges with a real server are in
test_recorded.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.llm import OpenAIChat
from summarizer.pipeline.run import asummarize
from tests.conftest import LOCAL_MODEL

SHORT_ARTICLE = (
    "Oslo: The city council voted on Tuesday to close the harbour road to cars.\n\n"
    "“Clean air matters more than parking,” said council leader Marit Dahl.\n\n"
    "Shop owner Per Olsen was against it. “My customers will go elsewhere,” Olsen said."
)


def local_settings(**overrides: Any) -> Settings:
    """Settings for a stub endpoint; never contacted (the transport is a MockTransport)."""
    values: dict[str, Any] = {
        "base_url": "http://stub.invalid/v1",
        "api_key": "sk-local-no-key",
        "model": LOCAL_MODEL,
        "max_output_tokens": 1024,
    }
    values.update(overrides)
    return Settings(**values)


# ---- synthetic faults: an httpx2 MockTransport instead of a server -------------------------

Handler = Callable[[httpx2.Request], httpx2.Response]


def stub_chat(handler: Handler, **overrides: Any) -> tuple[OpenAIChat, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    settings = local_settings(base_url="http://stub.invalid/v1", **overrides)
    client = openai.AsyncOpenAI(
        api_key="sk-stub",
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(record)),
    )
    return OpenAIChat(settings, client=client), seen


def completion(content: str, finish_reason: str = "stop", **message: Any) -> httpx2.Response:
    body = {
        "id": "chatcmpl-synthetic",
        "object": "chat.completion",
        "created": 0,
        "model": LOCAL_MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, **message},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return httpx2.Response(200, json=body, headers={"x-request-id": "req-synthetic"})


VALID = json.dumps({"issue": "Close the road?", "summary": "A vote.", "positions": []})


def test_429_with_retry_after_maps_to_llm_error_after_sdk_retries() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            429,
            json={"error": {"message": "Rate limit reached", "type": "rate_limit"}},
            headers={"retry-after": "0", "x-request-id": "req-429"},
        )

    chat, seen = stub_chat(handler, output_mode="json_object", max_retries=2)
    with pytest.raises(LLMError) as info:
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    err = info.value
    assert (err.status, err.reason, err.request_id, err.retry_after) == (
        429, "rate_limit", "req-429", 0.0
    )  # fmt: skip
    assert "Rate limit reached" in str(err)
    assert len(seen) == 3  # the SDK's own two retries came first


def test_server_error_then_success_is_retried_by_the_sdk() -> None:
    answers = iter([httpx2.Response(503, json={"error": {"message": "busy"}}), completion(VALID)])
    chat, seen = stub_chat(lambda r: next(answers), output_mode="json_object")
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert result.issue == "Close the road?"
    assert len(seen) == 2


def test_timeout_maps_to_llm_error() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("synthetic timeout", request=request)

    chat, _ = stub_chat(handler, output_mode="json_object", max_retries=0)
    with pytest.raises(LLMError) as info:
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert info.value.reason == "timeout"


def test_connection_error_names_the_host() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("synthetic refusal", request=request)

    chat, _ = stub_chat(handler, output_mode="json_object", max_retries=0)
    with pytest.raises(LLMError, match=r"stub\.invalid: cannot connect") as info:
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert info.value.reason == "connection"


def test_malformed_json_is_reasked() -> None:
    answers = iter([completion('{"issue": "unterminated'), completion(VALID)])
    chat, seen = stub_chat(lambda r: next(answers), output_mode="json_object")
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert result.provenance.attempts == 2
    second = json.loads(seen[1].content)
    assert "not valid JSON" in second["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (completion('{"issue": "cut', finish_reason="length"), "length"),
        (completion("", finish_reason="content_filter"), "content_filter"),
        (completion("", refusal="I can't help with that."), "refusal"),
    ],
    ids=["length", "filter", "refusal"],
)
def test_stops_are_reported_never_parsed(response: httpx2.Response, reason: str) -> None:
    chat, _ = stub_chat(lambda r: response, output_mode="json_object")
    with pytest.raises(LLMError) as info:
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert info.value.reason == reason
    assert info.value.request_id == "req-synthetic"


def test_request_shape_for_each_mode() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        if bodies[-1]["response_format"]["type"] == "json_schema":
            return httpx2.Response(500, json={"error": {"message": "json_schema unsupported"}})
        return completion(VALID)

    chat, seen = stub_chat(handler, temperature=0.2)
    asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    strict, json_mode = bodies
    assert strict["response_format"]["json_schema"]["strict"] is True
    assert strict["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    assert json_mode["response_format"]["type"] == "json_object"
    assert "positions" in json_mode["response_format"]["schema"]["properties"]
    assert json_mode["temperature"] == 0.2
    assert json_mode["model"] == LOCAL_MODEL
    assert seen[0].headers["authorization"] == "Bearer sk-stub"
    assert len(seen) == 2  # the json_schema probe is not retried by the SDK
