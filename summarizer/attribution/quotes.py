"""Find quoted spans: curly, straight, German and French marks, runs across paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "find_spans", "paragraph_bounds"]

# Opening mark -> marks that may close it. Straight and mixed pairs are common in real copy.
_CLOSERS = {
    "“": '”"“',
    "„": '“”"',
    "‟": '”"',
    '"': '"”“',
    "»": "«",
    "«": "»",
}
_DOUBLE_MARK = re.compile('[“”„‟"»«]')
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
_LEADING_JUNK = " \t•*-–—"


@dataclass(frozen=True, slots=True)
class Span:
    """A quoted span before attribution: content offsets and its paragraph."""

    start: int
    end: int
    open_mark: int
    close_mark: int | None  # None when the paragraph ended first
    paragraph: int
    continues: bool = False


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line; news copy uses one line per paragraph."""
    return [m.span() for m in _PARAGRAPH.finditer(text)]


def _opens_here(text: str, i: int) -> bool:
    """Whether the mark at ``i`` can open a quote (not a closing-only mark, not inches)."""
    mark = text[i]
    if mark == "”":
        return False
    if mark == '"' and i > 0 and text[i - 1].isdigit():
        return False
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return not nxt.isspace() or mark in "»«"


_TAG = re.compile(r"<[A-Za-z/][^<>\n]*>")


def _closes(text: str, i: int, opener: str) -> bool:
    mark = text[i]
    if mark not in _CLOSERS[opener]:
        return False
    if mark == "“" and opener == "“":
        # A second opening curly mark closes only when glued to the words before it.
        return i > 0 and not text[i - 1].isspace()
    return True


def _scan_paragraph(text: str, start: int, end: int, index: int) -> list[Span]:
    spans: list[Span] = []
    opener: int | None = None
    tags = _tag_ranges(text, start, end)
    for mark in _DOUBLE_MARK.finditer(text, start, end):  # only the marks, not every character
        i = mark.start()
        if tags and any(a < i < b for a, b in tags):
            continue  # an attribute's value in markup (<tweet author="@x">), not a quote
        if opener is None:
            if _opens_here(text, i):
                opener = i
        elif _closes(text, i, text[opener]):
            spans.append(_make_span(text, opener, i, i, index))
            opener = None
    if opener is not None:
        spans.append(_make_span(text, opener, None, end, index))
    return spans


def _tag_ranges(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where markup tags left in the text (``<tweet date="March 10">``) are, in a paragraph."""
    if text.find("<", start, end) < 0:
        return []
    return [m.span() for m in _TAG.finditer(text, start, end)]


def _make_span(text: str, opener: int, closer: int | None, stop: int, index: int) -> Span:
    s, e = opener + 1, stop
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    return Span(s, e, opener, closer, index)


def find_spans(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[Span]:
    """Every quoted span in document order.

    A paragraph that ends inside an open quotation continues at the next paragraph when that
    paragraph starts with an opening mark (the newspaper convention); the span is marked
    ``continues``. An unclosed span with no such continuation still counts, up to the
    paragraph's end. ``paragraphs`` saves computing ``paragraph_bounds(text)`` again.
    """
    paragraphs = paragraph_bounds(text) if paragraphs is None else paragraphs
    spans: list[Span] = []
    for index, (start, end) in enumerate(paragraphs):
        found = _scan_paragraph(text, start, end, index)
        if spans and spans[-1].close_mark is None and spans[-1].paragraph == index - 1:
            lead = start
            while lead < end and text[lead] in _LEADING_JUNK:
                lead += 1
            if found and found[0].open_mark == lead:
                last = spans[-1]
                spans[-1] = Span(
                    last.start, last.end, last.open_mark, None, last.paragraph, continues=True
                )
        spans.extend(span for span in found if span.end > span.start)
    return spans
