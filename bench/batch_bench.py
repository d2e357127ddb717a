"""Benchmark the batch runner: throughput against the ceiling, overhead, memory, kill and resume.

Every figure is measured against summarizer.testing.fakeserver (a fake OpenAI-compatible server on
127.0.0.1, run as a separate process) or an instant in-process model: the latencies, rate
limits and the kill are set up on purpose, not observed from a provider.

Usage: ``python bench/batch_bench.py [--quick] [--only throughput,overhead,memory,resume]``.
Figures are printed as Markdown and saved to bench/out/batch_bench.json. Each section is
bounded (the full run takes about fifteen minutes on two shared cores; --quick about three).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch.cache import NullCache, ResultCache  # noqa: E402
from summarizer.batch.results import OutputFile  # noqa: E402
from summarizer.batch.runner import BatchRunner, Outcome, run_batch  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.llm import ChatRequest, ChatResponse  # noqa: E402
from summarizer.pipeline import asummarize, prepare  # noqa: E402
from summarizer.schema import Usage  # noqa: E402
from summarizer.sources.archive import iter_records  # noqa: E402
from summarizer.testing.fakeserver import build_draft  # noqa: E402

SEED = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
OUT = ROOT / "bench" / "out"


# ---- inputs ----------------------------------------------------------------------------------


def make_article(n: int, words: int) -> str:
    """A distinct news-like article of about ``words`` words, built from the seed article."""
    paragraphs = [p for p in SEED.split("\n") if p.strip()]
    rng = random.Random(n)
    body: list[str] = [f"Report {n}: the summit, day {n % 7 + 1}."]
    count = 6
    while count < words:
        paragraph = rng.choice(paragraphs)
        body.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(body)


def write_archive(path: Path, count: int, words: int, *, bad_every: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as file:
        for n in range(count):
            if bad_every and n % bad_every == bad_every - 1:
                file.write(f'{{"id": "broken-{n}", "text": \n')  # a malformed record
                continue
            row = {"id": f"a{n}", "title": f"Story {n}", "text": make_article(n, words)}
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# ---- helpers ---------------------------------------------------------------------------------


class InstantModel:
    """A ChatModel that answers at once with the fake server's draft for the article."""

    supports_json_schema: bool | None = True

    def __init__(self) -> None:
        self.calls = 0

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        user = request.messages[-1]["content"]
        start, end = user.find("<article>"), user.rfind("</article>")
        article = user[start + 9 : end].strip()
        draft = json.dumps(build_draft(article, prompt=user), ensure_ascii=False)
        return ChatResponse(
            content=draft, finish_reason="stop", usage=Usage(prompt_tokens=1, completion_tokens=1)
        )


