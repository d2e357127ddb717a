"""Grounding LLM output in the offline attribution engine, and the offline engine itself."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.errors import ConfigError
from summarizer.pipeline.run import summarize
from summarizer.schema import Stance
from summarizer.testing import FakeLLM

SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")
STARMER_QUOTE = "I’m prepared to consider committing British forces on the ground"
SCHOLZ_QUOTE = "It is a difficult situation for Europe."


def misattributed() -> dict[str, Any]:
    """What a small model really did on the seed article: Scholz's words given to Costa."""
    return {
        "issue": "Should European troops be deployed to Ukraine after a peace deal?",
        "summary": "European leaders disagree.",
        "positions": [
            {
                "actor": "Keir Starmer",
                "kind": "person",
                "role": "UK Prime Minister",
                "stance": "conditional",
                "position": "Open to troops with a US backstop.",
                "quotes": [STARMER_QUOTE],
            },
            {
                "actor": "Antonio Costa",
                "kind": "person",
                "role": "European Council President",
                "stance": "supports",
                "position": "Peace through strength.",
                "quotes": [SCHOLZ_QUOTE],
            },
        ],
    }


def test_misattributed_quote_is_flagged_and_missed_actor_listed(seed_text: str) -> None:
    result = summarize(seed_text, settings=SETTINGS, client=FakeLLM([misattributed()]))
    starmer, costa = result.positions
    assert starmer.quotes[0].attribution == "agrees"
    assert starmer.quotes[0].speaker == "Keir Starmer"
    flagged = costa.quotes[0]
    assert flagged.verified
    assert flagged.attribution == "conflict"
    assert flagged.speaker == "Olaf Scholz"
    # Scholz has direct quotes in the article but no position in the summary
    assert [m.actor for m in result.missed_actors] == ["Olaf Scholz"]
    assert any("completely premature" in q.text for q in result.missed_actors[0].quotes)
    # Costa's reported statement comes from the engine, not the model
    assert any("peace through strength" in s for s in costa.statements)


def test_reported_speech_passed_off_as_a_quote_is_flagged(seed_text: str) -> None:
    answer = misattributed()
    answer["positions"][1]["quotes"] = [
        "Ukraine deserves peace through strength and reaffirmed Europe’s commitment"
    ]
    result = summarize(seed_text, settings=SETTINGS, client=FakeLLM([answer]))
    quote = result.positions[1].quotes[0]
    assert quote.verified  # the words are in the article...
    assert quote.attribution == "unquoted"  # ...but not inside quotation marks


def test_conflict_reask_is_a_setting(seed_text: str) -> None:
    fake = FakeLLM([misattributed(), misattributed()])
    summarize(seed_text, settings=SETTINGS, client=fake)
    assert len(fake.requests) == 1  # default: flag, don't re-ask

    settings = SETTINGS.model_copy(update={"reask_on_conflict": True})
    fake = FakeLLM([misattributed(), misattributed()])
    result = summarize(seed_text, settings=settings, client=fake)
    assert len(fake.requests) == 2
    follow_up = fake.requests[1].messages[-1]["content"]
    assert '"It is a difficult situation for Europe" is said by Olaf Scholz' in follow_up
    assert result.positions[1].quotes[0].attribution == "conflict"  # still flagged


def test_grounding_can_be_switched_off(seed_text: str) -> None:
    settings = SETTINGS.model_copy(update={"grounding": False})
    result = summarize(seed_text, settings=settings, client=FakeLLM([misattributed()]))
    assert result.positions[1].quotes[0].attribution == "unknown"
    assert result.missed_actors == []


def test_hints_go_into_the_prompt_only_when_asked(seed_text: str) -> None:
    fake = FakeLLM()
    summarize(seed_text, settings=SETTINGS, client=fake)
    assert "offline quote finder" not in fake.requests[0].messages[1]["content"]
    fake = FakeLLM()
    summarize(seed_text, settings=SETTINGS.model_copy(update={"hints": True}), client=fake)
    user = fake.requests[0].messages[1]["content"]
    assert "offline quote finder" in user
    assert '- Olaf Scholz: "completely premature"' in user
    assert user.rstrip().endswith("</article>")


def test_offline_engine_on_the_seed_article(seed_text: str) -> None:
    result = summarize(seed_text, engine="offline", settings=Settings())
    by_actor = {p.actor: p for p in result.positions}
    assert result.provenance.engine == "offline"
    assert result.provenance.usage.total_tokens == 0
    assert result.summary == ""
    assert result.issue == ""
    starmer, scholz = by_actor["Keir Starmer"], by_actor["Olaf Scholz"]
    assert starmer.role == "UK Prime Minister"
    assert scholz.role == "German Chancellor"
    assert any(q.text.startswith("I’m prepared to consider") for q in starmer.quotes)
    assert any(q.text == "completely premature" for q in scholz.quotes)
    for position in result.positions:
        assert position.stance is Stance.UNCLEAR
        for quote in position.quotes:
            assert quote.verified
            assert seed_text[quote.start : quote.end] == quote.text
    assert by_actor["Antonio Costa"].statements
    assert by_actor["Pedro Sanchez"].statements
    assert not by_actor["Antonio Costa"].quotes


def test_library_never_switches_engine_silently(seed_text: str) -> None:
    with pytest.raises(ConfigError, match="No LLM endpoint"):
        summarize(seed_text, settings=Settings())
