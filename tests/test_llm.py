"""The HTTP seam under faults a real server will not produce on demand.

Every response here is SYNTHETIC: an httpx2.MockTransport answers in place of a server (429,
5xx, timeouts, dropped connections, malformed JSON, refusals, length stops), so the real openai
SDK and its retries run against responses we wrote. Exchanges with a real server are in
test_recorded.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.llm import OpenAIChat, StreamProgress, watch_streams
from summarizer.pipeline import asummarize
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
        response = handler(request)
        if json.loads(request.content).get("stream") and response.status_code == 200:
            return as_stream(response)
        return response

    settings = local_settings(base_url="http://stub.invalid/v1", **overrides)
    client = openai.AsyncOpenAI(
        api_key="sk-stub",
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(record)),
    )
    return OpenAIChat(settings, client=client), seen


def raw_chat(handler: Handler, **overrides: Any) -> OpenAIChat:
    """Like ``stub_chat``, but the handler's responses go out as they are: no stream is made
    of a JSON completion, for tests that shape the stream themselves."""
    settings = local_settings(**overrides)
    client = openai.AsyncOpenAI(
        api_key="sk-stub",
        base_url=settings.base_url,
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )
    return OpenAIChat(settings, client=client)


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


def as_stream(response: httpx2.Response, *, usage: bool = True) -> httpx2.Response:
    """A JSON completion as the server-sent events a streaming endpoint sends: one chunk per
    word of the content, the finish, then the usage (what stream_options asks for)."""
    body = json.loads(response.content)
    (choice,) = body["choices"]
    message = choice["message"]
    head = {
        "id": body["id"],
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body["model"],
    }
    words = re.findall(r"\S+\s*", message.get("content") or "") or [message.get("content")]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": w} for w in words]
    if message.get("refusal"):
        deltas.append({"refusal": message["refusal"]})
    events = [
        {**head, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
    ]
    events.append(
        {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]}
    )
    if usage:
        events.append({**head, "choices": [], "usage": body["usage"]})
    sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    headers = {
        "x-request-id": response.headers["x-request-id"],
        "content-type": "text/event-stream",
    }
    return httpx2.Response(200, content=sse.encode(), headers=headers)


VALID = json.dumps(
    {
        "issue": "Close the road?",
        "summary": "A vote.",
        "positions": [
            {
                "actor": actor,
                "kind": "person",
                "role": "",
                "evidence": [quote],
                "stance": stance,
                "position": "A view.",
                "new_quotes": [],
            }
            for actor, quote, stance in (("A1", "Q1", "supports"), ("A2", "Q2", "opposes"))
        ],
    }
)


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


# ---- streaming and the endpoint memory -------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_streamed_and_whole_answers_give_the_same_result(stream: bool) -> None:
    chat, seen = stub_chat(lambda r: completion(VALID), output_mode="json_object", stream=stream)
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    body = json.loads(seen[0].content)
    assert body.get("stream", False) is stream
    assert [p.actor for p in result.positions] == ["Marit Dahl", "Per Olsen"]
    assert (result.provenance.usage.prompt_tokens, result.provenance.usage.completion_tokens) == (
        10,
        5,
    )


def test_a_watcher_sees_the_stream_arrive() -> None:
    seen_progress: list[StreamProgress] = []
    chat, _ = stub_chat(lambda r: completion(VALID), output_mode="json_object")
    with watch_streams(seen_progress.append):
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert len(seen_progress) > 3
    chunks = [p.chunks for p in seen_progress]
    assert chunks == sorted(chunks)
    assert seen_progress[-1].done
    assert seen_progress[-1].model == LOCAL_MODEL


def test_the_timeout_of_a_stream_says_it_bounds_the_silence() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("synthetic timeout", request=request)

    chat, _ = stub_chat(handler, output_mode="json_object", max_retries=0, timeout=7)
    with pytest.raises(LLMError, match="no answer for 7s between two parts of a streamed answer"):
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))


def test_json_schema_rejection_is_remembered_across_processes(tmp_path: Path) -> None:
    memory = tmp_path / "endpoints.json"
    modes: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        modes.append(json.loads(request.content)["response_format"]["type"])
        if modes[-1] == "json_schema":
            return httpx2.Response(500, json={"error": {"message": "json_schema unsupported"}})
        return completion(VALID)

    first, _ = stub_chat(handler, endpoint_memory=memory)
    asyncio.run(asummarize(SHORT_ARTICLE, settings=first.settings, client=first))
    assert modes == ["json_schema", "json_object"]
    assert json.loads(memory.read_text()) == {
        f"stub.invalid/v1|{LOCAL_MODEL}": {"json_schema": False}
    }

    # a new client, as in the next CLI run: no probe
    second, _ = stub_chat(handler, endpoint_memory=memory)
    assert second.supports_json_schema is False
    asyncio.run(asummarize(SHORT_ARTICLE, settings=second.settings, client=second))
    assert modes == ["json_schema", "json_object", "json_object"]

    # another model on the same server is probed afresh
    other, _ = stub_chat(handler, endpoint_memory=memory, model="other-model")
    assert other.supports_json_schema is None


def test_a_damaged_memory_file_costs_one_probe_not_an_error(tmp_path: Path) -> None:
    memory = tmp_path / "endpoints.json"
    memory.write_text("{not json")
    chat, _ = stub_chat(lambda r: completion(VALID), endpoint_memory=memory)
    assert chat.supports_json_schema is None
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert result.provenance.output_mode == "json_schema"
    assert json.loads(memory.read_text())[f"stub.invalid/v1|{LOCAL_MODEL}"] == {"json_schema": True}


def test_a_stream_without_usage_is_counted_by_the_tool() -> None:
    # llama-cpp-python's server ignores stream_options.include_usage (seen in a recording)
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return as_stream(completion(VALID), usage=False)

    chat = raw_chat(handler, output_mode="json_object")
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    usage = result.provenance.usage
    assert usage.prompt_tokens > 100  # the rendered prompt, counted with tiktoken
    assert usage.completion_tokens == len(re.findall(r"\S+\s*", VALID))  # one per chunk


def cut_stream(response: httpx2.Response) -> httpx2.Response:
    """A stream the server closed before its finish (synthetic: llama-cpp-python's server does
    this to a stream when another request arrives, its interrupt_requests default)."""
    full = as_stream(response).content.decode()
    events = [e for e in full.split("\n\n") if e and '"finish_reason": null' in e]
    body = "\n\n".join(events[:3]) + "\n\n"
    return httpx2.Response(
        200, content=body.encode(), headers={"content-type": "text/event-stream"}
    )


def test_a_cut_stream_is_asked_again_and_streams_go_one_at_a_time(tmp_path: Path) -> None:
    memory = tmp_path / "endpoints.json"
    answers = iter([cut_stream(completion(VALID)), as_stream(completion(VALID))])
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return next(answers)

    chat = raw_chat(handler, output_mode="json_object", endpoint_memory=memory)
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert len(seen) == 2
    assert [p.actor for p in result.positions] == ["Marit Dahl", "Per Olsen"]
    assert json.loads(memory.read_text())[f"stub.invalid/v1|{LOCAL_MODEL}"] == {
        "serial_streams": True
    }
    # the next run starts one stream at a time
    assert OpenAIChat(chat.settings)._one_stream_at_a_time


def test_a_stream_cut_twice_is_an_error_not_a_loop() -> None:
    chat = raw_chat(lambda r: cut_stream(completion(VALID)), output_mode="json_object")
    with pytest.raises(LLMError, match="cut the answer off twice") as info:
        asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert info.value.reason == "stream_cut"  # one article's failure, not the run's


class _BrokenBody(httpx2.AsyncByteStream):
    """A 200 whose body breaks off before the first chunk (synthetic: what llama-cpp-python
    did to a stream while it was still reading that request's prompt)."""

    async def __aiter__(self) -> Any:
        raise httpx2.RemoteProtocolError("peer closed connection (synthetic)")
        yield b""  # pragma: no cover - makes this an async generator


def test_a_stream_broken_before_its_first_chunk_is_a_cut_not_a_dead_server() -> None:
    answers = iter(
        [
            httpx2.Response(
                200, stream=_BrokenBody(), headers={"content-type": "text/event-stream"}
            ),
            as_stream(completion(VALID)),
        ]
    )
    chat = raw_chat(lambda r: next(answers), output_mode="json_object")
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert [p.actor for p in result.positions] == ["Marit Dahl", "Per Olsen"]
    assert chat._one_stream_at_a_time


def test_a_body_broken_while_the_response_is_read_whole_is_a_cut_too() -> None:
    # A transport that reads the whole body before handing it over (a recorder, a proxy)
    # sees the break while sending; a refused connection is still a connection error.
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx2.RemoteProtocolError("incomplete chunked read (synthetic)")
        return completion(VALID)

    chat, _ = stub_chat(handler, output_mode="json_object", max_retries=0)
    result = asyncio.run(asummarize(SHORT_ARTICLE, settings=chat.settings, client=chat))
    assert calls == 2
    assert len(result.positions) == 2
    assert chat._one_stream_at_a_time
