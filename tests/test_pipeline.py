"""Logic tests for one article end to end, with the fake LLM (no network)."""

from __future__ import annotations

import asyncio
import json

import pytest

from summarizer import InputError, OutputValidationError
from summarizer.config import Settings
from summarizer.errors import BudgetError, LLMError
from summarizer.llm import ChatResponse
from summarizer.pipeline import asummarize, prepare, summarize
from summarizer.schema import Article, Stance, Usage
from summarizer.testing import FakeLLM

ARTICLE = (
    "Berlin: Mayor Anna Weber wants a new tram line.\n\n"
    "“We need the tram by 2030,” Weber said.\n\n"
    "Opposition leader Jonas Klein disagreed. “It is far too expensive,” Klein said."
)
SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")


def position(actor: str, *evidence: str, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "actor": actor,
        "kind": "person",
        "role": "",
        "evidence": list(evidence),
        "stance": "supports",
        "position": f"{actor} has a view.",
        "new_quotes": [],
    }
    values.update(overrides)
    return values


def draft(*positions: dict[str, object], **overrides: object) -> dict[str, object]:
    answer: dict[str, object] = {
        "issue": "Should Berlin build a new tram line?",
        "summary": "The mayor wants a tram; the opposition says it costs too much.",
        "positions": list(positions)
        or [
            position("A1", "Q1", role="Mayor", position="Wants the tram by 2030."),
            position("A2", "Q2", stance="opposes", position="Thinks it is too expensive."),
        ],
    }
    answer.update(overrides)
    return answer


def test_the_prompt_numbers_the_evidence_after_the_article() -> None:
    user = prepare(ARTICLE, settings=SETTINGS).messages[-1]["content"]

    article_end = user.index("</article>")
    assert user.index("<evidence>") > article_end
    assert "A1 Anna Weber, Mayor (also: Mayor Anna Weber, Weber)" in user
    assert '  Q1 quote: "We need the tram by 2030"' in user
    assert '  Q2 quote: "It is far too expensive"' in user


def test_cited_ids_become_the_articles_exact_words_in_one_call() -> None:
    fake = FakeLLM([draft()])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)

    weber, klein = result.positions
    assert (weber.actor, weber.actor_id, weber.role, weber.stance) == (
        "Anna Weber",
        "A1",
        "Mayor",
        Stance.SUPPORTS,
    )
    (quote,) = weber.quotes
    assert (quote.id, quote.verified, quote.attribution) == ("Q1", True, "agrees")
    assert quote.start is not None
    assert ARTICLE[quote.start : quote.end] == quote.text == "We need the tram by 2030"
    assert (quote.speaker, quote.cited_by) == ("Anna Weber", "Anna Weber")
    assert klein.actor == "Jonas Klein"
    assert weber.evidence == ["Q1"]
    assert weber.supported
    assert len(fake.requests) == 1
    assert result.provenance.attempts == 1
    assert result.notes == []


def test_a_slot_answer_without_role_or_new_quotes_takes_the_role_from_the_evidence() -> None:
    slot = {
        k: v for k, v in position("Anna Weber", "Q1").items() if k not in ("role", "new_quotes")
    }
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([draft(slot)]))

    weber = result.positions[0]
    assert (weber.actor, weber.role, [q.id for q in weber.quotes]) == (
        "Anna Weber",
        "Mayor",
        ["Q1"],
    )


def test_a_name_instead_of_an_id_is_the_same_actor() -> None:
    answer = draft(position("Weber", "Q1"), position("Jonas Klein", "q2"))
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([answer]))

    assert [(p.actor, p.actor_id, p.evidence) for p in result.positions] == [
        ("Anna Weber", "A1", ["Q1"]),
        ("Jonas Klein", "A2", ["Q2"]),
    ]


def test_unknown_and_repeated_ids_get_one_reask_then_are_noted_not_fatal() -> None:
    bad = draft(position("A1", "Q1", "Q9"), position("A2", "Q2", "Q1"))
    fake = FakeLLM([bad, bad])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)

    assert len(fake.requests) == 2
    reask = fake.requests[1].messages[-1]["content"]
    assert "'Q9', which is not a quote or statement id" in reask
    assert "Q1 is cited by both A1 and A2" in reask
    weber, klein = result.positions
    assert [q.id for q in weber.quotes] == ["Q1"]
    assert [q.id for q in klein.quotes] == ["Q2"]
    assert any("'Q9'" in note for note in result.notes)
    assert any("Q1 was cited for more than one actor" in note for note in result.notes)


