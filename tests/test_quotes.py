"""Verbatim checks survive typography and map back to original offsets."""

from __future__ import annotations

import random
import sys

import pytest

from summarizer.pipeline.verbatim import _CHAR_MAP, WHITESPACE, ArticleText

ARTICLE = "He said: “We’re ready — truly…  ready,” and left.\nShe said ‘no’."


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("We’re ready — truly… ready", "We’re ready — truly…  ready"),
        ("We're ready - truly... ready", "We’re ready — truly…  ready"),
        ('"We\'re ready -- truly', None),
        ("“We’re ready — truly…  ready,”", "We’re ready — truly…  ready"),
        ("ready, and", None),
        ("no", "no"),
        ("Ready", None),
        ("x", None),
    ],
    ids=["exact", "straightened", "double-dash", "with-marks", "across-mark", "short", "case",
         "too-short"],
)  # fmt: skip
def test_find(quote: str, expected: str | None) -> None:
    text = ArticleText(ARTICLE)
    span = text.find(quote)
    if expected is None:
        assert span is None
    else:
        assert span is not None
        assert ARTICLE[span[0] : span[1]] == expected


def test_whitespace_list_matches_str_isspace() -> None:
    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(WHITESPACE) == every


def _reference(text: str) -> tuple[str, list[int]]:
    """The per-character normalisation ArticleText used to run, kept as the specification."""
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
    return "".join(chars), origin


def test_fast_normalisation_matches_the_per_character_one() -> None:
    alphabet = "ab c\n\t\u00a0\u2026\u201c\u201d\u2014x.,'\"\u2019 \u3000\r\x1c\u2028"
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        fast = ArticleText(text)
        assert (fast._norm, fast._origin) == _reference(text), repr(text)