@contextmanager
def fake_server(*args: str) -> Iterator[str]:
    """A fake server in its own process (so its work does not count as the client's)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testing.fakeserver", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats") as answer:
        stats: dict[str, Any] = json.load(answer)
    return stats


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def settings_for(base_url: str, **changes: Any) -> Settings:
    return Settings(base_url=base_url, model="fake-model", **changes)


def warm_up() -> None:
    """Load the tokenizer and compile templates before anything is timed."""
    prepare(SEED, settings=Settings(model="fake-model"))


# ---- throughput ------------------------------------------------------------------------------


def best_seconds(
    count: int, latency: float, concurrency: int, rpm: float | None, burst: float
) -> float:
    """The shortest possible run: ``count`` requests, ``concurrency`` at a time, each taking
    ``latency``, under a budget of ``rpm`` a minute of which ``burst`` may go at once."""
    waves = count * latency / concurrency
    if rpm is None:
        return waves
    return max(waves, (count - burst) / (rpm / 60) + latency)


def throughput(quick: bool, only: str | None = None) -> list[dict[str, Any]]:
    """Runs against the fake server in its own process; the ceiling is ``best_seconds``."""
    rows: list[dict[str, Any]] = []
    # (name, server latency, server rpm, client --rpm, -j, articles)
    scenarios: list[tuple[str, float, int | None, int | None, int, int]] = [
        ("latency-bound, no rate limit", 0.2, None, None, 8, 200 if quick else 600),
        # At 40 a second the client is CPU-bound on two shared cores; at 20 it is not.
        ("latency-bound, no rate limit", 0.5, None, None, 10, 200 if quick else 400),
        ("rate-bound, server 600 rpm, no --rpm", 0.1, 600, None, 16, 700 if quick else 900),
        ("rate-bound, server 1200 rpm, --rpm 1200", 0.1, 1200, 1200, 16, 150 if quick else 300),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, latency, server_rpm, client_rpm, concurrency, count in scenarios:
            if only and f"latency {latency}s, -j {concurrency}" != only:
                continue
            source = write_archive(Path(tmp) / "in.jsonl", count, 300)
            server_args = ["--latency", str(latency)]
            server_args += ["--rpm", str(server_rpm)] if server_rpm else []
            with fake_server(*server_args) as url:
                settings = settings_for(url, concurrency=concurrency, rpm=client_rpm)
                out = Path(tmp) / f"{len(rows)}.jsonl"
                totals = asyncio.run(run_batch(source, out, settings=settings, progress=False))
                stats = server_stats(url)
            # The binding budget: the client's own --rpm (one second's burst), else the
            # server's (a full minute's worth at the start, like OpenAI's).
            rpm = client_rpm or server_rpm
            burst = (client_rpm / 60) if client_rpm else (server_rpm or 0)
            best = best_seconds(count, latency, concurrency, rpm, burst)
            rows.append(
                {
                    "scenario": f"{name}: latency {latency}s, -j {concurrency}",
                    "articles": count,
                    "ceiling_per_s": round(count / best, 1),
                    "measured_per_s": round(totals.written / totals.elapsed, 1),
                    "ratio": round(best / totals.elapsed, 3),
                    "http_429": stats["by_outcome"].get("rate_limited", 0),
                    "all_ok": totals.ok == count,
                }
            )
        # The naive loop: one article after another, as a script would do without the runner.
        count = 25 if quick else 50
        source = write_archive(Path(tmp) / "naive.jsonl", count, 300)
        with fake_server("--latency", "0.2") as url:
            settings = settings_for(url)
            articles = [r.article for r in iter_records(source) if r.article is not None]
            started = time.perf_counter()
            for article in articles:
                asyncio.run(asummarize(article, settings=settings))
            seconds = time.perf_counter() - started
        rows.append(
            {
                "scenario": "naive sequential loop, summarize() per article: latency 0.2s",
                "articles": count,
                "ceiling_per_s": 5.0,
                "measured_per_s": round(count / seconds, 1),
                "ratio": round(count * 0.2 / seconds, 3),
                "http_429": 0,
                "all_ok": True,
            }
        )
    return rows


# ---- overhead --------------------------------------------------------------------------------


def overhead(quick: bool) -> list[dict[str, Any]]:
    count = 300 if quick else 1000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = write_archive(Path(tmp) / "in.jsonl", count, 1000)
        records = list(iter_records(source))
        words = statistics.median(len(r.article.text.split()) for r in records if r.article)
        # The engine's evidence is part of every prompt now: there is no run without it.
        for label, cache in (
            ("evidence in the prompt, no cache", NullCache()),
            ("evidence in the prompt, SQLite cache", ResultCache(Path(tmp) / "c1.sqlite")),
        ):
            settings = Settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1")
            runner = BatchRunner(settings.model_copy(update={"concurrency": 1}), cache=cache)
            runner.client = InstantModel()
            out = OutputFile(Path(tmp) / f"{label}.jsonl")
            times: list[float] = []

            async def emit(
                outcome: Outcome, out: OutputFile = out, times: list[float] = times
            ) -> None:
                started = time.perf_counter()
                out.write(outcome.line)
                times.append(outcome.overhead + time.perf_counter() - started)

            asyncio.run(runner.run(records[:50], emit))  # warm-up
            times.clear()
            asyncio.run(runner.run(records[50:], emit))
            out.close()
            cache.close()
            times.sort()
            rows.append(
                {
                    "setup": f"{label}, -j 1, {words:.0f}-word articles",
                    "articles": len(times),
                    "median_ms": round(statistics.median(times) * 1000, 2),
                    "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 2),
                }
            )
    return rows


# ---- memory ----------------------------------------------------------------------------------


def memory_child(count: int) -> None:
    """Run in a fresh process: summarise ``count`` generated articles, print peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        source = write_archive(Path(tmp) / "in.jsonl", count, 200, bad_every=1000)
        settings = Settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", concurrency=16)
        with ResultCache(Path(tmp) / "cache.sqlite") as cache:
            started = time.perf_counter()
            totals = asyncio.run(
                run_batch(
                    source,
                    Path(tmp) / "out.jsonl",
                    settings=settings,
                    client=InstantModel(),
                    cache=cache,
                    progress=False,
                )
            )
            lines = sum(1 for _ in (Path(tmp) / "out.jsonl").open("rb"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "articles": count,
                    "lines": lines,
                    "errors": totals.errors,
                    "peak_rss_mb": round(peak, 1),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
        )


def memory(quick: bool) -> list[dict[str, Any]]:
    rows = []
    for count in (2_000, 10_000) if quick else (10_000, 100_000):
        done = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(count)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=1800,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


# ---- kill, resume, second run ----------------------------------------------------------------


def cli(source: Path, out: Path, url: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "summarizer",
        "batch",
        str(source),
        "-o",
        str(out),
        "--base-url",
        url,
        "--model",
        "fake-model",
        "-j",
        "16",
        "--quiet",
        *extra,
    ]


def run_cli(args: list[str]) -> tuple[int, float, float]:
    """Exit code, seconds and peak RSS (MB) of one `summarizer batch` process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=child_env(), stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024


def resume(quick: bool) -> dict[str, Any]:
    count = 2_000 if quick else 10_000
    concurrency = 16
    with tempfile.TemporaryDirectory() as tmp:
        source = write_archive(Path(tmp) / "in.jsonl", count, 250, bad_every=500)
        usable = count - count // 500
        out = Path(tmp) / "killed.jsonl"
        with fake_server("--latency", "0.02") as url:
            args = cli(source, out, url, "--no-cache")
            proc = subprocess.Popen(args, env=child_env(), stderr=subprocess.DEVNULL)
            while not out.exists() or out.read_bytes().count(b"\n") < count // 2:
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            before = out.read_bytes().count(b"\n")
            torn = not out.read_bytes().endswith(b"\n")
            code, resume_s, _ = run_cli(args)
            calls = server_stats(url)["by_outcome"].get("ok", 0)
            ids = [json.loads(line)["id"] for line in out.open("rb")]

            cache = str(Path(tmp) / "cache.sqlite")
            first_code, first_s, first_rss = run_cli(
                cli(source, Path(tmp) / "one.jsonl", url, "--cache", cache)
            )
            calls_first = server_stats(url)["by_outcome"].get("ok", 0) - calls
            second_code, second_s, _ = run_cli(
                cli(source, Path(tmp) / "two.jsonl", url, "--cache", cache)
            )
            calls_second = server_stats(url)["by_outcome"].get("ok", 0) - calls - calls_first
            lines_one = sum(1 for _ in (Path(tmp) / "one.jsonl").open("rb"))
            lines_two = sum(1 for _ in (Path(tmp) / "two.jsonl").open("rb"))
    return {
        "records": count,
        "usable": usable,
        "killed_after_lines": before,
        "torn_last_line": torn,
        "resumed_exit": code,
        "resume_seconds": round(resume_s, 1),
        "lines_after_resume": len(ids),
        "lost": count - len(set(ids)),
        "duplicated": len(ids) - len(set(ids)),
        "calls_total": calls,
        "redone_calls": calls - usable,
        "concurrency": concurrency,
        "cached_run": {
            "exit": first_code,
            "seconds": round(first_s, 1),
            "lines": lines_one,
            "calls": calls_first,
            "peak_rss_mb": round(first_rss, 1),
        },
        "second_run": {
            "exit": second_code,
            "seconds": round(second_s, 1),
            "lines": lines_two,
            "calls": calls_second,
        },
    }


# ---- main ------------------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({model}), shared; Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (about three minutes)")
    parser.add_argument("--only", default="throughput,overhead,resume,memory")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    warm_up()
    results: dict[str, Any] = {"machine": machine()}
    sections = {"throughput": throughput, "overhead": overhead, "memory": memory}
    for name in args.only.split(","):
        started = time.perf_counter()
        results[name] = resume(args.quick) if name == "resume" else sections[name](args.quick)
        print(f"## {name} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)
        print(json.dumps(results[name], indent=2), file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "batch_bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
