"""Score one article against its gold: the matching rules every quote benchmark shares.

- A shown quote matches a gold quote when their offsets overlap by at least half of the
  shorter span (so one containing the other matches). A quote with no offsets (not found in
  the article) matches nothing.
- A shown quote that matches no gold quote but an ``ignored_quotes`` entry is "don't care":
  neither right nor wrong.
- Attribution: a matched quote is right when its owner (who the display lists it under)
  loosely matches the gold speaker's name or one of its mentions (``match_actor``).
- Named-speaker recall: the gold speakers with quotes (named ones, where the file has kinds)
  that some owner of a shown quote matches.
- Verbatim: the quote's words are in the article after normalising whitespace, quotation
  marks, dashes and ellipses; needs no gold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from summarizer.attribution import match_actor
from summarizer.evaluation.gold import GoldRecord, GoldSpeaker, Span
from summarizer.pipeline.verbatim import normalize
from summarizer.schema import Position, SummaryResult

__all__ = [
    "ArticleScore",
    "Mistake",
    "QuoteCounts",
    "ShownQuote",
    "overlaps",
    "score_article",
    "score_quotes",
    "shown_quotes",
    "speaker_matches",
]


@dataclass(frozen=True, slots=True)
class ShownQuote:
    """A quote as a reader sees it: the words, where they are, and whose name is above them."""

    text: str
    start: int | None
    end: int | None
    owner: str | None


@dataclass(frozen=True, slots=True)
class Mistake:
    """One scoring miss, for reading the errors: a false positive, a wrong owner, a missed
    gold quote, a missed speaker, or a quote whose words are not in the article."""

    kind: Literal["false_positive", "attribution", "missed_quote", "missed_speaker", "not_verbatim"]
    text: str
    shown: str | None = None
    gold: str | None = None


@dataclass
class QuoteCounts:
    """Sums that add up over articles; the rates are taken over the sums (micro average)."""

    shown: int = 0
    counted: int = 0  # shown minus don't-care
    correct: int = 0  # counted quotes that match a gold quote
    dont_care: int = 0
    gold: int = 0
    gold_found: int = 0
    attributed_right: int = 0
    speakers: int = 0
    speakers_found: int = 0
    verbatim: int = 0
    mistakes: list[Mistake] = field(default_factory=list)

    def __iadd__(self, other: QuoteCounts) -> QuoteCounts:
        for name in _SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def recall(self) -> float | None:
        return _rate(self.gold_found, self.gold)

    @property
    def precision(self) -> float | None:
        return _rate(self.correct, self.counted)

    @property
    def attribution(self) -> float | None:
        return _rate(self.attributed_right, self.correct)

    @property
    def speaker_recall(self) -> float | None:
        return _rate(self.speakers_found, self.speakers)

    @property
    def verbatim_rate(self) -> float | None:
        return _rate(self.verbatim, self.shown)


_SUMS = (
    "shown",
    "counted",
    "correct",
    "dont_care",
    "gold",
    "gold_found",
    "attributed_right",
    "speakers",
    "speakers_found",
    "verbatim",
)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class ArticleScore:
    """One article's figures: everything the summary shows, and the model's positions alone.

    Attributes:
        shown: Every quote in ``result.positions``, the tool's added actors included.
        model: Only the quotes under positions the model wrote (``origin == "model"``).
        model_says: Every shown quote, owned by the actor the model cited it for where it
            cited it (``cited_by``), else where it is listed: the other ``speaker_authority``
            on the same answer.
        positions: Positions shown; ``model_positions`` the model wrote, ``with_evidence``
            of those citing at least one quote or statement; ``added`` by the tool.
    """

    id: str | None
    shown: QuoteCounts
    model: QuoteCounts
    model_says: QuoteCounts = field(default_factory=QuoteCounts)
    positions: int = 0
    model_positions: int = 0
    with_evidence: int = 0
    added: int = 0


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans overlap by at least half of the shorter one."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def speaker_matches(owner: str | None, speaker: GoldSpeaker) -> bool:
    """Whether ``owner`` names the gold speaker: its name or a mention, loosely."""
    return owner is not None and any(match_actor(owner, name) for name in speaker.names)


def shown_quotes(positions: Iterable[Position]) -> list[ShownQuote]:
    """The quotes a reader sees, each owned by the actor of the position it is listed under
    (so ``speaker_authority`` decides whose they are)."""
    return [ShownQuote(q.text, q.start, q.end, p.actor) for p in positions for q in p.quotes]


def cited_quotes(positions: Iterable[Position]) -> list[ShownQuote]:
    """The quotes as the model attributes them: each owned by the actor that cited it, if
    one did, else by the actor it is listed under."""
    return [
        ShownQuote(q.text, q.start, q.end, q.cited_by or p.actor)
        for p in positions
        for q in p.quotes
    ]


def score_article(record: GoldRecord, result: SummaryResult | None) -> ArticleScore:
    """Score what the summary shows, and the model's own positions, against the gold.

    ``None`` stands for a failed article: nothing shown, so every gold quote is missed.
    """
    positions = result.positions if result is not None else []
    model_positions = [p for p in positions if p.origin == "model"]
    return ArticleScore(
        id=record.id,
        shown=score_quotes(record, shown_quotes(positions)),
        model=score_quotes(record, shown_quotes(model_positions)),
        model_says=score_quotes(record, cited_quotes(positions)),
        positions=len(positions),
        model_positions=len(model_positions),
        with_evidence=sum(1 for p in model_positions if p.supported),
        added=sum(1 for p in positions if p.origin == "engine"),
    )


def score_quotes(
    record: GoldRecord, quotes: Sequence[ShownQuote], *, speakers: Iterable[str] | None = None
) -> QuoteCounts:
    """Score any tool's quotes (a summary's, the engine's) by the rules in the module doc.

    Args:
        record: The gold article.
        quotes: What the tool shows.
        speakers: The names the tool presents as speakers; by default the quotes' owners.
    """
    counts = QuoteCounts(shown=len(quotes))
    gold = record.gold_quotes
    counts.gold = len(gold)
    ignored = [i.offset for i in record.ignored_quotes]
    article = normalize(record.text)
    found: set[int] = set()
    for quote in quotes:
        if normalize(quote.text) in article:
            counts.verbatim += 1
        else:
            counts.mistakes.append(Mistake("not_verbatim", quote.text, shown=quote.owner))
        span = (
            (quote.start, quote.end) if quote.start is not None and quote.end is not None else None
        )
        hits = [i for i, (g, _) in enumerate(gold) if span and overlaps(span, g)]
        if span is not None and not hits and any(overlaps(span, i) for i in ignored):
            counts.dont_care += 1
            continue
        counts.counted += 1
        if span is None or not hits:
            counts.mistakes.append(Mistake("false_positive", quote.text, shown=quote.owner))
            continue
        counts.correct += 1
        found.update(hits)
        best = max(hits, key=lambda i: _overlap(span, gold[i][0]))
        speaker = gold[best][1]
        if speaker_matches(quote.owner, speaker):
            counts.attributed_right += 1
        else:
            counts.mistakes.append(
                Mistake("attribution", quote.text, shown=quote.owner, gold=speaker.name)
            )
    counts.gold_found = len(found)
    for i, (g, speaker) in enumerate(gold):
        if i not in found:
            counts.mistakes.append(
                Mistake("missed_quote", record.text[g[0] : g[1]], gold=speaker.name)
            )
    owners = {q.owner for q in quotes if q.owner} if speakers is None else set(speakers)
    _score_speakers(record, owners, counts)
    return counts


def _overlap(a: Span, b: Span) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _score_speakers(record: GoldRecord, owners: Iterable[str], counts: QuoteCounts) -> None:
    owners = list(owners)
    for speaker in record.quoted_speakers:
        counts.speakers += 1
        if any(speaker_matches(owner, speaker) for owner in owners):
            counts.speakers_found += 1
        else:
            counts.mistakes.append(Mistake("missed_speaker", speaker.name, gold=speaker.name))
