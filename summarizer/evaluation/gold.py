"""Gold files: the articles users annotate with who said which quote, read and checked.

One JSON object per line (the format of ``../shared/eval/quote-attribution-dev``)::

    {"id": "story-1", "text": "...",
     "speakers": [{"name": "Olaf Scholz", "kind": "named", "mentions": ["Scholz"],
                   "quotes": ["We are ready"], "quote_offsets": [[120, 132]]}],
     "ignored_quotes": [{"quote": "scare quote", "offset": [40, 51]}]}

``quote_offsets`` may be left out: each quote is then looked up in the text (its first
occurrence). Every other key (``source``, ``licence``, ``meta``, ``paraphrases``...) is kept
out of the way and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from summarizer.errors import InputError

__all__ = ["GoldIgnored", "GoldRecord", "GoldSpeaker", "load_gold", "parse_gold_line"]

Span = tuple[int, int]

_HOW = "see 'Evaluating a model or a house style' in the README for the format"


class GoldSpeaker(BaseModel):
    """Someone the annotators credit with quotes (or only with paraphrases: ``quotes`` [])."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    kind: str = "named"
    mentions: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    quote_offsets: tuple[Span, ...] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name and every annotated mention: what a tool's speaker may match.

        A name written with an apposition ("Celebi, die Anwältin der Frau") also counts by the
        name before the comma, so "Gülsen Celebi" matches it as "Celebi" would.
        """
        written = (self.name, *self.mentions)
        heads = tuple(head for n in written if (head := n.split(",", 1)[0]) != n)
        return written + heads


class GoldIgnored(BaseModel):
    """A quoted string with no reliable gold speaker: a tool quote on it is "don't care"."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    quote: str = ""
    offset: Span


class GoldRecord(BaseModel):
    """One annotated article."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str | None = None
    text: str = Field(min_length=1)
    speakers: tuple[GoldSpeaker, ...] = ()
    ignored_quotes: tuple[GoldIgnored, ...] = ()

    @model_validator(mode="after")
    def _locate(self) -> GoldRecord:
        speakers = tuple(_located(s, self.text) for s in self.speakers)
        for ignored in self.ignored_quotes:
            _check_span(ignored.offset, self.text, "ignored_quotes offset")
        # The record is frozen for its users; filling in the offsets is part of building it.
        object.__setattr__(self, "speakers", speakers)
        return self

    @property
    def gold_quotes(self) -> list[tuple[Span, GoldSpeaker]]:
        """Every gold direct quote as (offsets, speaker), in annotation order."""
        return [(span, s) for s in self.speakers for span in s.quote_offsets or ()]

    @property
    def quoted_speakers(self) -> list[GoldSpeaker]:
        """The speakers a tool should name: the named ones with quotes, or, in a file whose
        annotation has no kinds (German WikiNews: every speaker is a "mention"), all with
        quotes."""
        with_quotes = [s for s in self.speakers if s.quotes]
        return [s for s in with_quotes if s.kind == "named"] or with_quotes


def _located(speaker: GoldSpeaker, text: str) -> GoldSpeaker:
    offsets = speaker.quote_offsets
    if offsets is None:
        offsets = tuple(_find(quote, text, speaker.name) for quote in speaker.quotes)
        return speaker.model_copy(update={"quote_offsets": offsets})
    if len(offsets) != len(speaker.quotes):
        raise ValueError(
            f"{speaker.name!r} has {len(speaker.quotes)} quotes but {len(offsets)} quote_offsets; "
            "give one [start, end] per quote, or leave quote_offsets out"
        )
    for quote, span in zip(speaker.quotes, offsets, strict=True):
        _check_span(span, text, f"{speaker.name!r} quote_offsets")
        if text[span[0] : span[1]] != quote:
            raise ValueError(
                f"{speaker.name!r}: text[{span[0]}:{span[1]}] is not the quote {quote[:40]!r}; "
                "fix the offsets, or leave quote_offsets out to have them found"
            )
    return speaker


def _find(quote: str, text: str, name: str) -> Span:
    start = text.find(quote)
    if not quote or start < 0:
        raise ValueError(
            f"{name!r}: the quote {quote[:40]!r} is not in the text; copy it character for "
            "character, without the quotation marks"
        )
    return (start, start + len(quote))


def _check_span(span: Span, text: str, what: str) -> None:
    start, end = span
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{what} [{start}, {end}] is outside the text (0 to {len(text)})")


def parse_gold_line(line: str, *, source: str, number: int) -> GoldRecord:
    """One line of a gold file as a record; an InputError naming the file and line if not."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON ({exc.msg} at column {exc.colno}); {_HOW}.", **_at(source, number)
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"expected a JSON object, got {type(data).__name__}; {_HOW}.", **_at(source, number)
        )
    try:
        return GoldRecord.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{_first_error(exc)}; {_HOW}.", **_at(source, number)) from None


def _at(source: str, number: int) -> dict[str, Any]:
    return {"source": source, "line": number}


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def iter_gold(path: Path) -> Iterator[GoldRecord]:
    """The records of a gold file in order, blank lines skipped."""
    source = str(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the gold file ({exc.strerror}).", source=source) from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield parse_gold_line(line, source=source, number=number)
        except UnicodeDecodeError:
            raise InputError(
                "the gold file is not UTF-8; save it as UTF-8.", source=source
            ) from None


def load_gold(path: Path, *, limit: int | None = None) -> list[GoldRecord]:
    """The first ``limit`` records of a gold file (all by default), checked.

    Raises:
        InputError: Unreadable file, a line that is not a gold record, or no records at all.
    """
    records: list[GoldRecord] = []
    for record in iter_gold(path):
        if limit is not None and len(records) >= limit:
            break
        records.append(record)
    if not records:
        raise InputError(f"no gold records in the file; {_HOW}.", source=str(path))
    return records
