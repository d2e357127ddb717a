"""Turn a split of the German WikiNews quotation corpus into the dev set's JSONL records.

Usage: python bench/wikinews_split.py CORPUS/data/test > /tmp/de_wikinews_test.jsonl
       python bench/attribution_eval.py --german /tmp/de_wikinews_test.jsonl

``../shared/eval`` holds only the corpus's train split (the file every German rule was
written against). Its dev and test splits (github.com/uhh-lt/german-news-quotation-attribution-2024,
``data/dev`` and ``data/test``, one ``*.pretty.json`` per article) give a held-out check.
The records follow ``../shared/eval/README.md`` as far as it can be read back from the train
file: ``Direct`` annotations are the gold quotes (quotation marks stripped), a pronoun source
or none makes an ``ignored_quotes`` entry, so does a quote of fewer than three words, and
every other annotation adds a paraphrase. Converting ``data/train`` this way reproduces the
shared file's texts and ignored quotes (700/700 and 697/700 records) and its gold quotes
with their speakers in 666/700 (the rest differ in how a speaker's mentions are grouped).
Nothing converted is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

_PRONOUNS = frozenset(["er", "sie", "es", "ich", "wir", "ihr", "man", "dieser", "diese", "jener"])
_ARTICLE = re.compile(r"^(?:der|die|das|den|dem|des|ein|eine|einer|eines|einem|einen)\s+", re.I)
_MARKS = "„“”\"»«‚‘’' "


def _speaker(speakers: dict[str, dict[str, Any]], source: str) -> dict[str, Any]:
    name = _ARTICLE.sub("", source)
    entry = speakers.setdefault(
        name,
        {"name": name, "kind": "mention", "mentions": [], "quotes": [], "quote_offsets": []},
    )
    entry.setdefault("paraphrases", [])
    if source not in entry["mentions"]:
        entry["mentions"].append(source)
    return entry


def record(path: Path, split: str) -> dict[str, Any]:
    """One article of the corpus as a dev-set record."""
    data = json.loads(path.read_text(encoding="utf-8"))
    text: str = data["originalText"]
    speakers: dict[str, dict[str, Any]] = {}
    ignored: list[dict[str, Any]] = []
    for note in data["annotations"]:
        spans = note["quote"]["spans"]
        source = note["speaker"]["text"].strip()
        if not spans:
            continue
        if note["type"] != "Direct":
            if source:
                _speaker(speakers, source)["paraphrases"].append(note["quote"]["text"])
            continue
        start, end = spans[0]["charBegin"], spans[-1]["charEnd"]
        while start < end and text[start] in _MARKS:
            start += 1
        while end > start and text[end - 1] in _MARKS:
            end -= 1
        quote = {"quote": text[start:end], "offset": [start, end]}
        if not source:
            ignored.append({**quote, "reason": "no_source_annotated"})
        elif source.lower() in _PRONOUNS:
            ignored.append({**quote, "reason": "pronoun_source", "source_text": source})
        elif len(text[start:end].split()) < 3:
            _speaker(speakers, source)
            ignored.append({**quote, "reason": "short(<3 words)"})
        else:
            entry = _speaker(speakers, source)
            entry["quotes"].append(text[start:end])
            entry["quote_offsets"].append([start, end])
    number = path.name.split(" - ", 1)[0]
    return {
        "id": f"de-wikinews-qa/{split}/{number}",
        "language": "de",
        "text": text,
        "speakers": list(speakers.values()),
        "ignored_quotes": ignored,
        "meta": {"split": split, "n_annotations": len(data["annotations"])},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a split folder: CORPUS/data/dev or data/test")
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.json"))
    if not files:
        sys.exit(f"{args.folder}: no *.json files; give the corpus's data/dev or data/test folder")
    for path in files:
        print(json.dumps(record(path, args.folder.name), ensure_ascii=False))


if __name__ == "__main__":
    main()