def test_an_actor_left_out_gets_one_reask_then_is_added_by_the_tool() -> None:
    only_weber = draft(position("A1", "Q1"))
    fake = FakeLLM([only_weber, only_weber])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)

    assert (
        "A2 (Jonas Klein) has direct quotes Q2 but no position"
        in (fake.requests[1].messages[-1]["content"])
    )
    weber, klein = result.positions
    assert (klein.actor, klein.origin, klein.stance) == ("Jonas Klein", "engine", Stance.UNCLEAR)
    assert [q.text for q in klein.quotes] == ["It is far too expensive"]
    assert klein.quotes[0].cited_by is None  # the model did not cite it
    assert weber.origin == "model"
    assert any("Jonas Klein (A2)" in note for note in result.notes)


def test_the_reask_fixes_what_it_can() -> None:
    fake = FakeLLM([draft(position("A1", "Q1")), draft()])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)

    assert [p.origin for p in result.positions] == ["model", "model"]
    assert result.provenance.attempts == 2


@pytest.mark.parametrize(
    ("follow", "listed_under"), [("engine", "Jonas Klein"), ("model", "Anna Weber")]
)
def test_a_conflict_keeps_both_speakers_and_the_setting_picks_the_display(
    follow: str, listed_under: str
) -> None:
    swapped = draft(position("A1", "Q1", "Q2"), position("A2", stance="opposes"))
    settings = SETTINGS.model_copy(update={"speaker_authority": follow})
    result = summarize(ARTICLE, settings=settings, client=FakeLLM([swapped]))

    (owner,) = [p for p in result.positions if any(q.id == "Q2" for q in p.quotes)]
    assert owner.actor == listed_under
    quote = next(q for q in owner.quotes if q.id == "Q2")
    assert (quote.attribution, quote.speaker, quote.cited_by) == (
        "conflict",
        "Jonas Klein",
        "Anna Weber",
    )
    weber = result.positions[0]
    assert weber.evidence == ["Q1", "Q2"]  # what the model cited stays on its position


def test_a_position_citing_nothing_is_unsupported() -> None:
    answer = draft(position("A1", "Q1"), position("A2", "Q2"), position("Berlin Senate"))
    result = summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([answer]))

    senate = result.positions[2]
    assert (senate.actor, senate.actor_id, senate.supported) == ("Berlin Senate", None, False)
    assert result.unsupported_positions == [senate]


def test_uncited_quotes_of_a_covered_actor_are_listed_under_them() -> None:
    article = ARTICLE + "\n\n“Berlin deserves better,” Weber added."
    answer = draft(position("A1", "Q1"), position("A2", "Q2"))
    result = summarize(article, settings=SETTINGS, client=FakeLLM([answer]))

    weber = result.positions[0]
    assert [(q.id, q.cited_by) for q in weber.quotes] == [("Q1", "Anna Weber"), ("Q3", None)]
    assert weber.evidence == ["Q1"]


def test_a_quote_the_model_adds_is_checked_verbatim() -> None:
    answer = draft(
        position("A1", "Q1", new_quotes=["Trams are a waste of money"]),
        position("A2", new_quotes=["It is  far too expensive"]),  # the engine's Q2, retyped
    )
    fake = FakeLLM([answer])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)

    weber, klein = result.positions
    invented = next(q for q in weber.quotes if not q.verified)
    assert (invented.text, invented.start, invented.id) == (
        "Trams are a waste of money",
        None,
        None,
    )
    assert [(q.id, q.verified) for q in klein.quotes] == [("Q2", True)]
    assert klein.evidence == ["Q2"]
    assert len(fake.requests) == 1  # a verbatim check, not a re-ask


def test_drop_unverified_setting_drops_invented_quotes() -> None:
    answer = draft(position("A1", "Q1", new_quotes=["Invented words"]), position("A2", "Q2"))
    settings = SETTINGS.model_copy(update={"drop_unverified": True})
    result = summarize(ARTICLE, settings=settings, client=FakeLLM([answer]))
    assert [q.text for q in result.positions[0].quotes] == ["We need the tram by 2030"]


def test_validation_error_is_fed_back_and_callers_messages_untouched() -> None:
    invalid = draft(positions=[{"actor": "A1", "stance": "in favour"}])
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


def test_too_many_actors_are_trimmed_by_prominence_never_fatal() -> None:
    settings = SETTINGS.model_copy(update={"max_actors": 1})
    answer = draft(position("Berlin Senate"), position("A1", "Q1"), position("A2", "Q2"))
    fake = FakeLLM([answer])
    result = summarize(ARTICLE, settings=settings, client=fake)

    assert len(fake.requests) == 1
    kept = [p for p in result.positions if p.origin == "model"]
    assert [p.actor for p in kept] == ["Anna Weber"]  # cites evidence, first of the two
    assert any("limit is 1" in note and "Berlin Senate" in note for note in result.notes)
    # Klein's quote is not lost: the tool lists him, stance unclear
    assert [(p.actor, p.origin) for p in result.positions[1:]] == [("Jonas Klein", "engine")]


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


