"""Benchmark `summarizer batch --via ray` against the local runner on the same archives.

Every figure is measured on this machine: a local Ray cluster (``ray.init(num_cpus=2)``,
token auth off) and summarizer.testing.fakeserver in its own process. The latencies and rate
limits are set up on purpose, not observed from a provider or a real cluster.

Sections:

- ``offline``: the attribution engine (no calls) over one archive, local runner vs Ray with 1
  and 2 actors: articles per second, and per core.
- ``llm``: against the fake server, latency-bound and rate-bound, local runner vs Ray with 1
  and 2 actors: articles per second against the ceiling, 429s, all lines ok.
- ``overhead``: an instant server, one actor: Ray's start-up and its cost per article.
- ``budget``: two actors, rate-bound: one shared limiter against an even split per actor.

Usage: ``python bench/ray_bench.py [--quick] [--only overhead,offline,llm,budget]``. Figures are
printed as JSON and saved to bench/out/ray_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a local cluster on one machine

import ray  # noqa: E402
from batch_bench import (  # noqa: E402
    best_seconds,
    fake_server,
    machine,
    server_stats,
    settings_for,
    warm_up,
    write_archive,
)

from summarizer.batch.progress import RunTotals  # noqa: E402
from summarizer.batch.ray import RayOptions, run_on_ray  # noqa: E402
from summarizer.batch.runner import EngineName, offline_engine, run_batch  # noqa: E402
from summarizer.config import Settings  # noqa: E402

OUT = ROOT / "bench" / "out"
CPUS = 2


def local(source: Path, out: Path, settings: Settings, *, offline: bool = False) -> RunTotals:
    engine = offline_engine(settings) if offline else None
    return asyncio.run(run_batch(source, out, settings=settings, engine=engine, progress=False))


def on_ray(
    source: Path, out: Path, settings: Settings, actors: int, *, offline: bool = False
) -> RunTotals:
    options = RayOptions(actors=actors)
    engine: EngineName = "offline" if offline else "llm"
    return run_on_ray(source, out, settings=settings, options=options, engine=engine)


def same_lines(one: Path, two: Path) -> bool:
    """The two outputs hold the same lines, apart from timing fields and line order."""

    def lines(path: Path) -> dict[int, Any]:
        rows = {}
        for text in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(text)
            if provenance := row.get("provenance"):
                del provenance["latency_s"], provenance["created_at"]
            rows[row["record"]] = row
        return rows

    return lines(one) == lines(two)


def steady_per_s(path: Path) -> float:
    """Articles a second once running: results over the span of their ``created_at``, which
    leaves out start-up (Ray's actors, the first requests) and the last stragglers."""
    stamps = sorted(
        datetime.fromisoformat(row["provenance"]["created_at"]).timestamp()
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if row["ok"]
    )
    return round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 1)


def offline(quick: bool) -> list[dict[str, Any]]:
    """The CPU-bound case: the attribution engine alone, 1,000-word articles."""
    count = 1000 if quick else 3000
    rows = []
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        source = write_archive(Path(tmp) / "in.jsonl", count, 1000)
        runs = [("local runner (one process)", 0), ("ray, 1 actor", 1), ("ray, 2 actors", 2)]
        for name, actors in runs:
            out = Path(tmp) / f"{actors}.jsonl"
            if actors:
                totals = on_ray(source, out, settings, actors, offline=True)
            else:
                totals = local(source, out, settings, offline=True)
            cores = max(1, actors)
            rows.append(
                {
                    "setup": name,
                    "articles": count,
                    "seconds": round(totals.elapsed, 1),
                    "per_s": round(totals.written / totals.elapsed, 1),
                    "per_s_per_core": round(totals.written / totals.elapsed / cores, 1),
                    "steady_per_s": steady_per_s(out),
                    "steady_per_s_per_core": round(steady_per_s(out) / cores, 1),
                    "same_lines_as_local": same_lines(Path(tmp) / "0.jsonl", out),
                }
            )
    return rows


