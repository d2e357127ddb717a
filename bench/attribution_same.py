"""Check that the attribution engine gives identical results to a git revision's engine.

Usage: python bench/attribution_same.py [--ref main] [--eval-dir ../shared/eval] [--generated 200]

The reference engine is read with ``git show REF:summarizer/attribution/*.py`` into a temporary
package, so a speed-up can be proven to change no result: every dev-set article (English and
German), the seed article and generated 1,000-word articles go through both engines, and their
``Attribution`` values (quotes, speakers, roles, cues, kinds, actors, aliases, statements) must
be equal. Exits 1 on the first difference, printing it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from attribution_eval import SETS  # noqa: E402
from batch_bench import SEED, make_article  # noqa: E402

from summarizer.attribution import analyze  # noqa: E402

_REF_PACKAGE = "_attribution_ref"


def load_reference(ref: str, folder: Path) -> Callable[[str], Any]:
    """``analyze`` from ``ref``'s summarizer/attribution, imported as its own package."""
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{ref}:summarizer/attribution"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    package = folder / _REF_PACKAGE
    package.mkdir()
    for name in listing:
        if not name.endswith(".py"):
            continue
        source = subprocess.run(
            ["git", "show", f"{ref}:summarizer/attribution/{name}"],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (package / name).write_text(source.replace("summarizer.attribution", _REF_PACKAGE))
    sys.path.insert(0, str(folder))
    module = importlib.import_module(_REF_PACKAGE)
    analyze: Callable[[str], Any] = module.analyze  # imported by name: mypy sees Any
    return analyze


def texts(eval_dir: Path, generated: int) -> Iterator[tuple[str, str]]:
    """(label, text) of every dev-set article, the seed article and generated articles."""
    for filename in SETS.values():
        path = eval_dir / "quote-attribution-dev" / filename
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                yield f"{filename}:{record['id']}", record["text"]
    yield "seed", SEED
    for n in range(generated):
        yield f"generated-{n}", make_article(n, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="main", help="git revision of the reference engine")
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--generated", type=int, default=200, help="generated articles")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reference = load_reference(args.ref, Path(tmp))
        checked = 0
        for label, text in texts(args.eval_dir, args.generated):
            old, new = reference(text), analyze(text)
            if dataclasses.asdict(old) != dataclasses.asdict(new):
                print(f"DIFFERENT: {label}\n  {args.ref}: {old}\n  now: {new}")
                sys.exit(1)
            checked += 1
    print(f"identical: {checked} articles, engine at {args.ref} and in the working tree")


if __name__ == "__main__":
    main()
