"""Score the offline attribution engine on the quote-attribution dev set (English and German).

Usage: python bench/attribution_eval.py [--eval-dir ../shared/eval] [--errors 20] [--limit N]
       [--half first|second] [--german FILE ...] [--english FILE ...]

``--german FILE`` and ``--english FILE`` score more records in the same format, each file as a
row of its own beside the two shared train files: held-out splits made by
bench/wikinews_split.py (German) and bench/polnear_split.py (English), e.g.

    python bench/polnear_split.py PolNeAR/data/dev > /tmp/polnear_dev.jsonl
    python bench/polnear_split.py PolNeAR/data/test > /tmp/polnear_test.jsonl
    python bench/attribution_eval.py --english /tmp/polnear_dev.jsonl \
        --english /tmp/polnear_test.jsonl

The articles are read from the eval folder and never copied into the repository. Scoring
follows the dev set's README: a tool quote matches a gold quote when one contains the other or
their offsets overlap by at least half of the shorter; a tool quote matching only an
``ignored_quotes`` entry is "don't care"; attribution is right when the tool's speaker matches
the gold name or one of its mentions, compared loosely (``match_actor``). The rules live in
``summarizer.evaluation.score``, shared with ``summarizer eval`` and bench/quotes_eval.py.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.attribution import SPEECH_KINDS, Attribution, analyze
from summarizer.evaluation import GoldRecord, QuoteCounts, load_gold, score_quotes
from summarizer.evaluation.score import Mistake, ShownQuote

REPO = Path(__file__).resolve().parent.parent
SETS = {"English (PolNeAR)": "polnear_train.jsonl", "German (WikiNews)": "de_wikinews_train.jsonl"}


@dataclass
class Score:
    articles: int = 0
    seconds: float = 0.0
    counts: QuoteCounts = field(default_factory=QuoteCounts)
    errors: list[str] = field(default_factory=list)


def engine_quotes(result: Attribution) -> list[ShownQuote]:
    """The engine's direct and partial quotes, each owned by the speaker it settled on."""
    return [
        ShownQuote(q.text, q.start, q.end, q.speaker)
        for q in result.quotes
        if q.kind in SPEECH_KINDS
    ]


def _error_line(record: GoldRecord, mistake: Mistake) -> str | None:
    label = {"false_positive": "FP ", "attribution": "ATTR", "missed_quote": "FN "}
    if mistake.kind not in label:
        return None
    who = f" tool={mistake.shown!r} gold={mistake.gold!r}" if mistake.kind == "attribution" else ""
    return f"{label[mistake.kind]} {record.id}:{who} {mistake.text[:70]!r}"


def run(path: Path, limit: int | None, half: str | None = None) -> Score:
    score = Score()
    records = list(load_gold(path, limit=limit))
    if half:  # the first or second half of the file, to see whether a figure holds on both
        middle = len(records) // 2
        records = records[:middle] if half == "first" else records[middle:]
    for record in records:
        started = time.perf_counter()
        result = analyze(record.text)
        score.seconds += time.perf_counter() - started
        score.articles += 1
        speakers = [a.name for a in result.actors if a.quotes]
        counts = score_quotes(record, engine_quotes(result), speakers=speakers)
        score.counts += counts
        score.errors += [line for m in counts.mistakes if (line := _error_line(record, m))]
    return score


def _ratio(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--errors", type=int, default=0, help="print this many errors per set")
    parser.add_argument("--limit", type=int, default=None, help="articles per set")
    parser.add_argument("--half", choices=("first", "second"), help="score half of each set")
    parser.add_argument("--german", type=Path, action="append", default=[], help="more records")
    parser.add_argument("--english", type=Path, action="append", default=[], help="more records")
    args = parser.parse_args()
    folder = args.eval_dir / "quote-attribution-dev"
    rows = []
    sets = [(label, folder / filename) for label, filename in SETS.items()]
    sets += [(f"German ({path.name})", path) for path in args.german]
    sets += [(f"English ({path.name})", path) for path in args.english]
    for label, path in sets:
        s = run(path, args.limit, args.half)
        c = s.counts
        rows.append(
            f"| {label} | {s.articles} | {_ratio(c.precision)} | {_ratio(c.recall)} | "
            f"{_ratio(c.attribution)} | {_ratio(c.speaker_recall)} | "
            f"{s.articles / s.seconds:.0f} |"
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
