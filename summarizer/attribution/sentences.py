"""Sentence boundaries on text whose quoted words are masked, so quotes never split a sentence."""

from __future__ import annotations

import re

from summarizer.attribution.lexicon import words
from summarizer.attribution.quotes import Span

__all__ = ["mask_datelines", "mask_quotes", "split_sentences"]

_ABBREVIATIONS = words(
    """mr mrs ms dr sen rep gov gen lt col sgt capt adm jr sr st prof maj cmdr det no vs inc
    corp co ltd jan feb mar apr aug sept sep oct nov dec u.s u.k u.n d.c ca approx etc
    bzw ca dr nr vgl z.b u.a"""
)
_ONE_LETTER = re.compile(r"[a-z]")
_NON_SPACE = re.compile(r"\S")
_BOUNDARY = re.compile(r"[.!?…]+[”“\"»«’)]*\s+(?=[\"“„»«‘(]\S|[A-ZÄÖÜ0-9])")


_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+)*(?:,[^—–\n]{0,40}?)?\s*(?:\([A-Za-z]+\)\s*)?"
    r"(?:—|–|-{1,2})\s",
    re.MULTILINE,
)


def mask_datelines(text: str) -> str:
    """``text`` with datelines ("WASHINGTON, Dec. 8 (UPI) — ") blanked, offsets kept.

    A dateline names a place and an agency, never a speaker.
    """
    return _DATELINE.sub(lambda m: " " * len(m.group()), text)


def mask_quotes(text: str, spans: list[Span]) -> str:
    """``text`` with quoted words replaced by ``x`` (same length, marks and final stop kept).

    Names, verbs and sentence ends inside quotes then cannot mislead the rules that look for
    speakers outside them.
    """
    ranges = []
    for span in spans:
        stop = span.end
        if stop > span.start and text[stop - 1] in ".!?":
            stop -= 1
        ranges.append((span.start, stop))
    pieces = []
    cursor = 0
    for start, stop in sorted(ranges):  # overlapping spans are masked once
        start = max(start, cursor)
        if stop > start:
            pieces += [text[cursor:start], _crossed_out(text[start:stop])]
            cursor = stop
    pieces.append(text[cursor:])
    return "".join(pieces)


def _crossed_out(words: str) -> str:
    """``words`` with every character but whitespace replaced by ``x``."""
    if words.isprintable():  # then its only whitespace is " ": split and join, no regex
        return " ".join("x" * len(word) for word in words.split(" "))
    return _NON_SPACE.sub("x", words)


def split_sentences(masked: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of every sentence; paragraphs always end one."""
    sentences = []
    for start, end in paragraphs:
        cursor = start
        for m in _BOUNDARY.finditer(masked, start, end):
            word = masked[cursor : m.start()].rsplit(None, 1)[-1:] or [""]
            token = word[0].lower().strip('("“')
            if token in _ABBREVIATIONS or _ONE_LETTER.fullmatch(token):
                continue
            stop = m.end()
            while stop > cursor and masked[stop - 1].isspace():
                stop -= 1
            sentences.append((cursor, stop))
            cursor = m.end()
        if cursor < end:
            sentences.append((cursor, end))
    return sentences
