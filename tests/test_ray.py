"""`summarizer batch --via ray` and the Ray Data stage, on a local Ray cluster.

One Ray session (two CPUs, token auth off, no dashboard) serves the whole module. Every fault
here is synthetic: summarizer.testing.fakeserver injects the 429s, 500s and malformed answers
on purpose, and a test engine kills its own worker process. None was observed from a real
provider or a real cluster.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")  # the [ray] extra; CI installs it

from click.testing import CliRunner  # noqa: E402

from summarizer.batch.cache import NullCache, ResultCache  # noqa: E402
from summarizer.batch.ray import (  # noqa: E402
    RayOptions,
    run_on_ray,
    shared_limiter,
    summarize_dataset,
)
from summarizer.batch.runner import llm_engine, offline_engine, run_batch  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.errors import LLMError  # noqa: E402
from summarizer.llm import ChatModel  # noqa: E402
from summarizer.schema import Article, SummaryResult  # noqa: E402
from summarizer.testing.fakeserver import FakeServer, Fault  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.test_batch_faults import write_archive  # noqa: E402

TWO = RayOptions(actors=2, window=64)


@pytest.fixture(scope="module", autouse=True)
def ray_cluster() -> Iterator[None]:
    """A local Ray cluster for this module; workers import this checkout and the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_AUTH_MODE", "disabled")
        patch.setenv("PYTHONPATH", str(ROOT))
        patch.setenv("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
        try:
            yield
        finally:
            ray.shutdown()


def settings(server: FakeServer, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "model": "fake-model",
        "concurrency": 4,
        "retry_backoff": 0.05,
        # Generous: Ray's workers and the server share two busy cores, and a request that
        # times out is retried until it becomes an error line, which no test here expects.
        "timeout": 30.0,
        **changes,
    }
    return Settings(**values)


def lines_by_record(path: Path) -> dict[int, dict[str, Any]]:
    """Output lines by record number, without the fields that measure time."""
    lines: dict[int, dict[str, Any]] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(text)
        if provenance := row.get("provenance"):
            del provenance["latency_s"], provenance["created_at"]
        assert row["record"] not in lines, f"record {row['record']} written twice"
        lines[row["record"]] = row
    return lines


def test_same_archive_gives_the_same_lines_as_the_local_runner(tmp_path: Path) -> None:
    source = write_archive(
        tmp_path / "in.jsonl", 30, extra=["{broken", '{"id": "empty", "text": ""}']
    )
    with FakeServer() as server:
        asyncio.run(run_batch(source, tmp_path / "local.jsonl", settings=settings(server)))
        totals = run_on_ray(source, tmp_path / "ray.jsonl", settings=settings(server), options=TWO)
    local, remote = (
        lines_by_record(tmp_path / "local.jsonl"),
        lines_by_record(tmp_path / "ray.jsonl"),
    )
    assert len(remote) == 32
    assert remote == local
    assert (totals.ok, totals.errors) == (30, 2)
    assert [remote[31]["error"], remote[32]["error"]] == ["InputError", "InputError"]


def test_offline_engine_gives_the_same_lines_as_the_local_runner(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", 20)
    offline = Settings()

    asyncio.run(
        run_batch(
            source, tmp_path / "local.jsonl", settings=offline, engine=offline_engine(offline)
        )
    )
    run_on_ray(source, tmp_path / "ray.jsonl", settings=offline, engine="offline", options=TWO)
    assert lines_by_record(tmp_path / "ray.jsonl") == lines_by_record(tmp_path / "local.jsonl")


def test_injected_faults_are_retried_and_a_hopeless_row_becomes_an_error_row(
    tmp_path: Path,
) -> None:
    source = write_archive(tmp_path / "in.jsonl", 24)
    faults = {
        2: Fault.RATE_LIMITED,
        3: Fault.SERVER_ERROR,
        5: Fault.MALFORMED,  # a 200 with half a JSON answer: re-asked
        7: Fault.UNAVAILABLE,
    }
    with FakeServer(fault_at=faults) as server:
        run_on_ray(
            source,
            tmp_path / "out.jsonl",
            settings=settings(server, output_mode="json_object"),
            options=TWO,
        )
        fine = lines_by_record(tmp_path / "out.jsonl")
    assert len(fine) == 24
    assert all(row["ok"] for row in fine.values())

    with FakeServer(fault_rates={Fault.SERVER_ERROR: 1.0}) as server:
        run_on_ray(
            write_archive(tmp_path / "one.jsonl", 2),
            tmp_path / "bad.jsonl",
            settings=settings(server, output_mode="json_object", max_attempts=2),
            options=TWO,
        )
    bad = lines_by_record(tmp_path / "bad.jsonl")
    assert [(row["ok"], row["error"], row["status"], row["attempts"]) for row in bad.values()] == [
        (False, "LLMError", 500, 2)
    ] * 2


def test_resume_writes_only_the_missing_lines_and_the_cache_saves_every_call(
    tmp_path: Path,
) -> None:
    source = write_archive(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    cache = ResultCache(tmp_path / "cache.sqlite")
    with FakeServer() as server:
        run_on_ray(source, out, settings=settings(server), cache=cache, options=TWO)
        lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
        out.write_text("".join(lines[:12]) + lines[12][:40], encoding="utf-8")  # torn line
        resumed = run_on_ray(source, out, settings=settings(server), options=TWO)
        again = run_on_ray(source, tmp_path / "again.jsonl", settings=settings(server), cache=cache)
        calls = server.stats.by_outcome["ok"]
    assert (resumed.skipped, resumed.written, resumed.ok) == (12, 18, 18)
    assert sorted(lines_by_record(out)) == list(range(1, 31))
    assert (again.cached, again.calls) == (30, 0)
    assert calls == 30 + 18  # the first run, then the resumed records (no cache given)


class KillOnce:
    """A test engine: summarises as usual, but the first time it meets ``victim`` it kills
    its own worker process (SIGKILL), as a node failure or the OOM killer would."""

    def __init__(self, settings: Settings, victim: str, marker: Path) -> None:
        self.engine = llm_engine(settings)
        self.victim = victim
        self.marker = marker

    async def __call__(self, article: Article, client: ChatModel) -> SummaryResult:
        if article.id == self.victim:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass  # killed once already: this is the redo
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return await self.engine(article, client)


def test_a_killed_worker_loses_nothing_and_no_line_is_written_twice(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out.jsonl"
    marker = tmp_path / "killed"
    with FakeServer() as server:
        run = settings(server)
        engine = KillOnce(run, "r17", marker)
        totals = run_on_ray(source, out, settings=run, engine=engine, options=TWO)
    assert marker.exists(), "the worker was never killed"
    lines = lines_by_record(out)  # fails on a record written twice
    assert sorted(lines) == list(range(1, 41))
    assert all(row["ok"] for row in lines.values())
    assert totals.ok == 40


def test_rows_from_any_dataset_get_result_and_error_columns() -> None:
    dataset = ray.data.from_items(
        [
            {"id": "a", "body": "The mayor said: “We build.”", "title": "Build"},
            {"id": "b", "body": ""},
            {"body": "No id here. She said: “Fine.”"},
        ]
    )
    rows = {
        row["id"]: row
        for row in summarize_dataset(
            dataset, settings=Settings(), engine="offline", actors=1
        ).take_all()
    }
    assert rows["a"]["ok"]
    assert SummaryResult.model_validate_json(rows["a"]["result"]).title == "Build"
    assert (rows["b"]["ok"], rows["b"]["error"]) == (False, "InputError")
    assert "empty" in rows["b"]["message"]
    [anonymous] = [key for key in rows if key.startswith("sha256:")]
    assert rows[anonymous]["ok"]


def test_every_call_of_every_actor_waits_at_one_limiter() -> None:
    dataset = ray.data.from_items(
        [{"id": f"r{n}", "text": f"Report {n}. The mayor said: “We build.”"} for n in range(24)]
    )
    with FakeServer() as server:
        run = settings(server, rpm=60_000)
        limiter = shared_limiter(run)
        rows = summarize_dataset(
            dataset, settings=run, limiter=limiter, actors=2, batch_size=2
        ).take_all()
        calls = server.stats.total
    assert all(row["ok"] for row in rows)
    assert ray.get(limiter.requests_granted.remote()) == calls == 24


def test_the_limiter_outlives_the_run_that_started_it() -> None:
    # A named actor dies with the handle that created it. The first run's handle going away
    # (collected) killed the limiter a second run with the same budget had found by name.
    budget = Settings(base_url="http://127.0.0.1:9/v1", model="limiter-lifetime", rpm=6000)
    first = shared_limiter(budget)
    ray.get(first.acquire.remote(0))
    second = shared_limiter(budget)
    del first
    gc.collect()
    time.sleep(1.0)  # room for a doomed actor to die; the kept one passes however long
    assert ray.get(second.acquire.remote(0), timeout=60) == 0
    assert ray.get(second.requests_granted.remote(), timeout=60) == 2


def test_an_unreachable_endpoint_stops_the_run_and_writes_no_error_lines(tmp_path: Path) -> None:
    """Nothing listens on port 9: every row would fail the same way, so the job stops with
    that one error and writes no line for the rows it stopped short of."""
    source = write_archive(tmp_path / "in.jsonl", 20, extra=["{broken"])
    out = tmp_path / "out.jsonl"
    down = Settings(api_key="x", base_url="http://127.0.0.1:9/v1", max_attempts=1)
    with pytest.raises(
        LLMError, match=r"stopped: .*cannot connect.*resumes once the server"
    ) as info:
        run_on_ray(source, out, settings=down, options=TWO)
    assert info.value.reason == "connection"
    assert [row["error"] for row in lines_by_record(out).values()] == ["InputError"]


def test_the_command_runs_via_ray_and_resumes(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    with FakeServer() as server:
        args = ["batch", str(source), "-o", str(out), "--base-url", server.base_url]
        args += ["--model", "fake-model", "--no-cache", "--via", "ray", "--ray-actors", "2", "-q"]
        first = CliRunner().invoke(cli, args)
        second = CliRunner().invoke(cli, args)
        calls = server.stats.total
    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr + second.stderr
    assert sorted(lines_by_record(out)) == list(range(1, 13))
    assert calls == 12  # the second run found every line already there


def test_a_line_that_comes_back_twice_is_written_once(tmp_path: Path) -> None:
    """Ray redoes the batches of a dead actor; if one had reached the driver already, its
    lines come back twice. The one writer keeps the first."""
    from summarizer.batch.progress import RunTotals
    from summarizer.batch.ray.driver import _Writer
    from summarizer.batch.results import OutputFile

    row = {
        "id": "a1",
        "record": 1,
        "line": 1,
        "ok": False,
        "result": None,
        "attempts": 1,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "output": '{"id":"a1","record":1,"line":1,"ok":false}',
    }
    with OutputFile(tmp_path / "out.jsonl") as sink:
        writer = _Writer(sink, NullCache(), RunTotals())
        writer.from_row(row)
        writer.from_row(row)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 1
    assert (writer.duplicates, writer.totals.written) == (1, 1)
