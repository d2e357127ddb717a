"""The batch runner against the fake HTTP server: 429 storms, injected faults, kill -9, Ctrl-C.

Every fault here is synthetic: summarizer.testing.fakeserver injects the 429s, 5xx answers, dropped
connections, hangs and malformed JSON on purpose. None was observed from a real provider.
The server listens on 127.0.0.1 only (pytest runs with --block-network).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch.cache import NullCache
from summarizer.batch.runner import run_batch
from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.testing.fakeserver import FakeServer, Fault
from summarizer.testing.fakeserver.limits import Bucket
from tests.conftest import ROOT, SEED

CONCURRENCY = 4


def write_archive(path: Path, count: int, *, extra: Sequence[str] = ()) -> Path:
    seed = SEED.read_text(encoding="utf-8")
    with path.open("w", encoding="utf-8") as file:
        for n in range(count):
            text = f"Report {n}. " + seed[: 400 + n % 300]
            file.write(json.dumps({"id": f"r{n}", "text": text}, ensure_ascii=False) + "\n")
        for line in extra:
            file.write(line + "\n")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def settings(server: FakeServer, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "model": "fake-model",
        "concurrency": CONCURRENCY,
        "retry_backoff": 0.05,
        "timeout": 2.0,
        **changes,
    }
    return Settings(**values)


class _SpentOnFirstUse(Bucket):
    """A request budget found spent by the first request, however long the run took to start.

    Draining the server's bucket before the run left the time until the first request to the
    machine's speed: on a busy machine the budget had refilled by then.
    """

    def __init__(self, per_minute: int) -> None:
        super().__init__(per_minute)
        self._used = False

    def refill(self, now: float) -> None:
        if not self._used:
            self._used, self.level, self.stamp = True, 0.0, now
        super().refill(now)


@pytest.mark.parametrize("late", [0.0, 1.0], ids=["prompt", "late-start"])
def test_a_429_storm_is_ridden_out_without_losing_a_record(tmp_path: Path, late: float) -> None:
    # The server's request budget (120 a minute) is spent when the first request arrives, as
    # if another job had used it: requests are refused with Retry-After until it refills at
    # two a second. "late-start" is a busy machine that takes a second to send anything.
    source = write_archive(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    with FakeServer(rpm=120) as server:
        server._chat.limits.requests = _SpentOnFirstUse(120)
        time.sleep(late)
        totals = asyncio.run(
            run_batch(source, out, settings=settings(server, concurrency=8), progress=False)
        )
        stats = server.stats
    lines = read_lines(out)
    assert len(lines) == 12
    assert all(line["ok"] for line in lines)
    assert totals.ok == 12
    assert stats.by_outcome["ok"] == 12
    # The first request always meets the spent budget; how many of the other seven in flight
    # do depends on how fast they follow, so only the first is certain. Honouring Retry-After
    # keeps refusals to a few rounds of the 8 in flight (a busy machine sends fewer, never
    # more); hammering would draw hundreds in the six seconds of refill.
    assert 1 <= stats.by_outcome.get("rate_limited", 0) <= 3 * 8


def test_injected_faults_are_retried_and_every_record_gets_a_line(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", 12, extra=["{broken"])
    out = tmp_path / "out.jsonl"
    faults = {
        1: Fault.SERVER_ERROR,
        2: Fault.DROPPED,
        3: Fault.UNAVAILABLE,
        4: Fault.TIMEOUT,
        5: Fault.MALFORMED,  # a 200 with half a JSON answer: re-asked, not retried
        6: Fault.RATE_LIMITED,
    }
    with FakeServer(fault_at=faults, hang=5) as server:
        asyncio.run(
            run_batch(
                source,
                out,
                settings=settings(server, output_mode="json_object", timeout=0.5),
                progress=False,
            )
        )
    lines = read_lines(out)
    assert len(lines) == 13
    assert sum(line["ok"] for line in lines) == 12
    [bad] = [line for line in lines if not line["ok"]]
    assert (bad["error"], bad["line"]) == ("InputError", 13)


def test_a_call_that_keeps_failing_ends_as_an_error_line_with_its_attempts(
    tmp_path: Path,
) -> None:
    source = write_archive(tmp_path / "in.jsonl", 1)
    out = tmp_path / "out.jsonl"
    with FakeServer(fault_rates={Fault.SERVER_ERROR: 1.0}) as server:
        asyncio.run(
            run_batch(
                source,
                out,
                settings=settings(server, output_mode="json_object", max_attempts=3),
                progress=False,
            )
        )
        calls = server.stats.total
    [line] = read_lines(out)
    assert (line["ok"], line["error"], line["status"], line["attempts"]) == (
        False,
        "LLMError",
        500,
        3,
    )
    assert calls == 3


# ---- the command, in a real subprocess -------------------------------------------------------


def command(source: Path, out: Path, server: FakeServer, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "summarizer",
        "batch",
        str(source),
        "-o",
        str(out),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "-j",
        str(CONCURRENCY),
        "--quiet",
        *extra,
    ]


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    """The test's environment for `python -m summarizer`: this checkout first on the path,
    no SUMMARIZER_/OPENAI_ settings, and a private cache folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    return env


