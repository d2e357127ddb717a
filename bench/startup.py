"""How long an editor waits before a command starts: start-up time of the CLI, side by side.

Usage:
  python bench/startup.py [--runs 10]
  git worktree add /tmp/summarizer-before 88ba784      # an older tree, to compare with
  python bench/startup.py --runs 10 --tree /tmp/summarizer-before

Times whole processes (import included), the way an editor feels them: ``summarizer --help``,
``summarizer summarize examples/seed-article.txt --offline`` and ``summarizer render`` of the
same article, against ``python -c "import click, rich"`` (the floor for a click + rich CLI).
With ``--tree``, the older checkout runs the same commands in the same interpreter (its
package first on the path), each of its runs right after this tree's, so both see the same
machine. Compiled bytecode is allowed (``PYTHONDONTWRITEBYTECODE`` is unset: a user's
installed package has its ``.pyc`` files), and one unmeasured run per command writes it.
Prints the median of each, and its ratio to the floor's median. Machine speed matters:
compare rows of one run, not runs of different days.
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
FLOOR = 'python -c "import click, rich"'
COMMANDS = {
    FLOOR: ["-c", "import click, rich"],
    "summarizer --help": ["-m", "summarizer", "--help"],
    "summarizer summarize --offline (seed)": [
        "-m", "summarizer", "summarize", str(SEED), "--offline"
    ],
    "summarizer render (seed)": ["-m", "summarizer", "render", str(SEED)],
}  # fmt: skip


def environment(tree: Path | None) -> dict[str, str]:
    """No endpoint settings, bytecode allowed; an older tree first on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SUMMARIZER_", "OPENAI_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def once(args: list[str], tree: Path | None) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        check=True,
        capture_output=True,
        env=environment(tree),
        cwd=tree or REPO,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tree", type=Path, help="an older checkout to time alongside")
    args = parser.parse_args()
    trees: dict[str, Path | None] = {"now": None}
    if args.tree is not None:
        trees = {"before": args.tree.resolve(), "now": None}
    times: dict[tuple[str, str], list[float]] = {}
    for label, command in COMMANDS.items():
        for tree in trees.values():
            once(command, tree)  # writes the bytecode; not measured
        for _ in range(args.runs):
            for name, tree in trees.items():
                times.setdefault((label, name), []).append(once(command, tree))
    medians = {key: statistics.median(values) for key, values in times.items()}
    columns = list(trees)
    head = " | ".join(f"{name}: median s | {name}: × floor" for name in columns)
    print(f"| command | {head} |")
    print("|---|" + "---:|---:|" * len(columns))
    for label in COMMANDS:
        cells = []
        for name in columns:
            median = medians[(label, name)]
            cells.append(f"{median:.2f} | {median / medians[(FLOOR, name)]:.1f}")
        print(f"| `{label}` | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
