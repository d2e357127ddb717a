"""The attribution engine's fast paths agree with the simple definitions they replaced.

bench/attribution_same.py proves the whole engine unchanged on the dev set; these pin the
pieces on hand-written input so that a later edit cannot drift from the definitions.
"""

from __future__ import annotations

import re

import pytest

from summarizer.attribution import lexicon
from summarizer.attribution.index import MentionIndex
from summarizer.attribution.lexicon import SPEECH_VERB
from summarizer.attribution.names import find_mentions, name_tokens
from summarizer.attribution.quotes import Span
from summarizer.attribution.sentences import mask_quotes

TEXT = (
    "German Chancellor Olaf Scholz met Scholz's aides. Later Scholz said no, and Olaf Scholz "
    "chimed in again; Mr. Scholz shot back. Anna Scholz, his sister, said nothing."
)


def _spans(*ranges: tuple[int, int]) -> list[Span]:
    return [Span(a, b, a - 1, b, 0) for a, b in ranges]


def _masked_by_definition(text: str, spans: list[Span]) -> str:
    chars = list(text)
    for span in spans:
        stop = span.end - 1 if span.end > span.start and text[span.end - 1] in ".!?" else span.end
        for i in range(span.start, stop):
            if not chars[i].isspace():
                chars[i] = "x"
    return "".join(chars)


@pytest.mark.parametrize(
    "spans",
    [
        pytest.param(_spans((1, 12), (20, 31)), id="sorted"),
        pytest.param(_spans((20, 31), (1, 12)), id="unsorted"),
        pytest.param(_spans((1, 20), (10, 31), (12, 14)), id="overlapping"),
        pytest.param(_spans((5, 5)), id="empty"),
    ],
)
def test_mask_quotes_crosses_out_what_the_per_character_rule_does(spans: list[Span]) -> None:
    text = "“Ab c.\td”  e\u00a0f! g h” i."
    text = (text * 2)[:40]
    assert mask_quotes(text, spans) == _masked_by_definition(text, spans)


def test_speech_verbs_match_like_the_plain_alternation() -> None:
    alternatives = lexicon.words(lexicon._EN_VERBS + lexicon._DE_VERBS) | set(lexicon._EN_PHRASES)
    plain = re.compile(r"\b(" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")\b")
    for text in (TEXT, "She sayss it; he said_ it; they said.", "Dazu äußerte er, laut dpa"):
        for start in range(len(text)):
            assert [(m.span(), m.group(1)) for m in SPEECH_VERB.finditer(text, start)] == [
                (m.span(), m.group(1)) for m in plain.finditer(text, start)
            ]
    assert [m.group(1) for m in SPEECH_VERB.finditer(TEXT)] == [
        "said",
        "chimed in",
        "shot back",
        "said",
    ]


@pytest.mark.parametrize("surname", ["Scholz", "Olaf Scholz"])
def test_nearest_fuller_is_what_sorting_by_distance_picks(surname: str) -> None:
    mentions = find_mentions(TEXT)
    index = MentionIndex(TEXT, mentions)
    tokens = name_tokens(surname)
    for pos in range(0, len(TEXT), 7):
        fuller = [
            m
            for m in mentions
            if len(name_tokens(m.name)) > len(tokens)
            and set(tokens) <= set(name_tokens(m.name))
            and name_tokens(m.name)[-1] == tokens[-1]
        ]
        fuller.sort(key=lambda m: (m.start > pos, abs(m.start - pos)))
        assert index.nearest_fuller(tokens, pos) == (fuller[0] if fuller else None)
