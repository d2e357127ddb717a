"""The engine's numbered evidence, the model's citations resolved against it, and the
offline engine alone, on the seed article."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.attribution import analyze
from summarizer.config import Settings
from summarizer.errors import ConfigError
from summarizer.pipeline import summarize
from summarizer.pipeline.evidence import Evidence, EvidenceActor, normalise_id
from summarizer.schema import Stance
from summarizer.testing import FakeLLM

SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")


def evidence_of(text: str) -> Evidence:
    return Evidence.from_attribution(analyze(text))


def test_ids_follow_the_document_and_point_at_the_articles_words(seed_text: str) -> None:
    evidence = evidence_of(seed_text)

    names = {a.id: a.name for a in evidence.actors}
    assert names["A1"] == "Keir Starmer"
    assert [i.id for i in evidence.items if i.is_quote] == ["Q1", "Q2", "Q3"]
    for item in evidence.items:
        assert seed_text[item.start : item.end] == item.text
    scholz = evidence.actor_named("Scholz")
    assert scholz is not None
    assert scholz.quote_ids == ("Q2", "Q3")
    q2 = evidence.item("Q2")
    assert q2 is not None
    assert q2.text == "completely premature"


def test_a_part_shows_the_evidence_inside_it_with_the_same_ids(seed_text: str) -> None:
    evidence = evidence_of(seed_text)
    q3 = evidence.item("Q3")
    assert q3 is not None

    part = evidence.within(q3.start - 10, len(seed_text))

    assert [i.id for i in part.items if i.is_quote] == ["Q3"]
    (scholz,) = [a for a in part.actors if a.quote_ids]
    whole = evidence.actor_named("Scholz")
    assert whole is not None
    assert (scholz.id, scholz.quote_ids) == (whole.id, ("Q3",))


def test_an_actor_is_found_by_its_exact_name_before_a_loose_match() -> None:
    # Two actors the engine kept apart in a real article: "De Blasio" loosely matches "Bill de
    # Blasio", which comes first and even has "De Blasio" among its aliases; the schema's slot
    # for "De Blasio" must land on its own actor.
    evidence = Evidence(
        actors=(
            EvidenceActor(
                "A1", "Bill de Blasio", "Mayor", ("De Blasio", "Mayor Bill de Blasio"), ("Q1",), ()
            ),
            EvidenceActor("A2", "De Blasio", None, (), ("Q2",), ()),
        )
    )
    assert evidence.actor_named("De Blasio") == evidence.actors[1]
    assert evidence.actor_named("Bill de Blasio") == evidence.actors[0]
    assert evidence.actor_named("Mayor de Blasio") == evidence.actors[0]  # loosely, the first
    assert evidence.actor_named("mayor bill de blasio") == evidence.actors[0]  # an alias


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Q3", "Q3"),
        ("q3", "Q3"),
        ("[Q3]", "Q3"),
        ("Q03", "Q3"),
        (" s12 ", "S12"),
        ("Costa", "Costa"),
    ],
)
def test_ids_are_read_the_way_models_write_them(raw: str, expected: str) -> None:
    assert normalise_id(raw) == expected


def what_a_small_model_did() -> dict[str, Any]:
    """What the local model did on the seed article before: Scholz's words given to Costa.
    Under the new contract that is a citation of Q3 for Costa's id."""
    return {
        "issue": "Should European troops be deployed to Ukraine after a peace deal?",
        "summary": "European leaders disagree.",
        "positions": [
            {
                "actor": "A1",
                "kind": "person",
                "role": "UK Prime Minister",
                "evidence": ["Q1", "S1"],
                "stance": "conditional",
                "position": "Open to troops with a US backstop.",
                "new_quotes": [],
            },
            {
                "actor": "Antonio Costa",
                "kind": "person",
                "role": "European Council President",
                "evidence": ["Q3", "S4"],
                "stance": "supports",
                "position": "Peace through strength.",
                "new_quotes": [
                    "Ukraine deserves peace through strength and reaffirmed Europe’s commitment"
                ],
            },
        ],
    }


def test_a_misattributed_quote_follows_the_engine_and_keeps_the_models_name(
    seed_text: str,
) -> None:
    fake = FakeLLM([what_a_small_model_did()] * 2)
    result = summarize(seed_text, settings=SETTINGS, client=fake)

    by_actor = {p.actor: p for p in result.positions}
    starmer, costa, scholz = (by_actor[n] for n in ("Keir Starmer", "Antonio Costa", "Olaf Scholz"))
    assert starmer.quotes[0].attribution == "agrees"
    assert [s.id for s in costa.statements] == ["S4"]
    moved = next(q for q in scholz.quotes if q.id == "Q3")
    assert (moved.attribution, moved.speaker, moved.cited_by) == (
        "conflict",
        "Olaf Scholz",
        "Antonio Costa",
    )
    assert scholz.origin == "engine"  # the model gave Scholz no position, even when re-asked
    assert costa.evidence == ["Q3", "S4"]


def test_reported_speech_passed_off_as_a_quote_is_flagged(seed_text: str) -> None:
    result = summarize(seed_text, settings=SETTINGS, client=FakeLLM([what_a_small_model_did()] * 2))
    costa = next(p for p in result.positions if p.actor == "Antonio Costa")
    added = next(q for q in costa.quotes if q.id is None)
    assert added.verified  # the words are in the article...
    assert added.attribution == "unquoted"  # ...but not inside quotation marks


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
    for statement in by_actor["Pedro Sanchez"].statements:
        assert seed_text[statement.start : statement.end] == statement.text


def test_library_never_switches_engine_silently(seed_text: str) -> None:
    with pytest.raises(ConfigError, match="No LLM endpoint"):
        summarize(seed_text, settings=Settings())
