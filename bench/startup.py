"""How long an editor waits before a command starts: start-up time of the CLI, side by side.

Usage: python bench/startup.py [--runs 10]

Times whole processes (import included), the way an editor feels them: ``summarizer --help``,
``summarizer summarize examples/seed-article.txt --offline``, ``summarizer render`` of the
same article, against ``python -c "import click, rich"`` (the floor for a click + rich CLI).
Prints the minimum and median of each, and the ratio of medians to the floor. Machine speed
matters: compare rows of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "examples" / "seed-article.txt"
COMMANDS = {
    'python -c "import click, rich"': [sys.executable, "-c", "import click, rich"],
    "summarizer --help": [sys.executable, "-m", "summarizer", "--help"],
    "summarizer render (seed)": [sys.executable, "-m", "summarizer", "render", str(SEED)],
    "summarizer summarize --offline (seed)": [
        sys.executable, "-m", "summarizer", "summarize", str(SEED), "--offline"
    ],
}  # fmt: skip


def timed(command: list[str], runs: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=REPO)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    floor = None
    print("| command | min s | median s | × floor (median) |")
    print("|---|---|---|---|")
    for label, command in COMMANDS.items():
        times = timed(command, args.runs)
        median = statistics.median(times)
        floor = floor or median
        print(f"| `{label}` | {min(times):.2f} | {median:.2f} | {median / floor:.1f} |")


if __name__ == "__main__":
    main()
