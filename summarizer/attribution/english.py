"""English-only rules: capitalised words that open a sentence without naming anyone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.attribution.lexicon import words

__all__ = ["lower_openers"]

# Words that open a sentence and never name a speaker: indefinite pronouns and adverbs
# without the -ly ending ("Nothing the president said …", "Sooner or later, the governor …").
_OPENERS = words(
    """nothing nobody everyone everybody everything someone somebody something anyone anybody
    anything none likewise otherwise sooner early often soon perhaps maybe"""
)
# One capitalised word and what follows it: the next word is not capitalised (so the word is
# not part of a longer name).
_LEADERS = ' \t\n"“‘(—–-'
_FIRST_WORD = re.compile(r"[\s\"“‘(—–-]*([A-Z][a-z]+)\b(?!['’][a-z])(?=(\s*,)?\s*(\S?))")


def lower_openers(masked: str, sentences: Sequence[tuple[int, int]]) -> str:
    """``masked`` with sentence-opening words that name no one written in lower case.

    A sentence opener ("Specifically, …", "Adding, …", "Nothing the president said …") is
    capitalised like a name, and the rules that look for a speaker's name would take it for
    one. Lowered here (same length, offsets kept) when its shape says it is a word: it ends in
    -ly or -ing, or is a comma-set opener, or is an indefinite pronoun or adverb, and the
    article never capitalises it anywhere but at a sentence's start (a name that opens one
    sentence is written the same way in others, or is part of a longer name).
    """
    starts = {a for a, _ in sentences}
    found: list[tuple[int, str]] = []
    for a, b in sentences:
        m = _FIRST_WORD.match(masked, a, b)
        if m is None or m.group(3)[:1].isupper():
            continue
        word = m.group(1)
        low = word.lower()
        if not (low.endswith(("ly", "ing")) or m.group(2) or low in _OPENERS):
            continue
        found.append((m.start(1), word))
    if not found:
        return masked
    wanted = re.compile(r"\b(?:" + "|".join(sorted({word for _, word in found})) + r")\b")
    named = {
        o.group() for o in wanted.finditer(masked) if not _opens_sentence(masked, o.start(), starts)
    }
    out = list(masked)
    for at, word in found:
        if word not in named:
            out[at] = word[0].lower()
    return "".join(out)


def _opens_sentence(text: str, at: int, starts: set[int]) -> bool:
    """Whether only quote marks, brackets or dashes stand between a sentence start and ``at``."""
    k = at
    while k > 0 and text[k - 1] in _LEADERS:
        if k in starts:
            return True
        k -= 1
    return k in starts
