"""Score summarizer's HTML extraction on the shared news-page set (../shared/eval/html).

Run from the repository root::

    python -m bench.extract_eval [--eval-dir ../shared/eval] [--json out.json]

- ``full_text`` (Scrapinghub Article Extraction Benchmark): precision, recall and F1 over word
  4-gram shingles, each page weighted equally, as the benchmark's own evaluate.py computes them.
- ``full_text_tool_output``: the same metric against newspaper3k's accepted output; agreement
  with another tool, not accuracy.
- ``contains``: a page passes when every ``with`` string is in the text and no ``without``
  string is; ``prefix``: the text starts with the expected prefix. Both after collapsing
  whitespace, since paragraph breaks differ between tools.
- Pages per second: extraction alone (decoding and trafilatura), one process.

The eval texts stay in ../shared/eval; nothing from them is written into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import InputError
from summarizer.sources.extract import extract_html

REPO_ROOT = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"\w+")


@dataclass
class Page:
    id: str
    kind: str
    html: bytes
    url: str | None
    expected: dict[str, Any]


@dataclass
class Scores:
    """Per-type tallies, filled page by page."""

    shingles: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    passed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    pages: int = 0
    no_article: int = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO_ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing pages")
    args = parser.parse_args(argv)
    html_dir = args.eval_dir / "html"
    if not (html_dir / "manifest.jsonl").is_file():
        print(f"error: {html_dir}/manifest.jsonl not found; pass --eval-dir.", file=sys.stderr)
        return 2
    scores = Scores()
    for page in _pages(html_dir, args.limit):
        _score(page, scores)
    report = _report(scores)
    print(_format(report, scores if args.verbose else None))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _pages(html_dir: Path, limit: int | None) -> Iterator[Page]:
    gold_file = html_dir / "scrapinghub-aeb" / "ground-truth.json"
    gold = json.loads(gold_file.read_text("utf-8")) if gold_file.exists() else {}
    with (html_dir / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for number, line in enumerate(manifest, 1):
            if limit is not None and number > limit:
                return
            row = json.loads(line)
            raw = (html_dir / row["file"]).read_bytes()
            expected = dict(row["expected"])
            if expected["type"] == "full_text":
                expected["text"] = gold[expected["key"]]["articleBody"]
            elif expected["type"] == "full_text_tool_output":
                expected["text"] = (html_dir / expected["text_file"]).read_text("utf-8")
            html = gzip.decompress(raw) if row.get("gzip") else raw
            yield Page(row["id"], expected["type"], html, row.get("url"), expected)


def _score(page: Page, scores: Scores) -> None:
    start = time.perf_counter()
    try:
        text = extract_html(page.html, source=page.id, url=page.url).text
    except InputError:
        text = ""
        scores.no_article += 1
    scores.seconds += time.perf_counter() - start
    scores.pages += 1
    expected = page.expected
    if page.kind in ("full_text", "full_text_tool_output"):
        scores.shingles.setdefault(page.kind, []).append(_shingle_match(expected["text"], text))
        return
    if page.kind == "none":
        return
    flat = " ".join(text.split())
    if page.kind == "contains":
        ok = all(" ".join(s.split()) in flat for s in expected.get("with", [])) and not any(
            " ".join(s.split()) in flat for s in expected.get("without", [])
        )
    else:
        ok = flat.startswith(" ".join(expected["prefix"].split()))
    scores.total[page.kind] += 1
    scores.passed[page.kind] += ok
    if not ok:
        scores.failures.setdefault(page.kind, []).append(page.id)


def _shingle_match(gold: str, predicted: str, n: int = 4) -> tuple[float, float, float]:
    """True positives, false positives, false negatives over word n-grams, normalised to 1."""
    want, got = _shingles(gold, n), _shingles(predicted, n)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def _prf(tallies: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean per-page precision and recall, and F1 of those means (the benchmark's definition)."""
    precision = statistics.mean(
        1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in tallies if tp + fp > 0
    )
    recall = statistics.mean(
        1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in tallies if tp + fn > 0
    )
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(tallies)}


def _report(scores: Scores) -> dict[str, Any]:
    report: dict[str, Any] = {kind: _prf(t) for kind, t in scores.shingles.items() if t}
    for kind, total in scores.total.items():
        report[kind] = {
            "passed": scores.passed[kind],
            "pages": total,
            "rate": scores.passed[kind] / total,
        }
    report["speed"] = {
        "pages": scores.pages,
        "seconds": scores.seconds,
        "pages_per_second": scores.pages / scores.seconds if scores.seconds else 0.0,
        "no_article": scores.no_article,
    }
    return report


def _format(report: dict[str, Any], verbose: Scores | None) -> str:
    lines = []
    for kind in ("full_text", "full_text_tool_output"):
        if kind in report:
            r = report[kind]
            lines.append(
                f"{kind:<22} precision={r['precision']:.3f} recall={r['recall']:.3f} "
                f"F1={r['f1']:.3f} ({r['pages']} pages)"
            )
    for kind in ("contains", "prefix"):
        if kind in report:
            r = report[kind]
            lines.append(f"{kind:<22} passed {r['passed']}/{r['pages']} ({r['rate']:.1%})")
    s = report["speed"]
    lines.append(
        f"{'speed':<22} {s['pages_per_second']:.1f} pages/s ({s['pages']} pages in "
        f"{s['seconds']:.1f} s, {s['no_article']} with no article found)"
    )
    if verbose is not None:
        for kind, ids in verbose.failures.items():
            lines.append(f"failed {kind}: {', '.join(ids)}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
