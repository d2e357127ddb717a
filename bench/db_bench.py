"""Benchmark the archive database: actor identity on real data, import rate, size, latency.

- ``identity``: precision and recall of merging actors across articles, on the dev set's
  named speakers (../shared/eval/quote-attribution-dev, read from there, never copied).
- ``import``: results per second and bytes per article for generated archives.
- ``query``: ``search`` and ``actor`` latency, median and p95, on the generated archives
  (warmed by five calls first; the timeline also with the archive evicted from the OS page
  cache first, where the OS allows).
- ``optimize``: ``summarizer db optimize`` on each generated archive (size before and after,
  time); with ``query``, the latencies again after it.
- ``batch``: ``summarizer batch --db`` against the same run without, instant fake model.
- ``import-ab``: with ``--baseline``, the import rate of this code and another checkout's,
  alternating (the first of ``--sizes``; not in the default run).

Usage: ``python bench/db_bench.py [--only identity,import,query,optimize,batch]
[--sizes 10000,100000] [--keep DIR] [--baseline DIR]``; with ``--keep``, ``--only query``
reuses the archives an earlier run kept; with ``--baseline``, the batch figures of another
checkout are taken in the same rounds (an A/B under the same load).
Figures are printed as Markdown and saved to bench/out/db_bench.json.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.attribution.lexicon import is_title  # noqa: E402
from summarizer.db import (  # noqa: E402
    actor_timeline,
    fill_articles,
    import_lines,
    open_archive,
    search,
)
from summarizer.db.identity import actor_key  # noqa: E402
from summarizer.db.schema import optimize  # noqa: E402
from summarizer.schema import Article  # noqa: E402

OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))
DEV = ROOT.parent / "shared" / "eval" / "quote-attribution-dev" / "polnear_train.jsonl"
_PROVENANCE = {
    "engine": "offline",
    "tool_version": "bench",
    "created_at": "2026-01-01T00:00:00Z",
}


# ---- identity ---------------------------------------------------------------------------------


def gold_key(name: str, text: str) -> str | None:
    """The gold identity of a named speaker: its canonical name, folded; a surname alone is
    expanded to the one first name the article's own text puts before it (None when the text
    gives none or several: then the article itself cannot say who it is, and the item is
    left out)."""
    if " " in name.strip():
        return actor_key(name).key
    firsts = {
        m.group(1)
        for m in re.finditer(rf"\b([A-Z][a-z]+)(?:\s+[A-Z]\.)?\s+{re.escape(name)}\b", text)
        if not is_title(m.group(1)) and m.group(1) not in {"The", "A", "In", "And", "But", "Mr"}
    }
    if len(firsts) != 1:
        return None
    return actor_key(f"{firsts.pop()} {name}").key


def dev_items(path: Path, variant: str) -> Iterator[tuple[str, str, str]]:
    """(article id, input name, gold key) for every named speaker with quotes."""
    with path.open(encoding="utf-8") as file:
        for raw in file:
            row = json.loads(raw)
            for speaker in row["speakers"]:
                if speaker["kind"] != "named" or not speaker["quotes"]:
                    continue
                gold = gold_key(speaker["name"], row["text"])
                if gold is None:
                    continue
                name = speaker["name"]
                if variant == "longest mention":
                    name = max([name, *speaker["mentions"]], key=len)
                yield row["id"], name, gold


def identity(path: Path) -> list[dict[str, Any]]:
    rows = []
    for variant in ("canonical name", "longest mention"):
        items = list(dev_items(path, variant))
        with tempfile.TemporaryDirectory() as folder:
            db = open_archive(Path(folder) / "dev.db")
            lines: list[str] = []
            for article, group in itertools.groupby(items, key=lambda item: item[0]):
                positions = [
                    {
                        "actor": name,
                        "kind": "person",
                        "role": "",
                        "stance": "unclear",
                        "position": "-",
                        "quotes": [],
                    }
                    for _, name, _ in group
                ]
                lines.append(
                    json.dumps(
                        {
                            "id": article,
                            "issue": "-",
                            "summary": "-",
                            "positions": positions,
                            "provenance": {**_PROVENANCE, "article_sha256": f"{len(lines):064x}"},
                        }
                    )
                )
            import_lines(db, lines, source="dev")
            predicted = [
                actor
                for (actor,) in db.execute(
                    "SELECT actor FROM positions "
                    "ORDER BY article, CAST(substr(id, instr(id, '/p') + 2) AS INTEGER)"
                )
            ]
        gold = [g for _, _, g in items]
        rows.append({"input": variant, "items": len(items), **pairwise(predicted, gold)})
    return rows


def pairwise(predicted: list[str], gold: list[str]) -> dict[str, Any]:
    """Pairwise precision and recall of a clustering, counted over pairs of items."""

    def pairs(labels: list[str]) -> set[tuple[int, int]]:
        groups: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(label, []).append(i)
        return {p for g in groups.values() for p in itertools.combinations(g, 2)}

    said, true = pairs(predicted), pairs(gold)
    hit = len(said & true)
    return {
        "precision": round(hit / len(said), 3) if said else 1.0,
        "recall": round(hit / len(true), 3) if true else 1.0,
        "gold actors": len(set(gold)),
        "merged actors": len(set(predicted)),
    }


# ---- generated archives -----------------------------------------------------------------------

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Frank",
    "Greta",
    "Hans",
    "Ines",
    "Jonas",
    "Karin",
    "Lukas",
    "Maria",
    "Nils",
    "Olga",
    "Paul",
]
LAST = [
    "Adler",
    "Bauer",
    "Costa",
    "Dietz",
    "Engel",
    "Fischer",
    "Graf",
    "Hahn",
    "Ivanova",
    "Jung",
    "Keller",
    "Lange",
    "Meyer",
    "Novak",
    "Ortiz",
    "Peters",
    "Quinn",
    "Roth",
    "Schulz",
    "Teller",
    "Ulrich",
    "Vogel",
    "Weber",
    "Young",
    "Zimmer",
    "Brandt",
    "Horn",
    "Kraus",
    "Lenz",
    "Marx",
]
OUTLETS = [f"Outlet {n}" for n in range(20)]
STANCES = ["supports", "opposes", "conditional", "mixed", "neutral", "unclear"]


def vocabulary(size: int = 5000) -> list[str]:
    rng = random.Random(1)
    letters = "abcdefghiklmnoprstuvw"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(size)]


WORDS = vocabulary()
PEOPLE = [f"{f} {la}" for f in FIRST for la in LAST]  # 480 people; surnames shared by 16 each


def words(rng: random.Random, count: int) -> str:
    # Zipf-like: a few words are everywhere, most are rare, as in news text.
    return " ".join(
        WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(count)
    )


def generated(count: int) -> Iterator[tuple[str, Article]]:
    """(output line, article) pairs: 1-5 positions, 0-3 quotes each, ~300-word articles."""
    for n in range(count):
        rng = random.Random(n)
        text = words(rng, 300)
        sha = hashlib.sha256(text.encode()).hexdigest()
        positions = []
        for person in rng.sample(PEOPLE, rng.randint(1, 5)):
            name = person.split()[-1] if rng.random() < 0.2 else person
            quotes = [
                {
                    "text": words(rng, rng.randint(5, 25)),
                    "verified": True,
                    "start": 0,
                    "end": 10,
                    "speaker": name,
                    "attribution": "agrees",
                }
                for _ in range(rng.randint(0, 3))
            ]
            positions.append(
                {
                    "actor": name,
                    "kind": "person",
                    "role": "Minister",
                    "stance": rng.choice(STANCES),
                    "position": words(rng, 25),
                    "quotes": quotes,
                    "statements": [words(rng, 15)],
                }
            )
        line = {
            "id": f"a{n}",
            "record": n + 1,
            "line": n + 1,
            "ok": True,
            "cached": False,
            "issue": words(rng, 8) + "?",
            "summary": words(rng, 60),
            "positions": positions,
            "provenance": {**_PROVENANCE, "article_sha256": sha},
        }
        day = rng.randint(0, 729)
        article = Article(
            text=text,
            id=f"a{n}",
            title=words(rng, 8),
            source=rng.choice(OUTLETS),
            date=time.strftime("%Y-%m-%d", time.gmtime(1_700_000_000 + day * 86400)),
            url=f"https://news.example/{n}",
        )
        yield json.dumps(line), article


def import_figures(count: int, folder: Path) -> tuple[dict[str, Any], Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"archive-{count}.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)  # a kept archive from an earlier run is built anew
    out = folder / f"out-{count}.jsonl"
    articles: list[tuple[str, Article]] = []
    with out.open("w", encoding="utf-8") as file:
        for line, article in generated(count):
            file.write(line + "\n")
            articles.append((article.id or "", article))
    db = open_archive(path)
    started = time.perf_counter()
    with out.open(encoding="utf-8") as lines:
        stats = import_lines(db, lines, source=str(out))
    imported = time.perf_counter() - started
    started = time.perf_counter()
    fill_articles(db, articles)
    filled = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    size = path.stat().st_size
    return {
        "results": count,
        "positions": stats.positions,
        "quotes": stats.quotes,
        "import results/s": round(count / imported),
        "with archive text results/s": round(count / (imported + filled)),
        "DB MB": round(size / 1e6, 1),
        "KB per article": round(size / count / 1e3, 1),
    }, path


COLD = "actor timeline, archive evicted from the OS page cache first"


def evict(path: Path) -> None:
    """Drop the archive's pages from the OS page cache (as after a reboot, or when other jobs
    needed the memory): the next reads go to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def optimized(path: Path) -> dict[str, Any]:
    """``summarizer db optimize`` on the archive: its size before and after, and its time."""
    db = open_archive(path, create=False)
    started = time.perf_counter()
    before, after = optimize(db)
    seconds = time.perf_counter() - started
    db.close()
    return {
        "archive": path.stem.split("-")[-1],
        "DB MB before": round(before / 1e6, 1),
        "DB MB after": round(after / 1e6, 1),
        "seconds": round(seconds, 1),
    }


