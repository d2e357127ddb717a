"""Split an article too long for one call into parts that fit, cut where a reader would pause.

Cuts fall at paragraph ends; a paragraph too long for a part is cut at sentence ends (never
inside quotation marks), and a sentence too long for a part at spaces. Each part repeats up to
``overlap`` tokens of sentences from the end of the previous one, so that a quote and the
sentence that attributes it ("..., Weber said. “We will appeal.”") reach the model together.
Every part knows where it sits in the whole article: ``article[part.start:part.end] == part.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.attribution.quotes import find_spans, paragraph_bounds
from summarizer.attribution.sentences import mask_quotes, split_sentences
from summarizer.errors import BudgetError
from summarizer.tokens import Tokenizer

__all__ = ["Part", "split_article"]


@dataclass(frozen=True)
class Part:
    """One slice of an article, with its place in the whole."""

    index: int
    start: int
    end: int
    text: str
    tokens: int


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a cut may not enter: a sentence, or a slice of a giant sentence."""

    start: int
    end: int
    tokens: int
    ends_paragraph: bool


def split_article(
    text: str,
    *,
    budget: int,
    tokenizer: Tokenizer,
    overlap: int = 0,
    max_parts: int | None = None,
) -> list[Part]:
    """Cut ``text`` into parts of at most ``budget`` tokens each.

    Args:
        text: The whole article.
        budget: Most tokens of article text one part may hold.
        tokenizer: Counts tokens the way the model's budget is measured.
        overlap: Most tokens a part repeats from the end of the previous part; capped at half
            the budget so that every part brings new text.
        max_parts: Raise BudgetError instead of returning more parts than this.

    Raises:
        ValueError: ``budget`` is below 1.
        BudgetError: The article needs more than ``max_parts`` parts.
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1 token, got {budget}")
    units = _units(text, budget, tokenizer)
    overlap = min(overlap, budget // 2)
    parts: list[Part] = []
    start = fresh = 0  # first unit of this part; first unit no earlier part holds
    while fresh < len(units):
        end = _fill(units, start, budget)
        if end <= fresh:  # the overlap leaves no room for new text: drop it
            start = fresh
            end = _fill(units, start, budget)
        end = _paragraph_cut(units, start, fresh, end, budget)
        start, end, tokens = _part(text, units, start, end, fresh, tokenizer, budget)
        a, b = units[start].start, units[end - 1].end
        parts.append(Part(len(parts), a, b, text[a:b], tokens))
        start, fresh = _overlap_start(units, start, end, overlap), end
    if max_parts is not None and len(parts) > max_parts:
        size = tokenizer.count(text)
        raise BudgetError(
            f"The article has {size} tokens and needs {len(parts)} parts of at most {budget} "
            f"tokens each, but at most {max_parts} parts are allowed. Raise "
            "SUMMARIZER_MAX_PARTS, or use a model with a larger context window.",
            tokens=size,
            budget=budget * max_parts,
        )
    return parts


def _units(text: str, budget: int, tokenizer: Tokenizer) -> list[_Unit]:
    paragraphs = paragraph_bounds(text)
    paragraph_ends = {start + len(text[start:end].rstrip()) for start, end in paragraphs}
    # Quoted words are masked so that a full stop inside a quote never ends a sentence.
    masked = mask_quotes(text, find_spans(text))
    units = []
    for start, end in split_sentences(masked, paragraphs):
        start += len(text[start:end]) - len(text[start:end].lstrip())
        end -= len(text[start:end]) - len(text[start:end].rstrip())
        if start >= end:
            continue
        pieces = [(start, end)]
        tokens = tokenizer.count(text[start:end])
        if tokens > budget:
            pieces = _slice_sentence(text, start, end, budget, tokenizer)
        for i, (a, b) in enumerate(pieces):
            count = tokens if len(pieces) == 1 else tokenizer.count(text[a:b])
            last = i == len(pieces) - 1 and end in paragraph_ends
            units.append(_Unit(a, b, count, last))
    return units


def _slice_sentence(
    text: str, start: int, end: int, budget: int, tokenizer: Tokenizer
) -> list[tuple[int, int]]:
    """Cut a sentence longer than the budget at spaces, and a word longer than ``budget``
    characters every ``budget`` characters (a token is at least one character)."""
    pieces: list[tuple[int, int]] = []
    first = last = -1
    for m in re.finditer(r"\S+", text[start:end]):
        a, b = m.start() + start, m.end() + start
        for lo in range(a, b, budget):
            hi = min(b, lo + budget)
            if first >= 0 and tokenizer.count(text[first:hi]) > budget:
                pieces.append((first, last))
                first = -1
            first = lo if first < 0 else first
            last = hi
    if first >= 0:
        pieces.append((first, last))
    return pieces


def _fill(units: list[_Unit], start: int, budget: int) -> int:
    """Exclusive end of the longest run of units from ``start`` that fits the budget.

    A unit never exceeds the budget on its own, so the run holds at least one unit. The gap
    between two units is counted as one token, which slightly over-estimates.
    """
    total = units[start].tokens
    end = start + 1
    while end < len(units) and total + 1 + units[end].tokens <= budget:
        total += 1 + units[end].tokens
        end += 1
    return end


def _paragraph_cut(units: list[_Unit], start: int, fresh: int, end: int, budget: int) -> int:
    """Move the cut back to the last paragraph end, unless that leaves the part under half
    full (a giant paragraph follows) or holding no new text."""
    if end == len(units) or units[end - 1].ends_paragraph:
        return end
    total = sum(u.tokens + 1 for u in units[start:end])
    for cut in range(end - 1, fresh, -1):
        total -= units[cut].tokens + 1
        if total < budget // 2:
            break
        if units[cut - 1].ends_paragraph:
            return cut
    return end


def _part(
    text: str,
    units: list[_Unit],
    start: int,
    end: int,
    fresh: int,
    tokenizer: Tokenizer,
    budget: int,
) -> tuple[int, int, int]:
    """(start, end, tokens) of the part: units[start:end] shortened, should the exact count
    exceed the budget, first at its end, then by dropping the overlap."""
    while True:
        a, b = units[start].start, units[end - 1].end
        tokens = tokenizer.count(text[a:b])
        if tokens <= budget or (start, end) == (fresh, fresh + 1):
            return start, end, tokens
        if end > fresh + 1:
            end -= 1
        else:
            start = fresh


def _overlap_start(units: list[_Unit], start: int, end: int, overlap: int) -> int:
    """First unit of the part after units[start:end]: step back from ``end`` over whole
    sentences while they fit the overlap, but never to ``start`` (every part must move on)."""
    first, total = end, 0
    while first - 1 > start and total + units[first - 1].tokens <= overlap:
        first -= 1
        total += units[first].tokens
    return first
