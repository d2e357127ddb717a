"""Splitting long articles into parts that fit a token budget."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from summarizer.errors import BudgetError
from summarizer.pipeline.split import Part, split_article
from summarizer.tokens import tokenizer_for
from tests.stories import beats, long_article

TOKENIZER = tokenizer_for("local-medium")  # the offline cl100k encoding: no download


def split(text: str, budget: int, overlap: int = 0, max_parts: int | None = None) -> list[Part]:
    return split_article(
        text, budget=budget, tokenizer=TOKENIZER, overlap=overlap, max_parts=max_parts
    )


def assert_well_formed(text: str, parts: list[Part], budget: int) -> None:
    for i, part in enumerate(parts):
        assert part.index == i
        assert text[part.start : part.end] == part.text
        assert part.tokens == TOKENIZER.count(part.text) <= budget
    for before, after in pairwise(parts):
        assert before.start < after.start
        assert before.end < after.end
        # nothing but whitespace is left out between two parts
        assert not text[before.end : after.start].strip()
    assert not text[: parts[0].start].strip()
    assert not text[parts[-1].end :].strip()


def test_short_text_is_one_part() -> None:
    text = "One paragraph.\n\nAnother paragraph."
    assert split(text, 100) == [Part(0, 0, len(text), text, TOKENIZER.count(text))]


@pytest.mark.parametrize("budget", [300, 1000, 5000], ids=["300", "1000", "5000"])
def test_long_article_parts_fit_and_cover_everything(budget: int) -> None:
    text = long_article(8_000)
    parts = split(text, budget, overlap=100)
    assert len(parts) > 1
    assert_well_formed(text, parts, budget)


def test_cuts_fall_at_paragraph_ends() -> None:
    text = long_article(8_000)
    parts = split(text, 1000, overlap=0)
    for part in parts[:-1]:
        assert text[part.end : part.end + 2] == "\n\n"
    for part in parts[1:]:
        assert text[part.start - 2 : part.start] == "\n\n"


def test_overlap_repeats_whole_sentences_within_the_limit() -> None:
    text = long_article(8_000)
    parts = split(text, 1000, overlap=120)
    for before, after in pairwise(parts):
        shared = text[after.start : before.end]
        assert shared, "no overlap"
        assert TOKENIZER.count(shared) <= 120 + 2  # the gaps between sentences
        # the next part starts at the beginning of a sentence
        assert re.search(r"(^|[.!?”]\s+|\n)$", text[: after.start])


@pytest.mark.parametrize(
    "story",
    [
        "Mayor Helen Okafor spoke to reporters after the vote on the harbour plan.\n\n"
        "“We will appeal against every part of this ruling.”",
        "“We will appeal against every part of this ruling.”\n\n"
        "Mayor Helen Okafor spoke to reporters after the vote on the harbour plan.",
    ],
    ids=["attribution-first", "quote-first"],
)
def test_a_quote_and_its_attribution_stay_together(story: str) -> None:
    # Wherever the cut falls, some part holds both the quote and the sentence naming its speaker.
    filler = [f"Background paragraph {i} has two sentences. This is the second." for i in range(30)]
    for lead in range(12):
        text = "\n\n".join([*filler[:lead], story, *filler[lead:]])
        parts = split(text, 60, overlap=40)
        assert len(parts) > 3
        assert any("appeal" in p.text and "Okafor" in p.text for p in parts), lead


def test_parts_do_not_start_or_end_with_whitespace() -> None:
    text = "First paragraph ends with a space. \n\n  Second is indented.  \n\n" * 40
    for part in split(text, 50, overlap=20):
        assert part.text == part.text.strip()


def test_giant_paragraph_is_cut_at_sentence_ends() -> None:
    paragraph = " ".join(p for beat in beats() for p in beat)  # no line breaks at all
    parts = split(paragraph, 200)
    assert len(parts) > 3
    assert_well_formed(paragraph, parts, 200)
    for part in parts[:-1]:
        assert part.text.endswith((".", ".”", "”"))


def test_never_cuts_inside_quotation_marks() -> None:
    quote = "“" + " ".join(f"Sentence {i} of a long quote ends here." for i in range(30)) + "”"
    text = f"The minister spoke at length and then read out a statement. {quote} She left."
    assert TOKENIZER.count(quote) < 310 < TOKENIZER.count(text)
    parts = split(text, 310)
    assert len(parts) == 2
    assert any(quote in p.text for p in parts)


def test_giant_sentence_is_cut_at_spaces() -> None:
    text = " ".join(f"item{i}" for i in range(2_000))  # one sentence, no punctuation
    parts = split(text, 100, overlap=20)
    assert len(parts) > 10
    assert_well_formed(text, parts, 100)
    assert all(re.fullmatch(r"item\d+", w) for p in parts for w in p.text.split())


def test_giant_word_is_cut_anyway() -> None:
    text = "x" * 5_000
    parts = split(text, 64)
    assert_well_formed(text, parts, 64)


def test_too_many_parts_is_a_budget_error_with_the_figures() -> None:
    text = long_article(8_000)
    needed = len(split(text, 1000))
    with pytest.raises(BudgetError) as info:
        split(text, 1000, max_parts=needed - 1)
    message = str(info.value)
    assert f"needs {needed} parts" in message
    assert f"at most {needed - 1} parts" in message
    assert "SUMMARIZER_MAX_PARTS" in message
    assert info.value.tokens == TOKENIZER.count(text)
    assert info.value.budget == 1000 * (needed - 1)


def test_budget_below_one_token_is_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        split("Some text.", 0)