def latency(path: Path, runs: int = 200, *, state: str = "as built") -> list[dict[str, Any]]:
    db = open_archive(path, create=False)
    rng = random.Random(7)
    common, rare = WORDS[:20], WORDS[200:2000]
    cases: dict[str, list[tuple[Any, tuple[Any, ...], dict[str, Any]]]] = {
        "search, one common word": [(search, (db, rng.choice(common)), {}) for _ in range(runs)],
        "search, two words": [
            (search, (db, f"{rng.choice(common)} {rng.choice(rare)}"), {}) for _ in range(runs)
        ],
        "search, one common word + actor": [
            (search, (db, rng.choice(common)), {"actor": rng.choice(PEOPLE)}) for _ in range(runs)
        ],
        "search, rare word + actor + since": [
            (search, (db, rng.choice(rare)), {"actor": rng.choice(PEOPLE), "since": "2024-01-01"})
            for _ in range(runs)
        ],
        "actor timeline": [(actor_timeline, (db, rng.choice(PEOPLE)), {}) for _ in range(runs)],
    }
    if hasattr(os, "posix_fadvise"):
        cases[COLD] = [(actor_timeline, (db, rng.choice(PEOPLE)), {}) for _ in range(runs)]
    rows = []
    for label, calls in cases.items():
        if label == COLD:
            evict(path)
        else:
            for function, args, kwargs in calls[:5]:
                function(*args, **kwargs)  # warm the page cache
        times = []
        for function, args, kwargs in calls:
            started = time.perf_counter()
            function(*args, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        rows.append(
            {
                "archive": path.stem.split("-")[-1],
                "state": state,
                "query": label,
                "runs": len(times),
                "median ms": round(statistics.median(times), 1),
                "p95 ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
        )
    return rows


_ONE_BATCH = """
import asyncio, json, os, sys, time
from pathlib import Path
tree, source, out, db = sys.argv[1:5]
sys.path[:0] = [tree, tree + "/bench"]
from batch_bench import InstantModel, warm_up
from summarizer.batch.cache import NullCache
from summarizer.batch.runner import run_batch
from summarizer.config import Settings
warm_up()
settings = Settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1")
def children():
    times = os.times()
    return times.children_user + times.children_system
started, started_cpu, started_children = time.perf_counter(), time.process_time(), children()
asyncio.run(run_batch(Path(source), Path(out), settings=settings, client=InstantModel(),
                      cache=NullCache(), progress=False, db=Path(db) if db else None))
wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
import sqlite3
stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0] if db else 0
print(json.dumps([wall, cpu, children() - started_children, stored]))
"""
"""One timed ``run_batch`` in a process of its own, with the code of the tree it is given:
wall time, the process's CPU time, and its child processes' (a writer process, once ended)."""


_ONE_IMPORT = """
import json, sys, tempfile, time
from pathlib import Path
tree, count = sys.argv[1], int(sys.argv[2])
sys.path[:0] = [tree, tree + "/bench"]
from db_bench import generated
from summarizer.db import import_lines, open_archive
lines = [line for line, _ in generated(count)]
with tempfile.TemporaryDirectory() as folder:
    db = open_archive(Path(folder) / "archive.db")
    started, started_cpu = time.perf_counter(), time.process_time()
    import_lines(db, lines, source="generated")
    print(json.dumps([time.perf_counter() - started, time.process_time() - started_cpu]))
"""
"""One timed import of ``count`` generated results into a new database, with a tree's code."""


def import_ab(count: int, rounds: int, baseline: Path) -> list[dict[str, Any]]:
    """Import rate of this code and of ``baseline``, alternating, each import a process of
    its own: an A/B under the same load."""
    trees = {"this code": ROOT, "baseline": baseline.resolve()}
    times: dict[str, list[tuple[float, float]]] = {tree: [] for tree in trees}
    for n in range(rounds):
        for tree in trees if n % 2 == 0 else reversed(trees):
            done = subprocess.run(
                [sys.executable, "-c", _ONE_IMPORT, str(trees[tree]), str(count)],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{tree}, import round {n + 1} failed:\n{done.stderr}")
            seconds, cpu_seconds = json.loads(done.stdout.splitlines()[-1])
            times[tree].append((seconds, cpu_seconds))
    return [
        {
            "code": tree,
            "results": count,
            "rounds": rounds,
            "import results/s, each round": " / ".join(f"{count / w:.0f}" for w, _ in runs),
            "CPU s, each round": " / ".join(f"{c:.1f}" for _, c in runs),
        }
        for tree, runs in times.items()
    ]


def batch_overhead(
    count: int, folder: Path, rounds: int = 7, baseline: Path | None = None
) -> list[dict[str, Any]]:
    """`batch --db` against the same run without, instant in-process model, -j 8.

    Wall time on a shared machine swings with other jobs, so each round runs every variant
    back to back (in an order that turns with the round) and the overhead is the median of
    the rounds' ratios; the CPU time of the batch's process and its child processes (every
    thread, and a database writer process) is reported beside it: the work --db adds,
    wherever it ran; and the batch's process's alone. Each run is a process
    of its own (started, warmed up, then timed), so ``baseline``, another checkout of
    summarizer, is timed in the same rounds under the same load."""
    from batch_bench import write_archive

    source = write_archive(folder / "batch-in.jsonl", count, 300)
    trees = {"this code": ROOT} | ({"baseline": baseline.resolve()} if baseline else {})
    variants = [(tree, label) for tree in trees for label in ("without --db", "with --db")]
    wall: dict[tuple[str, str], list[float]] = {v: [] for v in variants}
    cpu: dict[tuple[str, str], list[float]] = {v: [] for v in variants}
    own: dict[tuple[str, str], list[float]] = {v: [] for v in variants}
    for n in range(rounds):
        turned = variants[n % len(variants) :] + variants[: n % len(variants)]
        for tree, label in turned if n % 2 == 0 else reversed(turned):
            name = f"batch-{tree.replace(' ', '-')}-{n}"
            db = str(folder / f"{name}.db") if label == "with --db" else ""
            out = folder / f"{name}-{'db' if db else 'plain'}.jsonl"
            done = subprocess.run(
                [sys.executable, "-c", _ONE_BATCH, str(trees[tree]), str(source), str(out), db],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{tree}, {label}, round {n + 1} failed:\n{done.stderr}")
            seconds, cpu_seconds, child_seconds, stored = json.loads(done.stdout.splitlines()[-1])
            if db and stored != count:
                raise SystemExit(f"{tree}, round {n + 1}: {stored} of {count} articles stored")
            wall[tree, label].append(seconds)
            cpu[tree, label].append(cpu_seconds + child_seconds)
            own[tree, label].append(cpu_seconds)

    def overhead(times: dict[tuple[str, str], list[float]], tree: str, label: str) -> str:
        plain = times[tree, "without --db"]
        ratios = [w / b - 1 for w, b in zip(times[tree, label], plain, strict=True)]
        return f"{statistics.median(ratios) * 100:+.1f} %"

    return [
        {
            "code": tree,
            "run": label,
            "articles": count,
            "rounds": rounds,
            "median wall s": round(statistics.median(wall[tree, label]), 2),
            "wall vs without (median of rounds)": overhead(wall, tree, label),
            "median CPU s": round(statistics.median(cpu[tree, label]), 2),
            "CPU vs without (median of rounds)": overhead(cpu, tree, label),
            "median CPU s, batch's process": round(statistics.median(own[tree, label]), 2),
            "batch's process CPU vs without": overhead(own, tree, label),
        }
        for tree, label in variants
    ]


def markdown(rows: list[dict[str, Any]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="identity,import,query,optimize,batch")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--batch-articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7, help="Rounds of the batch figures.")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="Another checkout of summarizer (e.g. `git worktree add /tmp/base main`): its "
        "batch (and import-ab) figures are taken in the same rounds as this code's.",
    )
    parser.add_argument("--tmp", help="Folder for the generated archives (default: the system's).")
    parser.add_argument(
        "--keep",
        type=Path,
        help="Keep the generated archives in this folder and reuse them on the next run "
        "(the query figures without rebuilding; no import figures for a reused archive).",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    figures: dict[str, Any] = {}
    if "identity" in only:
        figures["identity"] = identity(args.dev)
        print(markdown(figures["identity"]))
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        if only & {"import", "query", "optimize"}:
            figures["import"], figures["query"] = [], []
            for count in map(int, args.sizes.split(",")):
                kept = args.keep / f"archive-{count}.db" if args.keep else None
                if kept is not None and kept.is_file() and "import" not in only:
                    path = kept
                else:
                    row, path = import_figures(count, args.keep or folder)
                    figures["import"].append(row)
                    print(markdown([row]), flush=True)
                if "query" in only:
                    rows = latency(path)
                    figures["query"] += rows
                    print(markdown(rows), flush=True)
                if "optimize" in only:
                    row = optimized(path)
                    figures.setdefault("optimize", []).append(row)
                    print(markdown([row]), flush=True)
                    if "query" in only:
                        rows = latency(path, state="after db optimize")
                        figures["query"] += rows
                        print(markdown(rows), flush=True)
                if kept is None:
                    os.remove(path)
        if "import-ab" in only:
            if args.baseline is None:
                raise SystemExit("--only import-ab needs --baseline DIR")
            size = int(args.sizes.split(",")[0])
            figures["import-ab"] = import_ab(size, args.rounds, args.baseline)
            print(markdown(figures["import-ab"]), flush=True)
        if "batch" in only:
            figures["batch"] = batch_overhead(
                args.batch_articles, folder, args.rounds, args.baseline
            )
            print(markdown(figures["batch"]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "db_bench.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
