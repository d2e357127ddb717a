"""Score the engine's reported statements (indirect speech) against the dev sets' paraphrases.

Usage: python bench/statements_eval.py [--eval-dir ../shared/eval] [--german FILE ...]
       [--errors N]

A statement is a sentence of reported speech with its speaker ("Costa emphasized that …"):
the ``[S#]`` evidence an LLM summary cites beside the quotes. The dev sets annotate reported
speech as ``paraphrases`` of each speaker (PolNeAR: the content of every attribution that is
not a direct quote; German WikiNews: the indirect and free-indirect annotations). A statement
is scored when a gold paraphrase lies in its sentence (at least half of the paraphrase inside
it): it is right when its speaker loosely matches that paraphrase's speaker (``match_actor`` on
the name or a mention, as quotes are scored), or any of them when several lie there. Coverage
is the share of gold paraphrases (found verbatim in the text) that lie in some statement's
sentence. Paraphrases whose speaker is a pronoun ("er", "she") are left out, as pronoun
sources are for quotes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attribution_eval import SETS

from summarizer.attribution import analyze, match_actor
from summarizer.attribution.lexicon import words

_PRONOUNS = words("he she they it we i you him her them er sie es wir ich ihr man")


@dataclass
class Counts:
    articles: int = 0
    statements: int = 0  # statements with a gold paraphrase in their sentence
    right: int = 0
    paraphrases: int = 0  # gold paraphrases found in the text
    covered: int = 0

    def row(self, label: str) -> str:
        accuracy = self.right / self.statements if self.statements else float("nan")
        coverage = self.covered / self.paraphrases if self.paraphrases else float("nan")
        return (
            f"| {label} | {self.articles} | {self.statements} | {accuracy:.3f} "
            f"| {coverage:.3f} ({self.covered}/{self.paraphrases}) |"
        )


def _paraphrases(record: dict[str, Any]) -> Iterator[tuple[int, int, list[str]]]:
    """Each gold paraphrase found in the text, as (start, end, its speaker's names)."""
    text: str = record["text"]
    for speaker in record.get("speakers", ()):
        names = [speaker["name"], *speaker.get("mentions", ())]
        if all(n.lower().strip() in _PRONOUNS for n in names):
            continue
        for paraphrase in speaker.get("paraphrases", ()):
            start = text.find(paraphrase) if paraphrase.strip() else -1
            if start >= 0:
                yield start, start + len(paraphrase), names


def score(path: Path, errors: list[str]) -> Counts:
    counts = Counts()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        counts.articles += 1
        gold = list(_paraphrases(record))
        result = analyze(record["text"])
        sentences = [(s.start, s.end, a.name) for a in result.actors for s in a.statements]
        counts.paraphrases += len(gold)
        counts.covered += sum(any(_inside(g, s) for s in sentences) for g in gold)
        for start, end, name in sentences:
            here = [g for g in gold if _inside(g, (start, end, name))]
            if not here:
                continue
            counts.statements += 1
            if any(match_actor(name, n) for *_, names in here for n in names):
                counts.right += 1
            else:
                wanted = here[0][2][0]
                errors.append(f"{record.get('id')}: tool={name!r} gold={wanted!r}")
    return counts


def _inside(gold: tuple[int, int, list[str]], sentence: tuple[int, int, str]) -> bool:
    overlap = min(gold[1], sentence[1]) - max(gold[0], sentence[0])
    return overlap > 0 and overlap >= 0.5 * (gold[1] - gold[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    parser.add_argument("--german", type=Path, action="append", default=[], help="more records")
    parser.add_argument("--errors", type=int, default=0, help="print this many errors per set")
    args = parser.parse_args()
    sets = [(label, args.eval_dir / "quote-attribution-dev" / f) for label, f in SETS.items()]
    sets += [(f"German ({p.name})", p) for p in args.german]
    print("| set | articles | statements scored | speaker right | gold paraphrases covered |")
    print("|---|---|---|---|---|")
    for label, path in sets:
        errors: list[str] = []
        print(score(path, errors).row(label))
        for error in errors[: args.errors]:
            print("   ", error)


if __name__ == "__main__":
    main()
