"""Time the attribution engine on one long article: 0.5 MB and 2 MB, before and after.

Usage: python bench/attribution_long.py [--ref main] [--eval-dir ../shared/eval] [--sizes 0.5,2]

A long article is the dev set's articles of one language joined end to end until the size is
reached. Each is analysed once by ``--ref``'s engine (read as attribution_same.py does) and
once by the working tree's, in the same process, so the two figures share one machine state.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from attribution_eval import SETS  # noqa: E402
from attribution_same import load_reference  # noqa: E402

from summarizer.attribution import analyze  # noqa: E402


def long_article(path: Path, size: int) -> str:
    """The articles in ``path`` joined as paragraphs until the text holds ``size`` bytes."""
    with path.open(encoding="utf-8") as lines:
        articles = [json.loads(line)["text"] for line in lines]
    parts: list[str] = []
    total = 0
    while total < size:
        parts.append(articles[len(parts) % len(articles)])
        total += len(parts[-1].encode("utf-8")) + 2
    return "\n\n".join(parts)


def seconds(engine: Callable[[str], Any], text: str) -> float:
    started = time.perf_counter()
    engine(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="main", help="git revision of the engine to compare")
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--sizes", default="0.5,2", help="article sizes in MB, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        reference = load_reference(args.ref, Path(folder))
        print(f"| article | size | engine at {args.ref} | this engine |")
        print("|---|---:|---:|---:|")
        for label, filename in SETS.items():
            for mb in (float(s) for s in args.sizes.split(",")):
                text = long_article(
                    args.eval_dir / "quote-attribution-dev" / filename, int(mb * 1e6)
                )
                before, after = seconds(reference, text), seconds(analyze, text)
                print(f"| {label} | {mb:g} MB | {before:.1f} s | {after:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
