"""Merging the drafts of a long article's parts: actors, quotes, stances, one summary."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.errors import BudgetError
from summarizer.pipeline.merge import (
    as_draft,
    merge_positions,
    reconcile_stances,
    reduce,
    same_actor,
)
from summarizer.schema import (
    ActorKind,
    Draft,
    DraftPosition,
    Position,
    Provenance,
    Quote,
    Stance,
    SummaryResult,
)
from summarizer.templates import Templates
from summarizer.testing import FakeLLM

S = Stance
SETTINGS = Settings(model="local-medium", api_key="sk-test-not-real")


def position(actor: str, stance: Stance = S.SUPPORTS, *quotes: str, **extra: Any) -> DraftPosition:
    values: dict[str, Any] = {
        "actor": actor,
        "kind": ActorKind.PERSON,
        "role": "",
        "stance": stance,
        "position": f"{actor} takes a position.",
        "quotes": list(quotes),
    }
    values.update(extra)
    return DraftPosition(**values)


def draft(*positions: DraftPosition, issue: str = "Q?", summary: str = "S.") -> Draft:
    return Draft(issue=issue, summary=summary, positions=list(positions))


@pytest.mark.parametrize(
    ("stances", "expected"),
    [
        ([S.SUPPORTS], S.SUPPORTS),
        ([S.OPPOSES, S.OPPOSES], S.OPPOSES),
        ([S.SUPPORTS, S.UNCLEAR], S.SUPPORTS),
        ([S.NEUTRAL, S.OPPOSES, S.UNCLEAR], S.OPPOSES),
        ([S.NEUTRAL, S.UNCLEAR], S.NEUTRAL),
        ([S.UNCLEAR, S.UNCLEAR], S.UNCLEAR),
        ([S.SUPPORTS, S.CONDITIONAL], S.CONDITIONAL),
        ([S.OPPOSES, S.CONDITIONAL, S.NEUTRAL], S.CONDITIONAL),
        ([S.SUPPORTS, S.OPPOSES], S.MIXED),
        ([S.SUPPORTS, S.OPPOSES, S.CONDITIONAL], S.MIXED),
        ([S.SUPPORTS, S.MIXED], S.MIXED),
    ],
    ids=[
        "one",
        "same",
        "informative-beats-unclear",
        "informative-beats-neutral",
        "neutral-beats-unclear",
        "unclear",
        "supports-with-condition",
        "opposes-with-condition",
        "both-sides",
        "three-ways",
        "mixed-stays",
    ],
)
def test_reconcile_stances(stances: list[Stance], expected: Stance) -> None:
    assert reconcile_stances(stances) is expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Olaf Scholz", "Scholz", True),
        ("Chancellor Olaf Scholz", "Olaf Scholz", True),
        ("Chancellor Scholz", "Olaf Scholz", True),
        ("Harbour Traders’ Association", "Harbour Traders' Association", True),
        ("Anna Weber", "Max Weber", False),  # one family name, two people
        ("Helen Okafor", "David Brennan", False),
        ("Environment Agency", "Tomas Reyes", False),
    ],
    ids=["surname", "role-in-name", "role-and-surname", "apostrophes", "relatives", "two", "org"],
)
def test_same_actor(a: str, b: str, same: bool) -> None:
    assert same_actor(a, b) is same
    assert same_actor(b, a) is same


def test_one_entry_per_actor_under_the_fullest_name() -> None:
    part1 = draft(
        position("Helen Okafor", S.SUPPORTS, "Clean air matters", role="Mayor"),
        position("David Brennan", S.OPPOSES, "We will lose trade"),
    )
    part2 = draft(position("Brennan", S.OPPOSES, "Two members closed"))
    part3 = draft(
        position("Okafor", S.CONDITIONAL, "We will reopen one lane", role=""),
        position("Viktor Hale", S.SUPPORTS),
    )
    merged = merge_positions([part1, part2, part3])
    assert [p.actor for p in merged] == ["Helen Okafor", "David Brennan", "Viktor Hale"]
    okafor, brennan, _ = merged
    assert okafor.role == "Mayor"
    assert okafor.stance is S.CONDITIONAL
    assert okafor.quotes == ["Clean air matters", "We will reopen one lane"]
    assert brennan.quotes == ["We will lose trade", "Two members closed"]
    assert okafor.position == "Helen Okafor takes a position. Okafor takes a position."


def test_relatives_stay_apart_and_a_bare_surname_joins_the_first() -> None:
    merged = merge_positions(
        [
            draft(position("Anna Weber"), position("Max Weber", S.OPPOSES)),
            draft(position("Weber", S.SUPPORTS, "A quote")),
        ]
    )
    assert [(p.actor, p.stance) for p in merged] == [
        ("Anna Weber", S.SUPPORTS),
        ("Max Weber", S.OPPOSES),
    ]
    assert merged[0].quotes == ["A quote"]


def test_quotes_repeated_by_the_overlap_are_kept_once_and_longest() -> None:
    part1 = draft(position("Helen Okafor", S.SUPPORTS, "Clean air matters,", "Second quote"))
    part2 = draft(
        position(
            "Helen Okafor",
            S.SUPPORTS,
            "“Clean air matters”",  # same words, marks and comma differ
            "Second quote, and more of it",  # a longer cut of the same quote
            "Third quote",
        )
    )
    (merged,) = merge_positions([part1, part2])
    assert merged.quotes == ["Clean air matters,", "Second quote, and more of it", "Third quote"]
    assert merged.position == "Helen Okafor takes a position."  # identical texts once


def test_past_max_actors_the_least_prominent_are_left_out() -> None:
    drafts = [
        draft(position("Priya Raman"), position("Clara Jensen")),
        draft(position("Martin Feld", S.SUPPORTS, "One", "Two"), position("Raman")),
        draft(position("Amina Yusuf", S.SUPPORTS, "Three")),
    ]
    merged = merge_positions(drafts, max_actors=3)
    # Raman is in two parts; Feld has two quotes, Yusuf one; Jensen neither
    assert [p.actor for p in merged] == ["Priya Raman", "Martin Feld", "Amina Yusuf"]


def test_kind_is_the_most_common_and_role_the_longest() -> None:
    merged = merge_positions(
        [
            draft(position("Northam Council", kind="government", role="council")),
            draft(position("Northam Council", kind="organisation", role="city council")),
            draft(position("Northam Council", kind="government", role="")),
        ]
    )
    assert merged[0].kind is ActorKind.GOVERNMENT
    assert merged[0].role == "city council"


def test_as_draft_keeps_the_parts_quote_words() -> None:
    result = SummaryResult(
        issue="Q?",
        summary="S.",
        positions=[
            Position(
                actor="Helen Okafor",
                kind=ActorKind.PERSON,
                role="Mayor",
                stance=S.SUPPORTS,
                position="P.",
                quotes=[Quote(text="Clean air", verified=True, start=3, end=12)],
            )
        ],
        provenance=Provenance(
            tool_version="0", article_sha256="0", created_at="2026-01-01T00:00:00Z"
        ),
    )
    assert as_draft(result) == draft(
        position("Helen Okafor", S.SUPPORTS, "Clean air", role="Mayor", position="P."),
        issue="Q?",
        summary="S.",
    )


async def test_reduce_sends_the_parts_summaries_and_merged_positions() -> None:
    drafts = [
        draft(issue="Should Harbour Road close?", summary="The council closed Harbour Road."),
        draft(issue="Will the schools merge?", summary="Two schools will merge."),
    ]
    positions = [position("Helen Okafor", S.CONDITIONAL, role="Mayor")]
    # echo_draft answers with a "positions" key too: extra keys are ignored, no re-ask
    fake = FakeLLM()
    answer = await reduce(
        drafts,
        positions,
        settings=SETTINGS,
        client=fake,
        templates=Templates(),
        title="A year in Northam",
    )
    (request,) = fake.requests
    system, user = (m["content"] for m in request.messages)
    assert request.schema_name == "Overview"
    assert "not instructions" in system
    assert "about 3 sentences" in system
    assert user.startswith('Combine these 2 parts of the article "A year in Northam".')
    assert "Part 2\nIssue: Will the schools merge?\nSummary: Two schools will merge." in user
    assert "- Helen Okafor (Mayor), conditional: Helen Okafor takes a position." in user
    assert user.rstrip().endswith("</parts>")
    assert answer.value.issue
    assert answer.attempts == 1
    assert answer.usage.prompt_tokens > 0


async def test_reduce_refuses_a_prompt_past_the_window() -> None:
    drafts = [draft(summary="A long summary. " * 400)] * 3
    settings = SETTINGS.model_copy(update={"context_window": 4096})
    with pytest.raises(BudgetError):
        await reduce(drafts, [], settings=settings, client=FakeLLM(), templates=Templates())
