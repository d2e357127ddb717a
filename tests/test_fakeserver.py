"""The fake server, driven by the real openai SDK. Every fault exercised here is synthetic.

pytest runs with ``--block-network``, and pytest-recording's guard blocks 127.0.0.1 too unless
it is allowed, so this module allows exactly the loopback address it serves on.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import openai
import pytest
from openai import AsyncOpenAI
from pydantic import ValidationError

from summarizer.batch.limiter import RateLimiter, parse_reset
from summarizer.config import Settings
from summarizer.pipeline import prepare
from summarizer.schema import Draft
from summarizer.testing.fakeserver import FakeServer, Fault, build_draft, format_reset

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "Leaders met in Paris on Monday to discuss troops for Ukraine. "
    "Some offered forces; others said it was too early.\n\n"
    "\u201cWe are prepared to send forces if there is a lasting peace,\u201d Keir Starmer said. "
    'Olaf Scholz said "the debate is completely premature while the war goes on".'
)
MESSAGES: list[Any] = [
    {"role": "system", "content": "Summarise the positions in the article."},
    {"role": "user", "content": f"Article:\n<article>\n{ARTICLE}\n</article>"},
]


@asynccontextmanager
async def serving(**config: Any) -> AsyncIterator[tuple[FakeServer, AsyncOpenAI]]:
    """A fake server and an SDK client that does not retry unless told to."""
    retries = config.pop("max_retries", 0)
    timeout = config.pop("timeout", 10.0)
    async with FakeServer(**config) as server:
        client = AsyncOpenAI(
            base_url=server.base_url, api_key="fake-key", max_retries=retries, timeout=timeout
        )
        async with client:
            yield server, client


async def complete(client: AsyncOpenAI, **extra: Any) -> Any:
    return await client.chat.completions.create(model="fake-model", messages=MESSAGES, **extra)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


async def test_completion_parses_as_draft() -> None:
    async with serving() as (_, client):
        raw = await client.chat.completions.with_raw_response.create(
            model="fake-model", messages=MESSAGES, response_format={"type": "json_object"}
        )
    completion = raw.parse()
    draft = Draft.model_validate_json(completion.choices[0].message.content or "")
    assert raw.headers["x-request-id"].startswith("req_")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "fake-model"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > len(ARTICLE) // 5
    assert completion.usage.completion_tokens > 0
    assert draft.positions == []  # the prompt lists no evidence to cite
    assert draft.issue.endswith("?")


def test_the_draft_cites_the_evidence_the_prompt_lists() -> None:
    prompt = prepare(ARTICLE, settings=Settings(model="fake-model")).messages[-1]["content"]
    draft = Draft.model_validate(build_draft(ARTICLE, prompt=prompt))
    assert [(p.actor, p.evidence) for p in draft.positions] == [
        ("Keir Starmer", ["Q1"]),
        ("Olaf Scholz", ["Q2", "S1"]),
    ]


def test_draft_is_deterministic_and_valid_without_quotes() -> None:
    assert build_draft(ARTICLE) == build_draft(ARTICLE)
    draft = Draft.model_validate(build_draft("No quotes here. Just facts."))
    assert draft.positions == []


async def test_rate_limit_answers_429_with_retry_after_and_headers() -> None:
    async with serving(rpm=2) as (server, client):
        first = await client.chat.completions.with_raw_response.create(
            model="fake-model", messages=MESSAGES
        )
        await complete(client)
        with pytest.raises(openai.RateLimitError) as refused:
            await complete(client)
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    headers = refused.value.response.headers
    assert 0 < float(headers["retry-after"]) <= 30
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert parse_reset(headers["x-ratelimit-reset-requests"]) == pytest.approx(60, abs=1)
    assert RateLimiter().observe(429, headers) > 0
    assert server.stats.by_outcome == {"ok": 2, "rate_limited": 1}


async def test_token_limit_counts_max_tokens() -> None:
    async with serving(tpm=3000) as (_, client):
        await complete(client, max_tokens=1000)
        with pytest.raises(openai.RateLimitError) as refused:
            await complete(client, max_tokens=2000)
    assert "tokens" in str(refused.value)
    assert refused.value.response.headers["x-ratelimit-limit-tokens"] == "3000"


async def test_sdk_waits_out_retry_after_and_succeeds() -> None:
    async with serving(fault_at={1: Fault.RATE_LIMITED}, max_retries=1) as (server, client):
        await complete(client)
    assert server.stats.by_outcome == {"rate_limited": 1, "ok": 1}


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.SERVER_ERROR, openai.InternalServerError), (Fault.UNAVAILABLE, openai.APIStatusError)],
    ids=["500", "503"],
)
async def test_injected_server_errors(fault: Fault, error: type[Exception]) -> None:
    async with serving(fault_at={1: fault}) as (server, client):
        with pytest.raises(error) as failed:
            await complete(client)
        await complete(client)  # the next request is fine
    assert getattr(failed.value, "status_code", None) == (500 if fault == "server_error" else 503)
    assert server.stats.by_outcome == {fault.value: 1, "ok": 1}


async def test_malformed_json_content() -> None:
    async with serving(fault_at={1: Fault.MALFORMED}) as (_, client):
        completion = await complete(client)
    assert completion.choices[0].finish_reason == "stop"
    with pytest.raises(ValidationError):
        Draft.model_validate_json(completion.choices[0].message.content)


async def test_length_stop_and_refusal() -> None:
    faults = {1: Fault.LENGTH, 2: Fault.REFUSAL}
    async with serving(fault_at=faults) as (_, client):
        cut = await complete(client, max_tokens=50)
        refused = await complete(client)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == 50
    assert refused.choices[0].message.content is None
    assert "synthetic" in refused.choices[0].message.refusal


async def test_dropped_connection() -> None:
    async with serving(fault_at={1: Fault.DROPPED}) as (server, client):
        with pytest.raises(openai.APIConnectionError):
            await complete(client)
        await complete(client)
    assert server.stats.by_outcome == {"dropped": 1, "ok": 1}


async def test_timeout_hangs_past_the_client_timeout() -> None:
    async with serving(fault_at={1: Fault.TIMEOUT}, timeout=0.3) as (server, client):
        with pytest.raises(openai.APITimeoutError):
            await complete(client)
    assert server.stats.by_outcome == {"timeout": 1}


async def test_rejects_json_schema_like_llama_cpp() -> None:
    schema = {"name": "draft", "schema": Draft.model_json_schema(), "strict": True}
    async with serving(reject_json_schema=True) as (server, client):
        with pytest.raises(openai.InternalServerError):
            await complete(client, response_format={"type": "json_schema", "json_schema": schema})
        await complete(client, response_format={"type": "json_object"})
    assert server.stats.by_outcome == {"json_schema_rejected": 1, "ok": 1}


async def test_fault_rates() -> None:
    async with serving(fault_rates={Fault.SERVER_ERROR: 1.0}) as (_, client):
        for _ in range(3):
            with pytest.raises(openai.InternalServerError):
                await complete(client)


async def test_latency_is_applied() -> None:
    async with serving(latency=0.2) as (_, client):
        loop = asyncio.get_running_loop()
        start = loop.time()
        await complete(client)
    assert loop.time() - start >= 0.2


async def test_stats_count_every_request_over_keep_alive() -> None:
    async with serving(fault_at={2: Fault.SERVER_ERROR}) as (server, client):
        await complete(client)
        with pytest.raises(openai.InternalServerError):
            await complete(client)
        await complete(client)
        await complete(client)
        over_http = await asyncio.to_thread(get_json, f"{server.url}/stats")
        stats = server.stats
    assert stats.total == 4
    assert stats.by_outcome == {"ok": 3, "server_error": 1}
    assert stats.connections == 2  # the SDK's one keep-alive connection, then urllib's
    assert stats.prompt_tokens > 0
    assert over_http == stats.to_dict()


def test_sync_context_manager_and_reset() -> None:
    with FakeServer() as server:
        request = urllib.request.Request(
            f"{server.base_url}/chat/completions",
            data=json.dumps({"model": "m", "messages": MESSAGES}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        Draft.model_validate_json(body["choices"][0]["message"]["content"])
        assert server.stats.total == 1
        server.reset_stats()
        assert server.stats.total == 0


def test_bad_request_is_a_400_and_counted() -> None:
    with FakeServer() as server:
        request = urllib.request.Request(f"{server.base_url}/chat/completions", data=b"{oops")
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=60)
        failed.value.close()
        assert failed.value.code == 400
        assert server.stats.by_outcome == {"bad_request": 1}


def test_runs_as_a_module_on_a_free_port() -> None:
    command = [sys.executable, "-m", "summarizer.testing.fakeserver", "--port", "0", "--rpm", "60"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert get_json(base_url.removesuffix("/v1") + "/stats")["total"] == 0
        assert get_json(f"{base_url}/models")["data"][0]["id"] == "fake-model"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.02, "20ms"), (0.0004, "1ms"), (1.0, "1s"), (17.28, "17.28s"), (360.0, "6m0s"),
     (3723.0, "1h2m3s")],
    ids=["ms", "sub-ms", "s", "fraction", "minutes", "hours"],
)  # fmt: skip
def test_format_reset_reads_back(seconds: float, text: str) -> None:
    assert format_reset(seconds) == text
    assert parse_reset(text) == pytest.approx(max(seconds, 0.001))
