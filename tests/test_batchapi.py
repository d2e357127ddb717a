"""The Batch API path against a local stub: request files, the HTTP exchanges, collect.

There is no OpenAI access here. ``tests/batchstub.py`` is a synthetic stub on 127.0.0.1
whose requests and responses follow the OpenAI API reference (``POST /v1/files`` with
purpose ``batch``, ``POST /v1/batches``, ``GET /v1/batches/{id}``, ``GET /v1/batches``,
``GET /v1/files/{id}/content``, and the output/error line formats); the real openai SDK
talks to it. Every fault here (missing results, 500s, invalid content, refusals, length
stops) is injected on purpose; none was observed from OpenAI. The vLLM ``run_batch`` output
file is generated here in that tool's documented line format.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx2 as httpx
import openai
import pytest
from click.testing import CliRunner

from summarizer.batch.batchapi.files import RequestWriter, request_line
from summarizer.batch.batchapi.job import (
    BatchJob,
    collect,
    run,
    state_path,
    status,
    submit,
    write_requests,
)
from summarizer.batch.progress import RunTotals
from summarizer.batch.runner import run_batch
from summarizer.cli import cli
from summarizer.config import Settings
from summarizer.errors import ConfigError, LLMError
from summarizer.llm import BatchEndpoint, ChatRequest, Mode, OpenAIBatches, OpenAIChat
from summarizer.pipeline import prepare
from summarizer.testing import FakeLLM
from summarizer.testing.fakeserver import FakeServer, Fault
from tests.batchstub import BatchStub, StubConfig, forward_to

T = TypeVar("T")
QUOTE = "“We will not sign this budget until the hospitals are funded,” Maria Lopez said."


def story(n: int) -> dict[str, Any]:
    return {
        "id": f"a{n}",
        "title": f"Story {n}",
        "text": f"Council vote number {n} was delayed on Monday. {QUOTE} "
        f"“The plan for item {n} is ready and we support it,” said Tom Berg.",
    }


ROWS: list[Any] = [
    story(1),
    story(2),
    "{not json",
    story(4),
    {"id": "a5", "text": ""},
    story(6),
    story(7),
    story(8),
    {**story(9), "id": "a1"},  # a repeated id: its custom_id becomes a1#9
]


def write_archive(path: Path, rows: list[Any] = ROWS) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_record(path: Path) -> dict[int, dict[str, Any]]:
    """Output lines by record number, without what differs between any two runs."""
    rows = {}
    for row in read_lines(path):
        if "provenance" in row:  # a result line: the result itself, keyed by id and record
            row["provenance"].pop("latency_s")
            row["provenance"].pop("created_at")
        rows[row["record"]] = row
    return rows


def settings(base_url: str, **changes: Any) -> Settings:
    base = Settings(
        base_url=base_url,
        api_key="sk-test",
        model="fake-model",
        output_mode="json_schema",
        concurrency=1,
        max_attempts=1,
    )
    return base.model_copy(update=changes)


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


def api_for(stub: BatchStub) -> BatchEndpoint:
    return OpenAIBatches(Settings(base_url=stub.base_url, api_key="sk-test", max_retries=0))


def with_api(stub: BatchStub, step: Callable[[BatchEndpoint], Awaitable[T]]) -> T:
    """Run one step against the stub with a fresh SDK client, closed afterwards."""

    async def go() -> T:
        api = api_for(stub)
        try:
            return await step(api)
        finally:
            await api.aclose()

    return asyncio.run(go())


def run_job(stub: BatchStub, archive: Path, output: Path, **options: Any) -> RunTotals:
    """``batchjob.run`` against the stub, polling fast; closes the clients it was given."""

    async def step(api: BatchEndpoint) -> RunTotals:
        client = options.get("client")
        try:
            return await run(archive, output, api=api, interval=0.01, **options)
        finally:
            if isinstance(client, OpenAIChat):
                await client.aclose()

    return with_api(stub, step)


# ---- request files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "base_url"),
    [
        ({"output_mode": "json_schema"}, None),
        ({"output_mode": "json_object"}, None),
        ({"output_mode": "json_object"}, "http://127.0.0.1:9/v1"),
    ],
    ids=["json_schema", "json_object-openai", "json_object-local"],
)
def test_a_request_line_carries_the_body_an_online_call_sends(
    changes: dict[str, Any], base_url: str | None
) -> None:
    run_settings = Settings(api_key="sk-test", base_url=base_url, **changes)
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(500, json={"error": {"message": "stop here"}})

    sdk = openai.AsyncOpenAI(
        api_key="sk-test",
        base_url=base_url,
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    prepared = prepare(story(1)["text"], settings=run_settings)
    mode: Mode = "json_object" if changes["output_mode"] == "json_object" else "json_schema"
    line = json.loads(request_line("a1", prepared, run_settings, mode))
    request = ChatRequest(
        messages=prepared.messages_for(mode == "json_object"),
        model=run_settings.model,
        mode=mode,
        schema=prepared.answer_schema(mode),
        schema_name="Draft",
        max_tokens=run_settings.max_output_tokens,
        temperature=run_settings.temperature,
    )
    with pytest.raises(Exception, match="stop here"):
        asyncio.run(_complete_and_close(OpenAIChat(run_settings, client=sdk), sdk, request))
    assert line["custom_id"] == "a1"
    assert (line["method"], line["url"]) == ("POST", "/v1/chat/completions")
    # Online calls stream (the timeout then bounds silence); a Batch API line cannot.
    online = {k: v for k, v in sent[0].items() if k not in ("stream", "stream_options")}
    assert sent[0]["stream"] is True
    assert line["body"] == online
    assert ("schema" in line["body"]["response_format"]) == (
        base_url is not None and mode == "json_object"
    )


async def _complete_and_close(
    chat: OpenAIChat, sdk: openai.AsyncOpenAI, request: ChatRequest
) -> None:
    try:
        await chat.complete(request)
    finally:
        await sdk.close()


def test_request_files_split_at_the_request_and_byte_limits(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "in.jsonl", [story(n) for n in range(1, 8)])
    job = write_requests(
        archive, tmp_path / "out.jsonl", settings=settings("http://x/v1"), max_requests=3
    )
    assert [p.requests for p in job.parts] == [3, 3, 1]
    one = (job.folder / job.parts[0].file).read_bytes().splitlines(keepends=True)[0]

    writer = RequestWriter(tmp_path / "bytes", max_requests=100, max_bytes=2 * len(one) + 10)
    assert all(writer.add(one) for _ in range(5))
    assert not writer.add(one * 3)  # one request over the byte limit is never written
    parts = writer.close()
    assert [p.requests for p in parts] == [2, 2, 1]
    for part in parts:
        assert (tmp_path / "bytes" / part.file).stat().st_size == part.bytes <= 2 * len(one) + 10


def test_custom_ids_are_article_ids_made_unique(tmp_path: Path) -> None:
    job = write_requests(
        write_archive(tmp_path / "in.jsonl"),
        tmp_path / "out.jsonl",
        settings=settings("http://x/v1"),
    )
    lines = read_lines(job.folder / job.parts[0].file)
    assert [line["custom_id"] for line in lines] == ["a1", "a2", "a4", "a6", "a7", "a8", "a1#9"]


# ---- against the stub ----------------------------------------------------------------------


def test_a_batch_api_run_writes_the_same_lines_as_the_online_run(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    faults = {2: Fault.REFUSAL, 4: Fault.LENGTH}  # the 2nd and 4th articles: a2 and a6
    with FakeServer(fault_at=faults) as online_server:
        asyncio.run(
            run_batch(
                archive,
                tmp_path / "online.jsonl",
                settings=settings(online_server.base_url),
                progress=False,
            )
        )
    with (
        FakeServer(fault_at=faults) as batch_server,
        FakeServer() as retry_server,
        BatchStub(
            forward_to(batch_server.base_url),
            StubConfig(drop={"a7"}, corrupt={"a8"}, fail={"a4": 500}),
        ) as stub,
    ):
        run_settings = settings(stub.base_url)
        retry_client = OpenAIChat(
            run_settings.model_copy(update={"base_url": retry_server.base_url})
        )
        totals = run_job(
            stub, archive, tmp_path / "batch.jsonl", settings=run_settings, client=retry_client
        )
        retried = retry_server.stats.by_outcome
    online, batch = by_record(tmp_path / "online.jsonl"), by_record(tmp_path / "batch.jsonl")
    assert sorted(batch) == list(range(1, 10))
    # a6 was cut off at the length limit on both paths: online it was asked again, shorter, in
    # the same conversation; the batch's cut answer went online afresh. Same result, but not
    # the same calls or tokens.
    assert online[6]["provenance"]["attempts"] == 2
    assert batch[6]["provenance"]["attempts"] == 1
    for row in (online[6], batch[6]):
        del row["provenance"]["attempts"], row["provenance"]["usage"]
    assert batch == online
    assert [batch[n]["error"] for n in (2, 3, 5)] == ["LLMError", "InputError", "InputError"]
    # a4 (500), a6 (cut off at the length limit), a7 (missing), a8 (invalid): online, once each
    assert retried["ok"] == 4
    assert totals.ok == 6
    assert totals.errors == 3  # a2 refused; records 3 and 5 unusable
    assert [m for m, _ in stub.requests].count("POST") == 2  # one upload, one batch


def test_without_online_retry_missing_and_invalid_results_become_error_lines(
    tmp_path: Path, fake: FakeServer
) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    config = StubConfig(drop={"a7"}, corrupt={"a8"}, fail={"a4": 503})
    with BatchStub(forward_to(fake.base_url), config) as stub:
        run_job(
            stub,
            archive,
            tmp_path / "out.jsonl",
            settings=settings(stub.base_url),
            retry_online=False,
        )
    lines = by_record(tmp_path / "out.jsonl")
    assert sorted(lines) == list(range(1, 10))
    assert (lines[4]["error"], lines[4]["status"]) == ("LLMError", 503)
    assert (lines[7]["error"], lines[7]["reason"]) == ("LLMError", "batch_missing")
    assert lines[8]["error"] == "OutputValidationError"
    assert all(lines[n]["ok"] for n in (1, 2, 6, 9))


def test_invalid_and_missing_results_are_retried_online_with_a_fake_llm(
    tmp_path: Path, fake: FakeServer
) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    fake_llm = FakeLLM()
    with BatchStub(forward_to(fake.base_url), StubConfig(drop={"a2"}, corrupt={"a4"})) as stub:
        run_job(
            stub, archive, tmp_path / "out.jsonl", settings=settings(stub.base_url), client=fake_llm
        )
    lines = by_record(tmp_path / "out.jsonl")
    assert len(fake_llm.requests) == 2
    assert lines[2]["ok"]
    assert lines[4]["ok"]
    assert lines[2]["issue"].startswith("What is at stake in: Council vote number 2")


def test_submit_status_and_collect_work_from_the_state_file_alone(
    tmp_path: Path, fake: FakeServer
) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    with BatchStub(forward_to(fake.base_url), StubConfig(polls_before_done=2)) as stub:
        run_settings = settings(stub.base_url)
        job = write_requests(archive, output, settings=run_settings, max_requests=4)
        with_api(stub, lambda api: submit(job, api))
        with_api(
            stub, lambda api: submit(BatchJob.load(output), api)
        )  # a re-run pays nothing twice
        assert len(stub.batches) == 2
        assert len(stub.uploads) == 2
        infos = with_api(stub, lambda api: status(BatchJob.load(output), api))
        assert [i.status for i in infos] == ["in_progress", "in_progress"]
        result = CliRunner().invoke(
            cli, ["batchapi", "collect", str(output), "--base-url", stub.base_url]
        )
        assert result.exit_code == 0, result.output
        assert "in_progress" in result.output
        assert not output.exists()
        result = CliRunner().invoke(
            cli,
            [
                "batchapi",
                "collect",
                str(output),
                "--base-url",
                stub.base_url,
                "--wait",
                "--poll-interval",
                "0.01",
                "--no-retry-online",
            ],
        )
        assert result.exit_code == 0, result.output
    assert sorted(by_record(output)) == list(range(1, 10))
    assert json.loads(state_path(output).read_text())["parts"][0]["status"] == "completed"


def test_collect_reads_a_vllm_run_batch_output_file(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    job = write_requests(archive, output, settings=settings("http://127.0.0.1:9/v1"))
    # What `python -m vllm.entrypoints.openai.run_batch -i requests-0001.jsonl -o results.jsonl`
    # writes: one line per request, in input order; a failed request has a status code, no
    # body and an error. Generated here from the fake server's deterministic drafts.
    from summarizer.testing.fakeserver import build_draft

    results = tmp_path / "results.jsonl"
    with results.open("w", encoding="utf-8") as handle:
        for n, line in enumerate(read_lines(job.folder / job.parts[0].file)):
            user = line["body"]["messages"][-1]["content"]
            article = user.split("<article>")[1].split("</article>")[0].strip()
            row: dict[str, Any]
            if line["custom_id"] == "a6":
                response = {"status_code": 400, "request_id": f"vllm-batch-{n}", "body": None}
                row = {
                    "id": f"vllm-{n}",
                    "custom_id": "a6",
                    "response": response,
                    "error": "This model's maximum context length is 4096 tokens.",
                }
            else:
                body = {
                    "id": f"chatcmpl-{n}",
                    "object": "chat.completion",
                    "created": 1764000000,
                    "model": "fake-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": json.dumps(build_draft(article)),
                                "reasoning_content": None,
                                "tool_calls": [],
                            },
                            "logprobs": None,
                            "finish_reason": "stop",
                            "stop_reason": None,
                        }
                    ],
                    "usage": {"prompt_tokens": 300, "total_tokens": 400, "completion_tokens": 100},
                }
                response = {"status_code": 200, "request_id": f"vllm-batch-{n}", "body": body}
                row = {
                    "id": f"vllm-{n}",
                    "custom_id": line["custom_id"],
                    "response": response,
                    "error": None,
                }
            handle.write(json.dumps(row) + "\n")
    result = CliRunner().invoke(
        cli, ["batchapi", "collect", str(output), "--from-file", str(results), "--no-retry-online"]
    )
    assert result.exit_code == 0, result.output
    lines = by_record(output)
    assert sorted(lines) == list(range(1, 10))
    assert (lines[6]["error"], lines[6]["status"]) == ("LLMError", 400)
    assert "maximum context length" in lines[6]["message"]
    first = lines[1]
    assert first["provenance"]["usage"]["prompt_tokens"] == 300
    assert any(q["verified"] for p in first["positions"] for q in p["quotes"])


def test_collect_resumes_without_duplicating_lines(tmp_path: Path, fake: FakeServer) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    with BatchStub(forward_to(fake.base_url)) as stub:
        run_settings = settings(stub.base_url)
        run_job(stub, archive, output, settings=run_settings)
        kept = output.read_text(encoding="utf-8").splitlines(keepends=True)[:4]
        output.write_text("".join(kept) + '{"id": "torn', encoding="utf-8")
        asyncio.run(collect(BatchJob.load(output), settings=run_settings, retry_online=False))
    assert sorted(r["record"] for r in read_lines(output)) == list(range(1, 10))


def test_batch_via_batch_api_from_the_command_line(tmp_path: Path, fake: FakeServer) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    with BatchStub(forward_to(fake.base_url)) as stub:
        result = CliRunner().invoke(
            cli,
            [
                "batch",
                str(archive),
                "-o",
                str(output),
                "--via",
                "batch-api",
                "--base-url",
                stub.base_url,
                "--model",
                "fake-model",
                "--mode",
                "json_schema",
                "--no-cache",
                "--poll-interval",
                "0.01",
                "-q",
            ],
        )
    assert result.exit_code == 0, result.output
    assert sorted(by_record(output)) == list(range(1, 10))


def test_estimate_shows_the_batch_price_next_to_the_online_price(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    result = CliRunner().invoke(
        cli, ["estimate", str(archive), "--model", "gpt-4o-mini", "--no-cache", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["batch_cost_usd"] == pytest.approx(figures["cost_usd"] / 2, abs=1e-4)
    text = CliRunner().invoke(cli, ["estimate", str(archive), "--no-cache"]).output
    assert "Batch API" in text


def test_an_interrupted_create_finds_its_batch_instead_of_paying_twice(
    tmp_path: Path, fake: FakeServer
) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    with BatchStub(forward_to(fake.base_url)) as stub:
        job = write_requests(archive, output, settings=settings(stub.base_url))
        with_api(stub, lambda api: submit(job, api))
        # As if the process died after POST /v1/batches was sent but before its id was saved.
        lost = BatchJob.load(output)
        lost.parts[0].batch_id = None
        lost.parts[0].status = "creating"
        lost.save()
        with_api(stub, lambda api: submit(BatchJob.load(output), api))
        assert len(stub.batches) == 1
        assert BatchJob.load(output).parts[0].batch_id == next(iter(stub.batches))


def test_an_expired_batch_leaves_no_record_behind(tmp_path: Path, fake: FakeServer) -> None:
    archive = write_archive(tmp_path / "in.jsonl")
    config = StubConfig(drop={"a1", "a6"}, final_status="expired")
    fake_llm = FakeLLM()
    with BatchStub(forward_to(fake.base_url), config) as stub:
        run_job(
            stub, archive, tmp_path / "out.jsonl", settings=settings(stub.base_url), client=fake_llm
        )
    lines = by_record(tmp_path / "out.jsonl")
    assert sorted(lines) == list(range(1, 10))
    assert lines[1]["ok"]
    assert lines[6]["ok"]
    assert len(fake_llm.requests) == 2


def test_a_run_state_belongs_to_its_archive(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    write_requests(write_archive(tmp_path / "a.jsonl"), output, settings=settings("http://x/v1"))
    with pytest.raises(ConfigError, match="belongs to a Batch API run over"):
        write_requests(
            write_archive(tmp_path / "b.jsonl"), output, settings=settings("http://x/v1")
        )


def test_an_article_too_long_for_one_call_is_split_online_not_sent(
    tmp_path: Path, fake: FakeServer
) -> None:
    from tests.stories import long_article
    from tests.test_pipeline_split import fake_model

    rows = [story(1), {"id": "long", "title": "A year in Northam", "text": long_article(3_000)}]
    archive = write_archive(tmp_path / "in.jsonl", rows)
    run_settings = settings("http://x/v1", context_window=3000, max_output_tokens=512)
    job = write_requests(archive, tmp_path / "out.jsonl", settings=run_settings)
    assert [r["custom_id"] for r in read_lines(job.folder / job.parts[0].file)] == ["a1"]
    fake_llm = FakeLLM(default=fake_model)
    with BatchStub(forward_to(fake.base_url)) as stub:
        run_job(
            stub,
            archive,
            tmp_path / "out.jsonl",
            settings=run_settings.model_copy(update={"base_url": stub.base_url}),
            client=fake_llm,
        )
    lines = by_record(tmp_path / "out.jsonl")
    assert lines[1]["ok"]
    assert lines[2]["ok"]
    assert lines[2]["provenance"]["parts"] > 1


def test_every_batchapi_command_has_help_with_an_example() -> None:
    group = cli.get_command(click.Context(cli), "batchapi")
    assert isinstance(group, click.Group)
    for name in group.commands:
        result = CliRunner().invoke(cli, ["batchapi", name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"batchapi {name} --help has no example"


def test_an_unreachable_batch_api_is_one_llm_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = OpenAIBatches(
        Settings(base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-test", max_retries=0)
    )
    request_file = tmp_path / "requests-0001.jsonl"
    request_file.write_text("{}\n", encoding="utf-8")

    async def upload() -> str:
        try:
            return await api.upload(request_file)
        finally:
            await api.aclose()

    with pytest.raises(LLMError, match=r"127\.0\.0\.1: cannot connect") as info:
        asyncio.run(upload())
    assert info.value.reason == "connection"
