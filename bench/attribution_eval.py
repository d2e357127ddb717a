"""Score the offline attribution engine on the quote-attribution dev set (English and German).

Usage: python bench/attribution_eval.py [--eval-dir ../shared/eval] [--errors 20] [--limit N]

The articles are read from the eval folder and never copied into the repository. Scoring
follows the dev set's README: a tool quote matches a gold quote when one contains the other or
their offsets overlap by at least half of the shorter; a tool quote matching only an
``ignored_quotes`` entry is "don't care"; attribution is right when the tool's speaker matches
the gold name or one of its mentions, compared loosely (``match_actor``).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.attribution import Attribution, FoundQuote, analyze, match_actor

REPO = Path(__file__).resolve().parent.parent
SETS = {"English (PolNeAR)": "polnear_train.jsonl", "German (WikiNews)": "de_wikinews_train.jsonl"}
COUNTED_KINDS = ("direct", "partial")


@dataclass
class Score:
    articles: int = 0
    seconds: float = 0.0
    tool: int = 0
    true_pos: int = 0
    dont_care: int = 0
    gold: int = 0
    gold_found: int = 0
    attributed: int = 0
    attributed_right: int = 0
    speakers: int = 0
    speakers_found: int = 0
    errors: list[str] = field(default_factory=list)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _gold_quotes(record: dict[str, Any]) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    return [
        ((a, b), speaker) for speaker in record["speakers"] for a, b in speaker["quote_offsets"]
    ]


def _speaker_ok(quote: FoundQuote, speaker: dict[str, Any]) -> bool:
    if quote.speaker is None:
        return False
    names = [speaker["name"], *speaker["mentions"]]
    return any(match_actor(quote.speaker, name) for name in names)


def _score_article(record: dict[str, Any], result: Attribution, score: Score) -> None:
    text = record["text"]
    gold = _gold_quotes(record)
    ignored = [tuple(q["offset"]) for q in record["ignored_quotes"]]
    tool = [q for q in result.quotes if q.kind in COUNTED_KINDS]
    score.gold += len(gold)
    found = set()
    for quote in tool:
        span = (quote.start, quote.end)
        hits = [i for i, (g, _) in enumerate(gold) if _overlaps(span, g)]
        if not hits:
            if any(_overlaps(span, (a, b)) for a, b in ignored):
                score.dont_care += 1
            else:
                score.tool += 1
                score.errors.append(f"FP  {record['id']}: {quote.text[:70]!r}")
            continue
        score.tool += 1
        score.true_pos += 1
        found.update(hits)
        best = max(hits, key=lambda i: min(span[1], gold[i][0][1]) - max(span[0], gold[i][0][0]))
        speaker = gold[best][1]
        score.attributed += 1
        if _speaker_ok(quote, speaker):
            score.attributed_right += 1
        else:
            score.errors.append(
                f"ATTR {record['id']}: tool={quote.speaker!r} cue={quote.cue!r} "
                f"gold={speaker['name']!r} {quote.text[:50]!r}"
            )
    score.gold_found += len(found)
    for i, (g, _speaker) in enumerate(gold):
        if i not in found:
            score.errors.append(f"FN  {record['id']}: {text[g[0] : g[1]][:70]!r}")
    _score_speakers(record, result, score)


def _score_speakers(record: dict[str, Any], result: Attribution, score: Score) -> None:
    with_quotes = [s for s in record["speakers"] if s["quotes"]]
    named = [s for s in with_quotes if s["kind"] == "named"] or with_quotes
    tool_names = [a.name for a in result.actors if a.quotes]
    for speaker in named:
        score.speakers += 1
        names = [speaker["name"], *speaker["mentions"]]
        if any(match_actor(t, n) for t in tool_names for n in names):
            score.speakers_found += 1


def run(path: Path, limit: int | None) -> Score:
    score = Score()
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines][:limit]
    for record in records:
        started = time.perf_counter()
        result = analyze(record["text"])
        score.seconds += time.perf_counter() - started
        score.articles += 1
        _score_article(record, result, score)
    return score


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--errors", type=int, default=0, help="print this many errors per set")
    parser.add_argument("--limit", type=int, default=None, help="articles per set")
    args = parser.parse_args()
    folder = args.eval_dir / "quote-attribution-dev"
    rows = []
    for label, filename in SETS.items():
        s = run(folder / filename, args.limit)
        rows.append(
            f"| {label} | {s.articles} | {_ratio(s.true_pos, s.tool)} | "
            f"{_ratio(s.gold_found, s.gold)} | {_ratio(s.attributed_right, s.attributed)} | "
            f"{_ratio(s.speakers_found, s.speakers)} | {s.articles / s.seconds:.0f} |"
        )
        for line in s.errors[: args.errors]:
            print(line)
    print(
        "| set | articles | detection precision | detection recall | attribution accuracy "
        "| named-speaker recall | articles/s |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
