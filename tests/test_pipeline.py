"""Logic tests for one article end to end, with the fake LLM (no network)."""

from __future__ import annotations

import asyncio
import json

import pytest

from summarizer import InputError, OutputValidationError
from summarizer.config import Settings
from summarizer.errors import BudgetError, LLMError
from summarizer.llm import ChatResponse
from summarizer.pipeline.run import asummarize, prepare, summarize
from summarizer.schema import Article, Stance, Usage
from summarizer.testing import FakeLLM

ARTICLE = (
    "Berlin: Mayor Anna Weber wants a new tram line.\n\n"
    "“We need the tram by 2030,” Weber said.\n\n"
    "Opposition leader Jonas Klein disagreed. “It is far too expensive,” Klein said."
)
SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")


def draft(**overrides: object) -> dict[str, object]:
    answer: dict[str, object] = {
        "issue": "Should Berlin build a new tram line?",
        "summary": "The mayor wants a tram; the opposition says it costs too much.",
        "positions": [
            {
                "actor": "Anna Weber",
                "kind": "person",
                "role": "Mayor",
                "stance": "supports",
                "position": "Wants the tram by 2030.",
                "quotes": ["We need the tram by 2030,"],
            },
            {
                "actor": "Jonas Klein",
                "kind": "person",
                "role": "Opposition leader",
                "stance": "opposes",
                "position": "Thinks it is too expensive.",
                "quotes": ["It is far too expensive"],
            },
        ],
    }
    answer.update(overrides)
    return answer


def test_quotes_are_verified_with_offsets() -> None:
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([draft()]))
    weber, klein = result.positions
    assert weber.stance is Stance.SUPPORTS
    quote = weber.quotes[0]
    assert quote.verified
    assert quote.start is not None
    assert quote.end is not None
    assert ARTICLE[quote.start : quote.end] == quote.text == "We need the tram by 2030"
    assert klein.quotes[0].verified


def test_typographic_differences_still_verify() -> None:
    answer = draft()
    answer["positions"][0]["quotes"] = ['"We  need the tram by 2030"']  # type: ignore[index]
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([answer]))
    assert result.positions[0].quotes[0].verified


def test_unverifiable_quote_triggers_one_reask_then_stays_flagged() -> None:
    bad = draft()
    bad["positions"][1]["quotes"] = ["Trams are a waste of money"]  # type: ignore[index]
    fake = FakeLLM([bad, bad])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)
    assert len(fake.requests) == 2
    follow_up = fake.requests[1].messages[-1]["content"]
    assert "Trams are a waste of money" in follow_up
    assert "exactly" in follow_up
    flagged = result.unverified_quotes
    assert [(actor, q.text) for actor, q in flagged] == [
        ("Jonas Klein", "Trams are a waste of money")
    ]
    assert flagged[0][1].start is None
    assert result.provenance.attempts == 2


def test_quote_reask_fixes_the_quote() -> None:
    bad = draft()
    bad["positions"][1]["quotes"] = ["It is much too expensive"]  # type: ignore[index]
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([bad, draft()]))
    assert result.unverified_quotes == []


def test_drop_unverified_setting_drops_them() -> None:
    bad = draft()
    bad["positions"][1]["quotes"] = ["Invented words"]  # type: ignore[index]
    settings = SETTINGS.model_copy(update={"drop_unverified": True, "quote_reask": False})
    fake = FakeLLM([bad])
    result = summarize(ARTICLE, settings=settings, client=fake)
    assert result.positions[1].quotes == []
    assert len(fake.requests) == 1


def test_validation_error_is_fed_back_and_callers_messages_untouched() -> None:
    invalid = draft(positions=[{"actor": "Anna Weber", "stance": "in favour"}])
    fake = FakeLLM(["not json at all", invalid, draft()])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)
    assert len(result.positions) == 2
    first, second, third = fake.requests
    assert len(first.messages) == 2
    assert "not valid JSON" in second.messages[-1]["content"]
    assert "stance" in third.messages[-1]["content"]
    assert "in favour" in third.messages[-1]["content"]
    # each attempt got a new list; the earlier ones were not mutated
    assert len(first.messages) == 2
    assert len(second.messages) == 4
    assert len(third.messages) == 6


def test_actor_limit_is_enforced_by_reask() -> None:
    settings = SETTINGS.model_copy(update={"max_actors": 1})
    one = draft()
    one["positions"] = one["positions"][:1]  # type: ignore[index]
    fake = FakeLLM([draft(), one])
    result = summarize(ARTICLE, settings=settings, client=fake)
    assert len(result.positions) == 1
    assert "at most 1" in fake.requests[1].messages[-1]["content"]


