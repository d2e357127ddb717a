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
from summarizer.pipeline.merge import same_actor
from summarizer.pipeline.run import asummarize, prepare, summarize
from summarizer.schema import Stance
from summarizer.testing import FakeLLM
from summarizer.tokens import count_messages, tokenizer_for
from tests.stories import beats, long_article

SETTINGS = Settings(model="local-medium", api_key="sk-test-not-real", max_actors=30)
_NAME = r"[A-Z][\w’-]+(?: [A-Z][\w’-]+)*"
_QUOTE = re.compile(rf"“([^”]+?),?” (?:said ({_NAME})|({_NAME}) said)")
_ARTICLE = re.compile(r"<article>\n(.*)\n</article>", re.S)
_PARTS = re.compile(r"Combine these (\d+) parts")


def fake_model(request: ChatRequest) -> dict[str, Any]:
    """FAKE model: a Draft from the quotes in the part, an Overview from the part count."""
    user = request.messages[-1]["content"]
    if request.schema_name == "Overview":
        count = _PARTS.search(user)
        return {
            "issue": "What did Northam's council decide this year?",
            "summary": f"Read in {count.group(1) if count else '?'} parts.",
        }
    match = _ARTICLE.search(user)
    part = match.group(1) if match else ""
    quotes: dict[str, list[str]] = {}
    for m in _QUOTE.finditer(part):
        quotes.setdefault(_full_name(m.group(2) or m.group(3), part), []).append(m.group(1))
    return {
        "issue": "What is at stake here?",
        "summary": part.split(". ")[0] + ".",
        "positions": [
            {
                "actor": actor,
                "kind": "person",
                "role": "",
                "stance": "conditional" if any(" if " in q for q in said) else "supports",
                "position": f"{actor} is quoted.",
                "quotes": said,
            }
            for actor, said in quotes.items()
        ],
    }


def _full_name(name: str, part: str) -> str:
    """The name with a first name, if the part gives one anywhere ("Okafor" -> "Helen Okafor")."""
    if " " in name:
        return name
    first = re.search(rf"\b([A-Z][a-z]+) {re.escape(name)}\b", part)
    return f"{first.group(1)} {name}" if first else name


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

    # actors from every part, each merged into one entry
    merged = [p.actor for p in result.positions]
    answers = [[p["actor"] for p in fake_model(r)["positions"]] for r in parts]
    assert answers[0] == ["Helen Okafor", "David Brennan"]
    assert any("Okafor" in actors for actors in answers[1:]), "the surname-only mention"
    for actors in answers:
        assert actors, "a part without quotes: spread the stories differently"
        for actor in actors:
            assert sum(same_actor(actor, m) for m in merged) == 1, (actor, merged)
    assert len(merged) == len(set(merged))
    assert "Okafor" not in merged
    assert "Brennan" not in merged
    okafor = next(p for p in result.positions if p.actor == "Helen Okafor")
    assert okafor.stance is Stance.CONDITIONAL  # supports in part 1, conditional later
    assert len(okafor.quotes) == 2

    # every quote verified, with offsets into the whole article
    quotes = [q for p in result.positions for q in p.quotes]
    assert len(quotes) >= 15
    for quote in quotes:
        assert quote.verified
        assert quote.start is not None
        assert text[quote.start : quote.end] == quote.text
    assert max(q.start or 0 for q in quotes) > len(text) * 0.9

    # grounded in the whole article: the engine names the same speaker for every quote
    assert [q.attribution for q in quotes] == ["agrees"] * len(quotes)
    assert result.missed_actors == []

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


def test_parts_are_split_again_when_hints_grow_their_prompts() -> None:
    # Hints list each part's quotes once more, so a part filled to the budget measured on an
    # empty prompt overflows: the parts are cut again, smaller, and every one fits.
    text = "\n\n".join(p for beat in beats() for p in beat)
    settings = SETTINGS.model_copy(
        update={"context_window": 2000, "max_output_tokens": 512, "hints": True}
    )
    fake = FakeLLM(default=fake_model)
    result = summarize(text, settings=settings, client=fake)
    assert result.provenance.parts == len(part_requests(fake)) > 1
    tokenizer = tokenizer_for(settings.model)
    for request in part_requests(fake):
        assert "An offline quote finder located" in request.messages[-1]["content"]
        assert count_messages(tokenizer, request.messages) + 512 <= 2000


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
