"""The engine's mistakes on the dev sets, counted by kind: which false positives, which
attributions fail and why.

Usage: python bench/attribution_errors.py [--eval-dir ../shared/eval] [--set German]
       [--half first|second] [--show KIND]

Each engine quote is scored alone with the benchmark's own rules (``score_quotes``); a false
positive or a wrong speaker is then put in the first kind whose test fits, read off the text
around it. The tests are surface rules, so a row is an estimate of where the errors are, not
a gold label. ``--show KIND`` prints the errors of one kind with their context.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from attribution_eval import SETS, engine_quotes

from summarizer.attribution import analyze
from summarizer.evaluation import GoldRecord, load_gold, score_quotes
from summarizer.evaluation.gold import GoldSpeaker
from summarizer.evaluation.score import ShownQuote

REPO = Path(__file__).resolve().parent.parent

_WORK = re.compile(
    r"\b(?:titel|titled|motto|film|buch|book|album|lied|song|serie|series|studie|sendung|"
    r"zeitung|magazin\w*|blatt|namen|name|heißt|hieß|nennt|genannt|called|named|"
    r"organisation|initiative|aktion|bündnis|partei|gesetz\w*|preis|kampagne)\W*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:er|sie|he|she|they)\b", re.IGNORECASE)
_SO_LAUT = re.compile(r"(?:[“”\"»«],?\s+so\s)|\b(?:laut|zufolge|according to)\b", re.IGNORECASE)
_GENITIVE = re.compile(
    r"\b\w+(?:sprecher|sprecherin|chef|chefin|leiter|leiterin|präsident|präsidentin|"
    r"spokesman|spokeswoman|head)\s+(?:des|der|of)\s",
    re.IGNORECASE,
)
_SPEECH_DE = re.compile(
    r"\b(?:sagte|sagt|erklärte|betonte|meinte|so|schrieb|warnte|kritisierte|sprach|"
    r"said|says|told)\b",
)


@dataclass(frozen=True, slots=True)
class Error:
    record: GoldRecord
    quote: ShownQuote
    kind: str  # false_positive or attribution
    gold: GoldSpeaker | None


def _errors(record: GoldRecord) -> Iterator[Error]:
    by_name = {s.name: s for s in record.speakers}
    for quote in engine_quotes(analyze(record.text)):
        counts = score_quotes(record, [quote])
        for mistake in counts.mistakes:
            if mistake.kind in ("false_positive", "attribution"):
                yield Error(record, quote, mistake.kind, by_name.get(mistake.gold or ""))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """A rough sentence around ``text[start:end]``: from the last stop or line break before it
    to the first after it."""
    a = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    return a, (min(stops) + 1 if stops else len(text))


def _mention_at(error: Error) -> int | None:
    """Where the gold speaker is named nearest the quote (any annotated mention)."""
    if error.gold is None:
        return None
    text, q = error.record.text, error.quote
    best: int | None = None
    for name in error.gold.names:
        for m in re.finditer(re.escape(name), text):
            if q.start is not None and q.start <= m.start() < (q.end or 0):
                continue  # inside the quote itself
            if best is None or abs(m.start() - (q.start or 0)) < abs(best - (q.start or 0)):
                best = m.start()
    return best


def false_positive_kind(error: Error) -> str:
    text, q = error.record.text, error.quote
    start = q.start or 0
    before = text[max(0, start - 40) : start - 1]
    words = q.text.split()
    if text[start - 1] in "«»":
        return "«» marks (names, emphasis)"
    if _WORK.search(before):
        return "title or name after a naming word (Motto, Titel, Partei, heißt)"
    if len(words) <= 12 and q.text[-1:] not in ".!?…" and q.text[:1].isupper():
        return "capitalised name or title (organisation, work, event)"
    if len(words) <= 4:
        return "scare quote or term"
    return "sentence the annotators left out"


def attribution_kind(error: Error) -> str:
    text, q = error.record.text, error.quote
    start, end = q.start or 0, q.end or 0
    if q.owner is None:
        return "no speaker found"
    a, b = _sentence(text, start, end)
    sentence = text[a:b]
    at = _mention_at(error)
    if error.gold and _GENITIVE.search(error.gold.name):
        return "role with genitive (der Sprecher des Ministeriums)"
    if _SO_LAUT.search(sentence):
        return "so / laut / zufolge"
    if at is None:
        return "gold speaker not named near the quote"
    if text.startswith(("Frage", "Wikinews"), a) or (":" in text[a : a + 30] and at < a):
        return "Q&A turn-taking"
    if at >= b:
        return "speaker after the quote's sentence (signed next line, next sentence)"
    if at < a:
        between = text[at:a]
        if _PRONOUN.search(sentence[: start - a]):
            return "pronoun er/sie to an earlier speaker"
        paragraph = "\n" in between
        return "speaker in an earlier paragraph" if paragraph else "speaker in an earlier sentence"
    verb = _SPEECH_DE.search(text, a, at)
    if verb and at < start:
        return "V2 inversion (Dazu sagte Müller: …)"
    return "wrong noun picked in the quote's sentence"


_CLASSIFY: dict[str, Callable[[Error], str]] = {
    "false_positive": false_positive_kind,
    "attribution": attribution_kind,
}


def table(records: list[GoldRecord], show: str | None = None) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for record in records:
        for error in _errors(record):
            kind = _CLASSIFY[error.kind](error)
            counts[(error.kind, kind)] += 1
            if show and show.lower() in kind.lower():
                q = error.quote
                context = record.text[max(0, (q.start or 0) - 200) : (q.end or 0) + 120]
                gold = error.gold.name if error.gold else None
                print(f"{record.id} tool={q.owner!r} gold={gold!r}")
                print("   ", context.replace("\n", " ¶ "), "\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--set", default="German", help="a word of the set's label")
    parser.add_argument("--half", choices=("first", "second"), help="score half of the set")
    parser.add_argument("--show", help="print the errors whose kind contains this text")
    args = parser.parse_args()
    label, filename = next((k, v) for k, v in SETS.items() if args.set.lower() in k.lower())
    records = list(load_gold(args.eval_dir / "quote-attribution-dev" / filename))
    if args.half:
        middle = len(records) // 2
        records = records[:middle] if args.half == "first" else records[middle:]
    counts = table(records, args.show)
    print(f"{label}, {len(records)} articles", file=sys.stderr)
    print("| error | kind | count |")
    print("|---|---|---|")
    for (error, kind), n in sorted(counts.items(), key=lambda item: (item[0][0], -item[1])):
        print(f"| {error.replace('_', ' ')} | {kind} | {n} |")


if __name__ == "__main__":
    main()
