"""The attribution engine's work grows linearly with the article, counted, not timed.

The work is the number of Python lines the engine executes (``sys.settrace``), the same on
any machine however busy. A 0.5 MB article once took 9.6 s and a 2 MB one 29 s: every actor
read every name in the article, and every quote every later quote.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from summarizer.attribution import analyze, cues, names
from summarizer.attribution.cues import _STOP, _sentence_end

ENGINE = str(Path(cues.__file__).parent)


def _lines_run(text: str) -> int:
    """How many lines of the engine's code ``analyze(text)`` executes, with cold caches."""
    names.name_tokens.cache_clear()
    names._run_mention.cache_clear()
    count = 0

    def in_engine(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return in_engine

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        return in_engine(frame, event, arg) if frame.f_code.co_filename.startswith(ENGINE) else None

    sys.settrace(on_call)
    try:
        analyze(text)
    finally:
        sys.settrace(None)
    return count


def _name(i: int) -> str:
    """A distinct pronounceable name for every ``i``: "Dobe", "Mazi"..."""
    letters, vowels, word = "bcdfghklmnprstvz", "aeiou", ""
    i += 16
    while i:
        word += letters[i % 16] + vowels[i % 5]
        i //= 16
    return word.capitalize()


def _article(people: int, joiner: str) -> str:
    """``people`` paragraphs, each a new speaker quoted twice and named again."""
    return joiner.join(
        f"{_name(i)} {_name(i * 7 + 3)}, a spokesman for the ministry, said: "
        f'"We will not back down on this." He added that "the talks were hard" and "long". '
        f"Later {_name(i * 7 + 3)} told reporters the plan was set."
        for i in range(people)
    )


def _german_article(people: int, joiner: str) -> str:
    """The same in German: V2 order, a quoted outlet in the lead-in, Konjunktiv."""
    return joiner.join(
        f"Dazu sagte {_name(i)} {_name(i * 7 + 3)}, Sprecher des Ministeriums, gegenüber der "
        f"„Nordpost“: „Wir weichen nicht zurück.“ Die Gespräche seien „hart und lang“ gewesen, "
        f"so {_name(i * 7 + 3)}. Später sagte er den Reportern, der Plan stehe."
        for i in range(people)
    )


@pytest.mark.parametrize("joiner", ["\n\n", " "], ids=["paragraphs", "one-paragraph"])
@pytest.mark.parametrize("article", [_article, _german_article], ids=["english", "german"])
def test_four_times_the_text_is_four_times_the_work(
    article: Callable[[int, str], str], joiner: str
) -> None:
    small, large = _lines_run(article(100, joiner)), _lines_run(article(400, joiner))
    # Linear work gives 4.0; the quadratic engine gave 8.1 (paragraphs) and 8.5 (one).
    assert large / small < 4.5, (small, large)


@pytest.mark.parametrize(
    ("text", "start", "limit"),
    [
        ("No stop here at all", 0, 19),
        ("Short. Then more.", 0, 17),
        ("x" * 255 + ". next", 0, 262),  # the stop ends the first window exactly
        ("x" * 254 + ".y and on", 0, 263),  # a stop glued to a word at the window's edge
        ("x" * 600 + "! Yes", 3, 605),
        ("Gov. Smith spoke. Then", 0, 22),
        ("A.B. went home. Then", 2, 20),
        ('He said "yes', 0, 12),
        ("x" * 1000, 10, 500),
    ],
    ids=["none", "near", "edge", "glued", "far", "abbreviation", "initials", "mark", "limit"],
)
def test_sentence_end_is_the_first_stop_in_the_whole_rest(
    text: str, start: int, limit: int
) -> None:
    m = _STOP.search(text[start:limit])
    assert _sentence_end(text, start, limit) == (start + m.end() if m else limit)