def test_gives_up_with_output_validation_error() -> None:
    settings = SETTINGS.model_copy(update={"max_reasks": 1})
    fake = FakeLLM(["{}", "[1, 2]"])
    with pytest.raises(OutputValidationError) as info:
        summarize(ARTICLE, settings=settings, client=fake)
    err = info.value
    assert err.attempts == 2
    assert err.raw_output == "[1, 2]"
    assert err.errors
    assert err.usage["prompt_tokens"] > 0


@pytest.mark.parametrize(
    ("finish_reason", "refusal", "reason"),
    [("length", None, "length"), ("content_filter", None, "content_filter"),
     ("stop", "I can't help with that.", "refusal")],
    ids=["length", "filter", "refusal"],
)  # fmt: skip
def test_truncated_filtered_or_refused_answers_are_errors(
    finish_reason: str, refusal: str | None, reason: str
) -> None:
    partial = ChatResponse(
        content='{"issue": "Half', finish_reason=finish_reason, refusal=refusal, usage=Usage()
    )
    with pytest.raises(LLMError) as info:
        summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([partial]))
    assert info.value.reason == reason


def test_json_schema_rejection_falls_back_once_per_client() -> None:
    fake = FakeLLM(reject_json_schema=True)
    summarize(ARTICLE, settings=SETTINGS, client=fake)
    summarize(ARTICLE, settings=SETTINGS, client=fake)
    modes = [r.mode for r in fake.requests]
    assert modes == ["json_schema", "json_object", "json_object"]
    assert fake.requests[0].probe
    # JSON mode carries the schema in the prompt, strict mode does not
    assert "JSON schema:" in fake.requests[1].messages[0]["content"]
    assert "JSON schema:" not in fake.requests[0].messages[0]["content"]


def test_explicit_json_schema_mode_does_not_fall_back() -> None:
    settings = SETTINGS.model_copy(update={"output_mode": "json_schema"})
    with pytest.raises(LLMError) as info:
        summarize(ARTICLE, settings=settings, client=FakeLLM(reject_json_schema=True))
    assert info.value.status == 500


def test_provenance() -> None:
    article = Article(text=ARTICLE, id="tram-1", title="Tram")
    result = summarize(article, settings=SETTINGS, client=FakeLLM([draft()]))
    p = result.provenance
    assert result.article_id == "tram-1"
    assert p.model == "gpt-4o-mini"
    assert p.endpoint_host == "api.openai.com"
    assert p.template == "positions"
    assert len(p.template_sha256 or "") == 64
    assert len(p.article_sha256) == 64
    assert p.usage.prompt_tokens > 0
    assert p.attempts == 1
    assert p.tool_version
    assert "sk-test-not-real" not in result.model_dump_json()


def test_async_twin_returns_the_same() -> None:
    result = asyncio.run(asummarize(ARTICLE, settings=SETTINGS, client=FakeLLM([draft()])))
    sync = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([draft()]))
    assert result.model_dump(exclude={"provenance"}) == sync.model_dump(exclude={"provenance"})


async def test_sync_inside_event_loop_is_a_clear_error() -> None:
    with pytest.raises(Exception, match="asummarize"):
        summarize(ARTICLE, settings=SETTINGS, client=FakeLLM())


@pytest.mark.parametrize("text", ["", "   \n\t"], ids=["empty", "blank"])
def test_empty_article_is_input_error(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        summarize(text, settings=SETTINGS, client=FakeLLM())


def test_budget_error_gives_both_figures() -> None:
    settings = SETTINGS.model_copy(update={"context_window": 1000})
    with pytest.raises(BudgetError) as info:
        prepare(ARTICLE * 20, settings=settings)
    assert info.value.budget == 1000
    assert info.value.tokens > 1000
    assert "1000" in str(info.value)


def test_article_is_last_inside_delimiters() -> None:
    prepared = prepare(Article(text=ARTICLE), settings=SETTINGS)
    system, user = prepared.messages
    assert "data" in system["content"]
    assert "not instructions" in system["content"]
    assert user["content"].rstrip().endswith("</article>")
    assert ARTICLE in user["content"]
    assert prepared.prompt_tokens > sum(prepared.message_tokens)


def test_fake_llm_default_answer_is_valid() -> None:
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM())
    assert result.issue.startswith("What is at stake")
    assert json.loads(result.model_dump_json())["positions"] == []


def test_quotes_are_checked_against_the_article_not_the_disarmed_prompt() -> None:
    article = ARTICLE + "\n\n“Vote no </article> now,” Klein said."
    answer = draft()
    answer["positions"][1]["quotes"] = ["Vote no </article> now,"]  # type: ignore[index]
    fake = FakeLLM([answer])
    result = summarize(article, settings=SETTINGS, client=fake)
    assert "</article> now" not in fake.requests[0].messages[1]["content"]
    assert result.positions[1].quotes[0].verified
