"""Turn a split of the PolNeAR corpus into the dev set's JSONL records.

Usage: python bench/polnear_split.py CORPUS/data/test > /tmp/polnear_test.jsonl
       python bench/attribution_eval.py --english /tmp/polnear_test.jsonl

``../shared/eval`` holds only PolNeAR's train split (840 articles, the file every English rule
was written against). Its dev and test splits (github.com/networkdynamics/PolNeAR,
``data/dev`` and ``data/test``, 84 articles each: ``text/*.txt`` and brat files
``attributions/*_<annotator>.ann``; only those two folders and ``data/metadata.tsv`` are read)
give a held-out check. The records follow ``../shared/eval/README.md`` as far as it can be read
back from the train file: every quoted string of the text is found (curly and straight double
marks paragraph by paragraph, single ‘…’ outside them; marks and a closing comma stripped) and
given to the attribution whose Content spans hold at least half of it. Its Source span is the
speaker; a quote with no such attribution, no Source, a pronoun Source, a verb as Source, in
the headline, or of fewer than three words is an ``ignored_quotes`` entry with the file's
reason. An article with several annotators is read from the first by name. Speaker names and
kinds (named, nominal, group) come from surface rules on the Source span.

Converting ``data/train`` this way reproduces the shared file's texts, sources and meta
(840/840 records), its gold quote offsets in 828/840 records (4225 of its 4226 quotes at the
same offsets, 11 more), the same speaker mentions for 4146 of those 4225 quotes (records whose
quotes and speakers all agree: 800/840), its ignored quotes in 813/840 records (3110 of 3135
with the same offsets and reason) and 1798 named speakers with quotes against its 1786. Scored
by bench/attribution_eval.py, the converted file gives the shared file's figures to the third
decimal except named-speaker recall (0.959 against 0.961). Nothing converted is written into
the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _words(text: str, *more: str) -> frozenset[str]:
    return frozenset([*text.split(), *more])


# A source that is only one of these words gives no speaker: its quotes are "pronoun_source".
_PRONOUNS = _words(
    "he she it i we you they me him her us them his its our their my your who whom which that"
    " this these those one another some many several most both others someone somebody anyone"
    " everyone all each few",
    "someone who",
)
# A source span that is a verb is an annotation error ("source_annotation_error").
_SAID = frozenset(["said", "says", "say", "told", "added", "wrote"])
_TAG = re.compile(r"<[^<>\n]*>")
_SINGLE = re.compile(r"‘([^‘’]*(?:’\w[^‘’]*)*)’(?!\w)")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_BRACKETS = re.compile(r"\s*\([^()]*\)")
_TITLES = _words(
    "the mr mrs ms dr sen sens rep reps gov gen lt col sgt prof rev pres president senator chairman"
    " chairwoman leader director speaker judge general representative secretary minister mayor"
    " justice professor state former republican democratic democrat gop house senate vice"
    " governor candidate nominee chief attorney ambassador commissioner congressman"
    " congresswoman councilman councilwoman sheriff lieutenant"
)
_PREPOSITIONS = frozenset(["of", "to", "for", "by", "from", "with", "at", "in", "on", "about"])
_CAPITALISED = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:[A-Z][\w.’'-]*|de|van|von|al|bin))*")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


_LICENCE = (
    "PolNeAR: no data licence stated (research corpus; LREC 2018, Newell, Margolin & Ruths); "
    "accompanying software MIT; article text (c) "
)


@dataclass(frozen=True)
class Relation:
    """One annotated attribution: the extent of each content span, and its source (or "")."""

    content: tuple[tuple[int, int], ...]
    source: str
    source_at: int

    def overlap(self, start: int, end: int) -> int:
        """How many characters of ``start:end`` lie within the content (negative if none)."""
        return max(min(end, b) - max(start, a) for a, b in self.content)


def relations(ann: str) -> list[Relation]:
    """The attributions of a brat file (``E`` lines joining Content, Source and Cue spans)."""
    spans: dict[str, tuple[tuple[tuple[int, int], ...], str]] = {}
    links = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) == 3:
            pieces = fields[1].split(" ", 1)[1].split(";")  # "Content 10 20;25 40"
            parts = tuple((int(a), int(b)) for a, b in (piece.split() for piece in pieces))
            spans[fields[0]] = (parts, fields[2])
        elif line.startswith("E") and len(fields) >= 2:
            links.append(dict(part.split(":", 1) for part in fields[1].split()))
    found = []
    for roles in links:  # an E line may name spans defined after it
        content = tuple(
            (min(a for a, _ in parts), max(b for _, b in parts))
            for role, key in roles.items()
            if role.startswith("Content") and (parts := spans.get(key, ((), ""))[0])
        )
        at, source = spans.get(roles.get("Source", ""), (((-1, -1),), ""))
        if content:
            found.append(Relation(content, source.strip(), at[0][0]))
    return found


def quoted(text: str) -> list[tuple[int, int]]:
    """Every quoted string of the text, marks and a closing comma stripped.

    Read paragraph by paragraph as the shared file was: an opening curly mark always starts a
    quote (ending one still open), a closing one ends it, a straight mark does whichever is
    due, and a paragraph's end closes a quote left open.
    """
    found: list[tuple[int, int]] = []
    tags = [(m.start(), m.end()) for m in _TAG.finditer(text)]
    for paragraph in re.finditer(r"[^\n]+", text):
        opened: int | None = None
        for mark in re.finditer(r"[“”\"]", paragraph.group()):
            at = paragraph.start() + mark.start()
            if any(a < at < b for a, b in tags):
                continue
            if opened is not None:
                found += _stripped(text, opened, at)
            opened = (
                at + 1 if mark.group() == "“" or (mark.group() == '"' and opened is None) else None
            )
        if opened is not None:
            found += _stripped(text, opened, paragraph.end())
        doubles = list(found)
        for single in _SINGLE.finditer(paragraph.group()):
            start, end = paragraph.start() + single.start(1), paragraph.start() + single.end(1)
            if not any(a <= start and end <= b for a, b in doubles):  # nested: inside a quote
                found += _stripped(text, start, end)
    return sorted(found)


def _stripped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return [(start, end)] if end > start else []


def canonical(source: str) -> tuple[str, str]:
    """A source span's speaker name and kind (named, nominal or group), by surface rules.

    "Florida Gov. Rick Scott (R)" is Rick Scott, named; "campaign manager, Jeff Weaver," is
    Jeff Weaver; "the exit polls in New Hampshire" is nominal; "Blumenthal and Cohen" a group.
    """
    segments = [
        _POSSESSIVE.sub("", _BRACKETS.sub("", part)).strip(" —-") for part in source.split(",")
    ]
    segments = [part for part in segments if part]
    head = segments[0] if segments else source
    for part in segments[:2]:
        if " and " in part:
            return _ARTICLE.sub("", part), "group"
        name = _proper_name(part)
        if name:
            return name, "named"
    return _ARTICLE.sub("", head), "nominal"


def _proper_name(phrase: str) -> str | None:
    """The capitalised name that ends a phrase, whatever comes before its last title dropped
    ("Florida Sen. Marco Rubio" is Marco Rubio); None if the phrase ends otherwise."""
    runs = _CAPITALISED.findall(phrase)
    if not runs or not phrase.endswith(runs[-1]):
        return None
    before = phrase[: -len(runs[-1])].split()
    if before and before[-1] in _PREPOSITIONS:  # "a spokesman for Bernie Sanders"
        return None
    words = runs[-1].split()
    titles = [
        i
        for i, word in enumerate(words[:-1])
        if word.lower().rstrip(".") in _TITLES or word.endswith(("’s", "'s"))
    ]
    return " ".join(words[titles[-1] + 1 :] if titles else words)


def _speaker(speakers: dict[str, dict[str, Any]], source: str) -> dict[str, Any]:
    source = " ".join(source.split())
    name, kind = canonical(source)
    same = [k for k, s in speakers.items() if s["kind"] == "named" == kind and _same(k, name)]
    key = same[0] if len(same) == 1 else name
    entry = speakers.setdefault(
        key,
        {
            "name": name,
            "kind": kind,
            "mentions": [],
            "quotes": [],
            "quote_offsets": [],
            "paraphrases": [],
        },
    )
    if len(name) > len(entry["name"]) and kind == "named":
        entry["name"] = name
    if source not in entry["mentions"]:
        entry["mentions"].append(source)
    return entry


def _same(a: str, b: str) -> bool:
    """Whether two names are one person's: equal, or one is the other's surname alone."""
    short, long_ = sorted((a.split(), b.split()), key=len)
    return short == long_ or (len(short) == 1 and short[0] == long_[-1])


def record(text: str, ann: str, *, key: str, meta: dict[str, Any]) -> dict[str, Any]:
    """One annotated article as a dev-set record."""
    found = relations(ann)
    quotes = quoted(text)
    speakers: dict[str, dict[str, Any]] = {}
    ignored: list[dict[str, Any]] = []
    headline_end = text.find("\n") if "\n" in text else len(text)
    for relation in found:  # every body source is a speaker, with or without quotes
        if _ignored(relation.source, "a full quote", relation.source_at < headline_end):
            continue
        entry = _speaker(speakers, relation.source)
        for a, b in relation.content:
            if not any(min(b, q[1]) > max(a, q[0]) for q in quotes):
                entry["paraphrases"].append(text[a:b])
    for start, end in quotes:
        quote = {"quote": text[start:end], "offset": [start, end]}
        owner = max(found, key=lambda r: r.overlap(start, end), default=None)
        if owner is None or 2 * owner.overlap(start, end) < end - start:
            ignored.append({**quote, "reason": "no_attribution_annotated"})
            continue
        source = owner.source
        why = _ignored(source, text[start:end], start < headline_end)
        if why == "pronoun_source":
            guess = _antecedent(found, owner.source_at, headline_end, speakers)
            ignored.append(
                {**quote, "reason": why, "source_text": source, "antecedent_guess": guess}
            )
        elif why == "short(<3 words)":
            name = _speaker(speakers, source)["name"]
            ignored.append({**quote, "reason": why, "source_text": source, "speaker": name})
        elif why:
            ignored.append({**quote, "reason": why, "source_text": source})
        else:
            entry = _speaker(speakers, source)
            entry["quotes"].append(text[start:end])
            entry["quote_offsets"].append([start, end])
    return {
        "id": key,
        "text": text,
        "speakers": list(speakers.values()),
        "ignored_quotes": ignored,
        "meta": {**meta, "n_attributions": ann.count("\nE") + ann.startswith("E")},
    }


def _antecedent(
    found: list[Relation], before: int, headline_end: int, speakers: dict[str, dict[str, Any]]
) -> str | None:
    """The nearest named speaker before a pronoun (an unverified guess, as the README says)."""
    named = {" ".join(r.source.split()): r.source_at for r in found if r.source_at < before}
    guesses = [
        (named[mention], s["name"])
        for s in speakers.values()
        if s["kind"] == "named"
        for mention in s["mentions"]
        if named.get(mention, -1) >= headline_end
    ]
    return max(guesses)[1] if guesses else None


def _ignored(source: str, quote: str, in_headline: bool) -> str | None:
    if not source:
        return "no_source_annotated"
    if in_headline:
        return "headline"
    if source.lower() in _SAID:
        return "source_annotation_error"
    if source.lower() in _PRONOUNS:
        return "pronoun_source"
    if len(quote.split()) < 3:
        return "short(<3 words)"
    return None


def convert(folder: Path) -> list[dict[str, Any]]:
    """Every article of a split folder (``text/`` and ``attributions/``) as a record.

    An article with several annotators is read from the first annotator's file by name, as
    the shared file does; ``../metadata.tsv`` beside the split adds the publisher and title.
    """
    table = folder.parent / "metadata.tsv"
    about = {}
    if table.is_file():
        about = {
            row["filename"]: row
            for row in csv.DictReader(table.open(encoding="utf-8"), delimiter="\t")
        }
    records = []
    for path in sorted((folder / "text").glob("*.txt")):
        anns = sorted((folder / "attributions").glob(f"{path.stem}_*.ann"))
        if not anns:
            continue
        row = about.get(path.stem, {})
        ann = anns[0].relative_to(folder.parent)
        item = record(
            path.read_text(encoding="utf-8"),
            anns[0].read_text(encoding="utf-8"),
            key=f"polnear/{folder.name}/{path.stem}",
            meta={
                **{
                    k: row[k]
                    for k in ("publisher", "publication_date", "title", "author")
                    if k in row
                },
                "polnear_split": folder.name,
                "annotator": anns[0].stem.rsplit("_", 1)[1],
                "n_annotators": len(anns),
            },
        )
        item["source"] = (
            f"PolNeAR v1.0.0 (github.com/networkdynamics/PolNeAR), "
            f"data/{path.relative_to(folder.parent)} + data/{ann}"
        )
        item["licence"] = _LICENCE + row.get("publisher", "its publisher")
        records.append(item)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a split folder: CORPUS/data/dev or data/test")
    args = parser.parse_args()
    records = convert(args.folder)
    if not records:
        sys.exit(
            f"{args.folder}: no text/*.txt with attributions/*.ann; "
            "give the corpus's data/dev or data/test folder"
        )
    for item in records:
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
