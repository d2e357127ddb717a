"""Benchmark the archive database: actor identity on real data, import rate, size, latency.

- ``identity``: precision and recall of merging actors across articles, on the dev set's
  named speakers (../shared/eval/quote-attribution-dev, read from there, never copied).
- ``import``: results per second and bytes per article for generated archives.
- ``query``: ``search`` and ``actor`` latency, median and p95, on the generated archives.
- ``batch``: ``summarizer batch --db`` against the same run without, instant fake model.

Usage: ``python bench/db_bench.py [--only identity,import,query,batch] [--sizes 10000,100000]``.
Figures are printed as Markdown and saved to bench/out/db_bench.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.attribution.lexicon import is_title  # noqa: E402
from summarizer.db import import_lines, open_archive  # noqa: E402
from summarizer.db.identity import actor_key  # noqa: E402

OUT = ROOT / "bench" / "out"
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
            lines = []
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


def markdown(rows: list[dict[str, Any]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="identity,import,query,batch")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dev", type=Path, default=DEV)
    args = parser.parse_args()
    only = set(args.only.split(","))
    figures: dict[str, Any] = {}
    if "identity" in only:
        figures["identity"] = identity(args.dev)
        print(markdown(figures["identity"]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "db_bench.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