# Only a guard against a hung child process: every wait returns as soon as its lines are
# there, so a busy shared machine (60 s failed at a load average of 37) costs no failure.
HANG = 600


def wait_for_lines(out: Path, count: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"the batch ended early (exit {proc.returncode})")
        time.sleep(0.02)
    pytest.fail(f"no {count} lines in time")


def test_kill_9_mid_run_then_resume_loses_and_duplicates_nothing(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    total = 200
    source = write_archive(tmp_path / "in.jsonl", total)
    out = tmp_path / "out.jsonl"
    with FakeServer(latency=0.05) as server:
        args = command(source, out, server, "--no-cache")
        proc = subprocess.Popen(args, env=child_env, stderr=subprocess.DEVNULL)
        wait_for_lines(out, 40, proc, time.monotonic() + HANG)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        written_before = out.read_bytes().count(b"\n")
        assert written_before < total, "the run finished before it could be killed"
        resumed = subprocess.run(args, env=child_env, capture_output=True, timeout=HANG)
        calls = server.stats.by_outcome["ok"]
    assert resumed.returncode == 0, resumed.stderr.decode()
    ids = [line["id"] for line in read_lines(out)]  # every line parses: no torn line left
    assert len(ids) == total
    assert set(ids) == {f"r{n}" for n in range(total)}
    assert calls - total <= CONCURRENCY  # only the requests in flight at the kill were redone


def test_a_second_run_over_the_same_archive_makes_zero_calls(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    source = write_archive(tmp_path / "in.jsonl", 30, extra=['{"id": "empty", "text": ""}'])
    cache = str(tmp_path / "cache.sqlite")
    with FakeServer() as server:
        first = subprocess.run(
            command(source, tmp_path / "one.jsonl", server, "--cache", cache),
            env=child_env,
            capture_output=True,
            timeout=HANG,
        )
        calls_first = server.stats.total
        second = subprocess.run(
            command(source, tmp_path / "two.jsonl", server, "--cache", cache),
            env=child_env,
            capture_output=True,
            timeout=HANG,
        )
        calls_second = server.stats.total - calls_first
    assert first.returncode == 0, first.stderr.decode()
    assert second.returncode == 0, second.stderr.decode()
    assert calls_first == 30
    assert calls_second == 0
    lines = read_lines(tmp_path / "two.jsonl")
    assert len(lines) == 31
    assert sum(line.get("cached", False) for line in lines) == 30


def test_ctrl_c_finishes_in_flight_exits_130_and_leaves_a_resumable_output(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    total = 150
    source = write_archive(tmp_path / "in.jsonl", total)
    out = tmp_path / "out.jsonl"
    with FakeServer(latency=0.05) as server:
        args = command(source, out, server, "--no-cache")
        args.remove("--quiet")  # the summary line says the run was interrupted
        proc = subprocess.Popen(args, env=child_env, stderr=subprocess.PIPE)
        wait_for_lines(out, 30, proc, time.monotonic() + HANG)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=HANG)
        assert proc.returncode == 130, stderr.decode()
        assert b"interrupted" in stderr
        text = out.read_text(encoding="utf-8")
        assert text.endswith("\n")  # in-flight articles finished: nothing torn
        before = len(text.splitlines())
        assert before < total
        resumed = subprocess.run(args, env=child_env, capture_output=True, timeout=HANG)
        calls = server.stats.by_outcome["ok"]
    assert resumed.returncode == 0, resumed.stderr.decode()
    ids = [line["id"] for line in read_lines(out)]
    assert sorted(ids) == sorted(f"r{n}" for n in range(total))
    assert calls == total  # finished, not abandoned: nothing was paid for twice


def test_an_unreachable_endpoint_stops_the_run_and_writes_no_error_lines(
    tmp_path: Path,
) -> None:
    """Nothing listens on port 9: the run stops with one error instead of failing every
    record, and a resumed run (once the server answers) still has every record to do."""
    archive = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": f"Mayor {i} said: “We build.”"}) for i in range(40)]
    archive.write_text("\n".join([*lines, "not json"]) + "\n")
    out = tmp_path / "out.jsonl"
    settings = Settings(
        api_key="x", base_url="http://127.0.0.1:9/v1", max_attempts=1, concurrency=4
    )
    with pytest.raises(LLMError, match=r"cannot connect.*same command resumes") as info:
        asyncio.run(run_batch(archive, out, settings=settings, cache=NullCache(), progress=False))
    assert info.value.reason == "connection"
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(row.get("error") != "LLMError" for row in written)
    assert len(written) < 41  # the run stopped early; the rest is left for the resume


@pytest.mark.parametrize(
    ("fault", "status", "hint"),
    [
        (Fault.UNAUTHORIZED, 401, "Check OPENAI_API_KEY"),
        (Fault.FORBIDDEN, 403, "Check OPENAI_API_KEY"),
        (Fault.MODEL_NOT_FOUND, 404, "Check the model name"),
        (Fault.BAD_SETTING, 400, "'max_tokens'"),
    ],
    ids=["401", "403", "404", "400-setting"],
)
def test_a_run_fatal_answer_stops_the_run_and_the_same_command_resumes(
    tmp_path: Path, fault: Fault, status: int, hint: str
) -> None:
    """Synthetic: the fake server answers every request with the fault. A rejected key, an
    unknown model or a refused setting would fail every record alike: the run stops with
    one error and writes no line, so that once fixed the same command does every record."""
    source = write_archive(tmp_path / "in.jsonl", 20)
    out = tmp_path / "out.jsonl"
    with FakeServer(fault_rates={fault: 1.0}) as broken:
        run_settings = settings(broken, output_mode="json_object")
        with pytest.raises(LLMError) as info:
            asyncio.run(run_batch(source, out, settings=run_settings, progress=False))
    message = str(info.value)
    assert info.value.status == status
    assert message.startswith(f"stopped: HTTP {status} from the endpoint")
    assert hint in message
    assert f"Nothing was written to {out}; the same command resumes once that is fixed." in (
        message
    )
    assert read_lines(out) == []

    with FakeServer() as fixed:
        totals = asyncio.run(run_batch(source, out, settings=settings(fixed), progress=False))
    assert totals.ok == 20
    assert len(read_lines(out)) == 20


def test_an_article_too_long_for_the_model_is_its_own_error_line(tmp_path: Path) -> None:
    """Synthetic: a 400 naming the messages is the article's fault, not the run's."""
    source = write_archive(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    with FakeServer(fault_at={1: Fault.TOO_LONG}) as server:
        run_settings = settings(server, concurrency=1, output_mode="json_object")
        totals = asyncio.run(run_batch(source, out, settings=run_settings, progress=False))
    lines = read_lines(out)
    assert len(lines) == 3
    assert [line.get("status") for line in lines if not line["ok"]] == [400]
    assert totals.ok == 2