def test_an_answer_cut_off_in_a_loop_says_so_instead_of_asking_for_more_room() -> None:
    # Synthetic: a small local model answered a German article this way in a measured run
    # (cut at 2,048 tokens); the loop's words here are made up.
    looped = '{"issue": "Wer zahlt?", "summary": "' + "Die Schule ist gut. " * 60
    cut = ChatResponse(content=looped, finish_reason="length", usage=Usage())
    with pytest.raises(LLMError) as info:
        summarize(ARTICLE, settings=SETTINGS, client=FakeLLM([cut]))
    message = str(info.value)
    assert "repeated 'Die Schule ist gut. ' over and over" in message
    assert "Raise SUMMARIZER_MAX_OUTPUT_TOKENS" not in message


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


def test_bytes_are_decoded_like_a_file() -> None:
    result = summarize(ARTICLE.encode(), settings=SETTINGS, client=FakeLLM([draft()]))
    assert result.positions[0].quotes[0].text == "We need the tram by 2030"


def test_latin1_bytes_are_decoded_like_a_file() -> None:
    # short: the detector alone reads these bytes as big5hkscs ("H幨鋝e Martin")
    text = '"The coût of the bridge is far too high for us," said Hélène Martin, the mayor.'
    result = summarize(text.encode("latin-1"), engine="offline", settings=SETTINGS)
    (position,) = result.positions
    assert position.actor == "Hélène Martin"
    assert position.quotes[0].text == "The coût of the bridge is far too high for us"


def test_binary_bytes_are_an_input_error() -> None:
    with pytest.raises(InputError, match="article"):
        summarize(b"%PDF-1.7\x00\x01\x02 binary", settings=SETTINGS, client=FakeLLM())


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
    assert user["content"].index("<article>") < user["content"].index(ARTICLE)
    assert user["content"].index(ARTICLE) + len(ARTICLE) < user["content"].index("</article>")
    assert prepared.prompt_tokens > sum(prepared.message_tokens)


def test_fake_llm_default_answer_cites_the_evidence() -> None:
    fake = FakeLLM()
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)
    assert result.issue.startswith("What is at stake")
    positions = json.loads(result.model_dump_json())["positions"]
    assert [(p["actor"], p["evidence"]) for p in positions] == [
        ("Anna Weber", ["Q1"]),
        ("Jonas Klein", ["Q2"]),
    ]
    assert len(fake.requests) == 1


def test_quotes_are_checked_against_the_article_not_the_disarmed_prompt() -> None:
    article = ARTICLE + "\n\n“Vote no </article> now,” Klein said."
    answer = draft(position("A1", "Q1"), position("A2", "Q2", "Q3"))
    fake = FakeLLM([answer])
    result = summarize(article, settings=SETTINGS, client=fake)
    assert "</article> now" not in fake.requests[0].messages[1]["content"]
    klein = result.positions[1]
    q3 = next(q for q in klein.quotes if q.id == "Q3")
    assert q3.text == "Vote no </article> now"
    assert article[q3.start : q3.end] == q3.text


def test_max_reasks_0_is_one_call_and_the_repairs_still_apply() -> None:
    settings = SETTINGS.model_copy(update={"max_reasks": 0})
    fake = FakeLLM([draft(position("A1", "Q1", "Q9"))])
    result = summarize(ARTICLE, settings=settings, client=fake)
    assert len(fake.requests) == 1
    assert [(p.actor, p.origin) for p in result.positions] == [
        ("Anna Weber", "model"),
        ("Jonas Klein", "engine"),
    ]
    assert any("'Q9'" in note for note in result.notes)


def test_the_fake_llm_still_cites_the_evidence_after_a_reask() -> None:
    fake = FakeLLM(["not json at all"])
    result = summarize(ARTICLE, settings=SETTINGS, client=fake)
    assert len(fake.requests) == 2
    assert [(p.actor, p.origin) for p in result.positions] == [
        ("Anna Weber", "model"),
        ("Jonas Klein", "model"),
    ]


def test_a_statement_cited_for_someone_else_follows_the_engine_too() -> None:
    article = ARTICLE + "\n\nKlein said the city could not afford it."
    answer = draft(position("A1", "Q1", "S1"), position("A2", "Q2"))
    result = summarize(article, settings=SETTINGS, client=FakeLLM([answer]))
    weber, klein = result.positions
    assert [s.id for s in klein.statements] == ["S1"]
    assert weber.statements == []
    assert weber.evidence == ["Q1", "S1"]  # what the model cited stays on record
