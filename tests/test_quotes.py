"""Verbatim checks survive typography and map back to original offsets."""

from __future__ import annotations

import pytest

from summarizer.quotes import ArticleText

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
