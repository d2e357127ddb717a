"""The engine's result types: quotes, reported statements, actors, and the whole attribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarizer.attribution.names import match_actor

__all__ = ["SPEECH_KINDS", "Actor", "Attribution", "FoundQuote", "QuoteKind", "Statement"]

QuoteKind = Literal["direct", "partial", "short", "headline"]
"""``direct``: a quoted sentence or more; ``partial``: quoted words inside reported speech;
``short``: a scare quote, term or name rather than quoted speech: fewer than three words, or a
capitalised name or title inside a sentence with no speech cue ("the “Yemen Observer”");
``headline``: inside the article's headline. Callers grounding summaries usually want
``direct`` and ``partial`` (``SPEECH_KINDS``)."""

SPEECH_KINDS: tuple[QuoteKind, ...] = ("direct", "partial")
"""The kinds that are someone's quoted speech: what the evidence lists and the benchmarks
score."""


@dataclass(frozen=True, slots=True)
class FoundQuote:
    """Quoted words found in the article.

    Attributes:
        text: The quoted words without the quotation marks, exactly as in the article.
        start: Offset of the first quoted character in the article text.
        end: Offset one past the last quoted character (``text == article[start:end]``).
        speaker: The actor's canonical name ("Olaf Scholz"), a nominal speaker as written
            ("a White House spokesman"), or None when no attribution was found.
        speaker_role: The actor's role kept apart from the name ("German Chancellor").
        cue: The attribution text the speaker came from ("Starmer stated"), or how it was
            inferred ("previous paragraph", "same paragraph").
        kind: See ``QuoteKind``.
        continues: The quotation runs on into the next paragraph's opening mark.
    """

    text: str
    start: int
    end: int
    speaker: str | None
    speaker_role: str | None = None
    cue: str | None = None
    kind: QuoteKind = "direct"
    continues: bool = False


@dataclass(frozen=True, slots=True)
class Statement:
    """A sentence of reported speech ("Costa emphasized that ...") with its offsets."""

    text: str
    start: int
    end: int
    verb: str


@dataclass(frozen=True, slots=True)
class Actor:
    """One speaker in the article, with every name it goes by merged.

    Attributes:
        name: Canonical name, the fullest form seen ("Olaf Scholz").
        role: Title or function without the name ("German Chancellor"), if stated.
        aliases: Every other surface form seen ("Scholz", "German Chancellor Olaf Scholz").
        quotes: Direct and partial quotes attributed to the actor.
        statements: Reported-speech sentences whose speaker is the actor.
    """

    name: str
    role: str | None
    aliases: tuple[str, ...]
    quotes: tuple[FoundQuote, ...]
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Everything the engine found in one article, in document order.

    ``language`` is the ISO 639-1 code whose rules were used (given, or detected).
    """

    quotes: tuple[FoundQuote, ...]
    actors: tuple[Actor, ...]
    text: str = field(default="", repr=False)
    language: str = "en"

    def speaker_of(self, start: int, end: int) -> str | None:
        """The speaker of the found quote that overlaps ``text[start:end]`` most, if any."""
        best: FoundQuote | None = None
        best_overlap = 0
        for quote in self.quotes:
            overlap = min(end, quote.end) - max(start, quote.start)
            if overlap > best_overlap:
                best, best_overlap = quote, overlap
        return best.speaker if best else None

    def actor(self, name: str) -> Actor | None:
        """The actor whose name or an alias loosely matches ``name`` (see ``match_actor``)."""
        for actor in self.actors:
            if any(match_actor(name, alias) for alias in (actor.name, *actor.aliases)):
                return actor
        return None
