"""Time the attribution engine per article: generated 1,000-word articles and the dev set.

Usage: python bench/attribution_speed.py [--eval-dir ../shared/eval] [--articles 300] [--rounds 3]

Each article is analysed ``--rounds`` times and its fastest time kept (the machine is shared);
the table gives the median and p90 over articles, and articles per second on one core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from attribution_eval import SETS  # noqa: E402
from batch_bench import make_article  # noqa: E402

from summarizer.attribution import analyze  # noqa: E402


def timings(texts: list[str], rounds: int) -> list[float]:
    """The fastest of ``rounds`` runs of ``analyze`` on each text, in seconds."""
    best = [float("inf")] * len(texts)
    for _ in range(rounds):
        for i, text in enumerate(texts):
            started = time.perf_counter()
            analyze(text)
            best[i] = min(best[i], time.perf_counter() - started)
    return sorted(best)


def row(label: str, texts: list[str], rounds: int) -> str:
    times = timings(texts, rounds)
    words = statistics.median(len(t.split()) for t in texts)
    return (
        f"| {label} | {len(texts)} | {words:.0f} | {statistics.median(times) * 1000:.2f} | "
        f"{times[int(len(times) * 0.9)] * 1000:.2f} | {len(times) / sum(times):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--articles", type=int, default=300, help="generated articles")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = [
        row(
            "generated, 1,000 words",
            [make_article(n, 1000) for n in range(args.articles)],
            args.rounds,
        )
    ]
    for label, filename in SETS.items():
        path = args.eval_dir / "quote-attribution-dev" / filename
        with path.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines]
        rows.append(row(label, texts, args.rounds))
    print("| articles | n | median words | median ms | p90 ms | articles/s |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