def llm(quick: bool) -> list[dict[str, Any]]:
    """Against the fake server: the ceiling is ``batch_bench.best_seconds``."""
    rows: list[dict[str, Any]] = []
    # (name, server latency, server rpm, client --rpm, -j per process or actor, articles)
    scenarios: list[tuple[str, float, int | None, int | None, int, int]] = [
        ("latency-bound, no rate limit", 0.5, None, None, 8, 160 if quick else 400),
        ("rate-bound, server 1200 rpm, --rpm 1200", 0.1, 1200, 1200, 16, 200 if quick else 400),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        source_for: dict[int, Path] = {}
        for name, latency, server_rpm, client_rpm, concurrency, count in scenarios:
            source = source_for.get(count) or write_archive(
                Path(tmp) / f"{count}.jsonl", count, 300
            )
            source_for[count] = source
            for actors in (0, 1, 2):
                server_args = ["--latency", str(latency)]
                server_args += ["--rpm", str(server_rpm)] if server_rpm else []
                with fake_server(*server_args) as url:
                    settings = settings_for(url, concurrency=concurrency, rpm=client_rpm)
                    out = Path(tmp) / f"{len(rows)}.jsonl"
                    if actors:
                        totals = on_ray(source, out, settings, actors)
                    else:
                        totals = local(source, out, settings)
                    stats = server_stats(url)
                in_flight = concurrency * max(1, actors)
                rpm = client_rpm or server_rpm
                burst = (client_rpm / 60) if client_rpm else (server_rpm or 0)
                best = best_seconds(count, latency, in_flight, rpm, burst)
                rows.append(
                    {
                        "scenario": f"{name}: latency {latency}s, -j {concurrency}",
                        "setup": f"ray, {actors} actor{'s' if actors > 1 else ''}"
                        if actors
                        else "local runner",
                        "articles": count,
                        "ceiling_per_s": round(count / best, 1),
                        "measured_per_s": round(totals.written / totals.elapsed, 1),
                        "ratio": round(best / totals.elapsed, 3),
                        "steady_per_s": steady_per_s(out),
                        "http_429": stats["by_outcome"].get("rate_limited", 0),
                        "all_ok": totals.ok == count,
                    }
                )
    return rows


def budget(quick: bool) -> list[dict[str, Any]]:
    """Two actors, one shared limiter against an even split of the budget, rate-bound."""
    rows: list[dict[str, Any]] = []
    # (name, server rpm, client --rpm, articles); latency 0.1 s, -j 16 per actor
    scenarios: list[tuple[str, int, int | None, int]] = [
        ("server 600 rpm, no --rpm (learned from headers)", 600, None, 700 if quick else 900),
        ("server 1200 rpm, --rpm 1200", 1200, 1200, 400),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, server_rpm, client_rpm, count in scenarios:
            source = write_archive(Path(tmp) / f"{count}.jsonl", count, 300)
            for how in ("shared", "split"):
                with fake_server("--latency", "0.1", "--rpm", str(server_rpm)) as url:
                    settings = settings_for(url, concurrency=16, rpm=client_rpm)
                    out = Path(tmp) / f"{len(rows)}.jsonl"
                    options = RayOptions(actors=2, budget=how)
                    totals = run_on_ray(source, out, settings=settings, options=options)
                    stats = server_stats(url)
                burst = (client_rpm / 60) if client_rpm else server_rpm
                best = best_seconds(count, 0.1, 32, client_rpm or server_rpm, burst)
                rows.append(
                    {
                        "scenario": f"{name}: latency 0.1s, -j 16, 2 actors",
                        "budget": how,
                        "articles": count,
                        "ceiling_per_s": round(count / best, 1),
                        "measured_per_s": round(totals.written / totals.elapsed, 1),
                        "steady_per_s": steady_per_s(out),
                        "http_429": stats["by_outcome"].get("rate_limited", 0),
                        "all_ok": totals.ok == count,
                    }
                )
    return rows


def overhead(quick: bool) -> dict[str, Any]:
    """Ray's fixed start-up (the wall time of a 1-article run, Ray already up) and its cost
    per article once running, against a server that answers at once: one actor, -j 8."""
    count = 300 if quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        source = write_archive(Path(tmp) / "in.jsonl", count, 1000)
        one = write_archive(Path(tmp) / "one.jsonl", 1, 1000)
        with fake_server("--latency", "0") as url:
            settings = settings_for(url, concurrency=8)
            startup = on_ray(one, Path(tmp) / "one.out.jsonl", settings, 1).elapsed
            local(source, Path(tmp) / "local.jsonl", settings)
            on_ray(source, Path(tmp) / "ray.jsonl", settings, 1)
        here = steady_per_s(Path(tmp) / "local.jsonl")
        there = steady_per_s(Path(tmp) / "ray.jsonl")
    return {
        "articles": count,
        "startup_s": round(startup, 2),
        "local_steady_per_s": here,
        "ray_steady_per_s": there,
        "ray_extra_ms_per_article": round((1 / there - 1 / here) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--only", default="overhead,offline,llm,budget")
    args = parser.parse_args()
    warm_up()
    started = time.perf_counter()
    ray.init(
        num_cpus=CPUS, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False
    )
    results: dict[str, Any] = {
        "machine": machine(),
        "ray": ray.__version__,
        "ray_init_s": round(time.perf_counter() - started, 2),
    }
    sections = {"offline": offline, "llm": llm, "overhead": overhead, "budget": budget}
    try:
        for name in args.only.split(","):
            started = time.perf_counter()
            results[name] = sections[name](args.quick)
            print(f"## {name} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)
            print(json.dumps(results[name], indent=2), file=sys.stderr)
    finally:
        ray.shutdown()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ray_bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
