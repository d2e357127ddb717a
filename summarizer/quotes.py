"""Verbatim quote checks: find a quote in the article despite typographic differences.

Both sides are normalised the same way (whitespace runs, curly and straight quotation marks,
dashes, the ellipsis character) and the match is mapped back to offsets in the original text.
"""

from __future__ import annotations

import re

__all__ = ["ArticleText", "normalize"]

_CHAR_MAP = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u2039": "'", "\u203a": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
        "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u00a0": " ",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_EDGE = "\"' \t\n.,;:"


def normalize(text: str) -> str:
    """The comparison form of a text (see ArticleText for offsets)."""
    return _SPACE.sub(" ", text.translate(_CHAR_MAP).replace("\u2026", "...")).strip()


class ArticleText:
    """An article prepared for repeated quote look-ups.

    Args:
        text: The article exactly as the user gave it; offsets refer to this string.
    """

    def __init__(self, text: str):
        self.text = text
        chars: list[str] = []
        origin: list[int] = []
        previous_space = True
        for i, ch in enumerate(text):
            if ch.isspace():
                if not previous_space:
                    chars.append(" ")
                    origin.append(i)
                previous_space = True
                continue
            previous_space = False
            mapped = "..." if ch == "\u2026" else ch.translate(_CHAR_MAP)
            chars.extend(mapped)
            origin.extend([i] * len(mapped))
        self._norm = "".join(chars)
        self._origin = origin

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets (start, end) of the quote in the original text, or None if absent.

        Quotation marks, spaces and sentence punctuation at the quote's edges are ignored:
        models often add or drop them.
        """
        needle = normalize(quote).strip(_EDGE)
        if len(needle) < 2:
            return None
        at = self._norm.find(needle)
        if at < 0:
            return None
        return self._origin[at], self._origin[at + len(needle) - 1] + 1
