"""Articles too long for one call, end to end with a FAKE model (no network, no real LLM).

``fake_model`` below stands in for the LLM: it answers each part from the part's own text by
picking the quotes in the stories' house format, and answers the reduce call from the part
count. It proves the plumbing (split, per-part calls, merge, whole-article quote checks,
provenance), not the quality of a real model's reading; the recorded test does that.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.errors import BudgetError, LLMError
from summarizer.llm import ChatRequest
from summarizer.pipeline import asummarize, prepare, summarize
from summarizer.pipeline.merge import same_actor
from summarizer.schema import Stance
from summarizer.testing import FakeLLM
from summarizer.testing._evidence import cited_positions
from summarizer.tokens import count_messages, tokenizer_for
from tests.stories import beats, long_article

SETTINGS = Settings(model="local-medium", api_key="sk-test-not-real", max_actors=30)
_QUOTE_LINE = re.compile(r'^\s+(Q\d+) quote: "(.*)"$', re.M)
_ARTICLE = re.compile(r"<article>\n(.*)\n</article>", re.S)
_PARTS = re.compile(r"Combine these (\d+) parts")


def fake_model(request: ChatRequest) -> dict[str, Any]:
    """FAKE model: a Draft citing every evidence id in the part under its actor (conditional
    when a quote has an "if"), an Overview from the part count."""
    user = request.messages[-1]["content"]
    if request.schema_name == "Overview":
        count = _PARTS.search(user)
        return {
            "issue": "What did Northam's council decide this year?",
            "summary": f"Read in {count.group(1) if count else '?'} parts.",
        }
    match = _ARTICLE.search(user)
    part = match.group(1) if match else ""
    positions = cited_positions(user, max_actors=30)
    quotes = dict(_QUOTE_LINE.findall(user))
    for p in positions:
        said = [quotes.get(i, "") for i in p["evidence"]]
        p["stance"] = "conditional" if any(" if " in q for q in said) else "supports"
    summary = part.split(". ")[0] + "."
    return {"issue": "What is at stake here?", "summary": summary, "positions": positions}


def part_requests(fake: FakeLLM) -> list[ChatRequest]:
    return [r for r in fake.requests if r.schema_name == "Draft"]


def test_a_30000_word_article_gives_one_merged_result() -> None:
    text = long_article(30_000)
    assert len(text.split()) >= 30_000
    fake = FakeLLM(default=fake_model)
    result = summarize(text, settings=SETTINGS, client=fake)

    parts = part_requests(fake)
    assert result.provenance.parts == len(parts) >= 8
    assert len(fake.requests) == len(parts) + 1  # one reduce call
    assert result.summary == f"Read in {len(parts)} parts."

    # actors from every part, each merged into one entry: evidence ids are the whole article's
    merged = [p.actor for p in result.positions]
    answers = [[p["actor"] for p in fake_model(r)["positions"]] for r in parts]
    assert answers[0] == ["Helen Okafor", "David Brennan"]
    assert sum("Helen Okafor" in actors for actors in answers) > 1, "one actor in several parts"
    for actors in answers:
        assert actors, "a part without quotes: spread the stories differently"
    assert len(merged) == len(set(merged))
    assert all(same_actor(a, b) is (a == b) for a in merged for b in merged)
    okafor = next(p for p in result.positions if p.actor == "Helen Okafor")
    assert okafor.stance is Stance.CONDITIONAL  # supports in part 1, conditional later
    assert len(okafor.quotes) == 2
    # every quoted actor was judged by the model; the tool adds only reported-speech actors
    assert all(p.origin == "model" for p in result.positions if p.quotes)

    # every quote verified, with offsets into the whole article
    quotes = [q for p in result.positions for q in p.quotes]
    assert len(quotes) >= 15
    for quote in quotes:
        assert quote.verified
        assert quote.start is not None
        assert text[quote.start : quote.end] == quote.text
    assert max(q.start or 0 for q in quotes) > len(text) * 0.9

    # resolved against the whole article: the engine names the same speaker for every quote
    assert [q.attribution for q in quotes] == ["agrees"] * len(quotes)
    assert all("reported statements but no position" in note for note in result.notes)

    # provenance sums every call
    assert result.provenance.attempts == len(fake.requests)
    prompt = sum(sum(len(m["content"]) for m in r.messages) // 4 for r in fake.requests)
    assert result.provenance.usage.prompt_tokens == prompt


def test_every_part_fits_the_window() -> None:
    settings = SETTINGS.model_copy(update={"context_window": 3000, "max_output_tokens": 512})
    fake = FakeLLM(default=fake_model)
    result = summarize(long_article(6_000), settings=settings, client=fake)
    assert result.provenance.parts == len(part_requests(fake)) > 3
    tokenizer = tokenizer_for(settings.model)
    for request in part_requests(fake):
        assert count_messages(tokenizer, request.messages) + 512 <= 3000


def test_parts_are_split_again_when_their_evidence_grows_their_prompts() -> None:
    # The evidence lists each part's quotes and statements once more, so a part filled to the
    # budget measured on an empty prompt overflows: the parts are cut again, smaller, and
    # every one fits.
    text = "\n\n".join(p for beat in beats() for p in beat)
    # Room for about 600 tokens of article and evidence beside the prompt's own text (JSON
    # mode's, which carries the schema) and the answer: the test does not depend on the
    # length of the shipped prompt.
    mode = {"output_mode": "json_object", "max_output_tokens": 512}
    around = prepare(".", settings=SETTINGS.model_copy(update=mode))
    window = around.prompt_tokens + 512 + 600
    settings = SETTINGS.model_copy(update={"context_window": window, "max_output_tokens": 512})
    fake = FakeLLM(default=fake_model)
    result = summarize(text, settings=settings, client=fake)
    assert result.provenance.parts == len(part_requests(fake)) > 1
    tokenizer = tokenizer_for(settings.model)
    for request in part_requests(fake):
        assert " quote: " in request.messages[-1]["content"]
        assert count_messages(tokenizer, request.messages) + 512 <= window


def test_no_room_for_any_article_text_is_a_budget_error() -> None:
    # The window holds the prompt around the article and the answer, and not one token more.
    mode = {"output_mode": "json_object", "max_output_tokens": 64}
    around = prepare(".", settings=SETTINGS.model_copy(update=mode)).prompt_tokens
    settings = SETTINGS.model_copy(update={"context_window": around + 64, "max_output_tokens": 64})
    with pytest.raises(BudgetError, match="No room left for the article") as info:
        summarize(long_article(2_000), settings=settings, client=FakeLLM(default=fake_model))
    assert info.value.budget == around + 64
    assert f"needs {around} tokens" in str(info.value)


def test_past_max_parts_a_budget_error_with_the_figures_and_no_call() -> None:
    settings = SETTINGS.model_copy(update={"max_parts": 3})
    fake = FakeLLM(default=fake_model)
    with pytest.raises(BudgetError, match=r"needs \d+ parts .* at most 3 parts") as info:
        summarize(long_article(30_000), settings=settings, client=fake)
    assert info.value.tokens > info.value.budget
    assert fake.requests == []


def test_max_parts_1_refuses_as_before() -> None:
    settings = SETTINGS.model_copy(update={"max_parts": 1})
    with pytest.raises(BudgetError, match="context window"):
        summarize(long_article(8_000), settings=settings, client=FakeLLM(default=fake_model))


def test_auto_mode_probes_json_schema_once_not_once_per_part() -> None:
    fake = FakeLLM(default=fake_model, reject_json_schema=True)
    result = summarize(long_article(12_000), settings=SETTINGS, client=fake)
    assert [r.mode for r in fake.requests].count("json_schema") == 1
    assert result.provenance.output_mode == "json_object"
    assert result.provenance.attempts == len(fake.requests)


async def test_a_failing_part_fails_the_article() -> None:
    calls = 0

    def flaky(request: ChatRequest) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            return LLMError("HTTP 503 from the endpoint.", status=503)
        return fake_model(request)

    with pytest.raises(LLMError, match="503"):
        await asummarize(long_article(30_000), settings=SETTINGS, client=FakeLLM(default=flaky))


def test_short_articles_are_not_split() -> None:
    fake = FakeLLM(default=fake_model)
    result = summarize(long_article(500), settings=SETTINGS, client=fake)
    assert result.provenance.parts == 1
    assert len(fake.requests) == 1
