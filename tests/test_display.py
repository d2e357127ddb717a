"""The terminal and Markdown renderings: actors, flags, offline results, escaping."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest
from markdown_it import MarkdownIt

from summarizer.schema import (
    ActorKind,
    MissedActor,
    Position,
    Provenance,
    Quote,
    Stance,
    SummaryResult,
)
from summarizer.views.text import MISSED_HEADING, NOT_FOUND, OFFLINE_NOTE, to_markdown, to_text

# The seed article's own typography, curly apostrophe included.
STARMER_QUOTE = "I’m prepared to consider committing British forces"


def make_result(*, engine: str = "llm", actor: str = "Keir Starmer") -> SummaryResult:
    """Starmer quoted correctly, Costa with a misattributed and an invented quote, Scholz missed."""
    offline = engine == "offline"
    return SummaryResult(
        article_id="seed-1",
        title="Starmer open to UK troops in Ukraine",
        issue="" if offline else "Should European troops go to Ukraine after a peace deal?",
        summary="" if offline else "European leaders met in Paris to discuss Ukraine.",
        positions=[
            Position(
                actor=actor,
                kind=ActorKind.PERSON,
                role="UK Prime Minister",
                stance=Stance.UNCLEAR if offline else Stance.CONDITIONAL,
                position="" if offline else "Open to sending troops with a US backstop.",
                quotes=[
                    Quote(
                        text=STARMER_QUOTE,
                        verified=True,
                        start=10,
                        end=61,
                        speaker="Keir Starmer",
                        attribution="agrees",
                    )
                ],
                statements=["he stressed that a US security backstop is necessary"],
            ),
            Position(
                actor="Antonio Costa",
                kind=ActorKind.PERSON,
                role="European Council President",
                stance=Stance.UNCLEAR if offline else Stance.SUPPORTS,
                position="" if offline else "Ukraine deserves peace through strength.",
                quotes=[
                    Quote(
                        text="It is a difficult situation for Europe",
                        verified=True,
                        start=100,
                        end=138,
                        speaker="Olaf Scholz",
                        attribution="conflict",
                    ),
                    Quote(text="Peace through strength is the only way", verified=False),
                ],
            ),
        ],
        missed_actors=[
            MissedActor(
                actor="Olaf Scholz",
                role="German Chancellor",
                quotes=[Quote(text="completely premature", verified=True, start=200, end=220)],
            )
        ],
        provenance=Provenance(
            engine="offline" if offline else "llm",
            model=None if offline else "gpt-4o-mini",
            attempts=1,
            tool_version="0.1.0",
            article_sha256="0" * 64,
            created_at=datetime(2025, 2, 18, tzinfo=UTC),
        ),
    )


def test_plain_text_lists_every_actor_with_stance_position_and_quotes() -> None:
    text = to_text(make_result(), color=False)

    assert "\x1b[" not in text
    assert "Issue: Should European troops go to Ukraine after a peace deal?" in text
    assert "European leaders met in Paris" in text
    for expected in ("Keir Starmer", "UK Prime Minister", "conditional", "Antonio Costa"):
        assert expected in text
    assert f"“{STARMER_QUOTE}”" in text
    assert "he stressed that a US security backstop is necessary" in text
    assert "gpt-4o-mini" in text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_plain_text_marks_unverified_conflicting_and_missed() -> None:
    lines = to_text(make_result(), color=False).splitlines()

    def line_after(needle: str) -> str:
        return next(lines[i + 1] for i, line in enumerate(lines) if needle in line)

    assert NOT_FOUND in line_after("Peace through strength is the only way")
    assert "⚠ engine says: Olaf Scholz" in line_after("It is a difficult situation for Europe")
    assert any(MISSED_HEADING in line for line in lines)
    assert "Olaf Scholz · German Chancellor" in line_after(MISSED_HEADING)


def test_colour_only_when_asked() -> None:
    assert "\x1b[" in to_text(make_result(), color=True)
    assert "\x1b[" not in to_text(make_result(), color=False)


def test_rich_markup_in_model_output_is_printed_literally() -> None:
    text = to_text(make_result(actor="[bold red]Mallory[/] :smile:"), color=True)

    assert "[bold red]Mallory[/] :smile:" in text


def test_offline_result_says_stances_need_an_llm_and_hides_unclear() -> None:
    result = make_result(engine="offline")

    text = to_text(result, color=False, width=200)
    markdown = to_markdown(result)

    for rendered in (text, markdown):
        assert OFFLINE_NOTE in rendered
        assert "unclear" not in rendered
        assert "Issue" not in rendered
        assert "Keir Starmer" in rendered
        assert "he stressed that a US security backstop is necessary" in rendered


def test_markdown_has_a_section_per_actor_and_the_flags() -> None:
    markdown = to_markdown(make_result())

    assert markdown.startswith("# Starmer open to UK troops in Ukraine\n")
    assert "## Keir Starmer · UK Prime Minister (person)" in markdown
    assert "- **Stance:** conditional" in markdown
    assert f"“Peace through strength is the only way” **{NOT_FOUND}**" in markdown
    assert "“It is a difficult situation for Europe” **⚠ engine says: Olaf Scholz**" in markdown
    assert f"## {MISSED_HEADING}" in markdown
    assert "- **Olaf Scholz · German Chancellor**" in markdown


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "[click](javascript:alert(1))",
        "![x](http://example.com/t.png)",
        "# not a heading",
        "1. not a list",
        "*not emphasis* `not code` &lt;not an entity&gt;",
    ],
    ids=["script", "img", "link", "image", "heading", "list", "inline"],
)
def test_markdown_renders_hostile_text_literally(hostile: str) -> None:
    result = make_result(actor=hostile)
    result.summary = hostile

    html = MarkdownIt("commonmark").render(to_markdown(result))

    for tag in ("<script", "<img", "<a ", "<em>not", "<code>", "<ol", "<h1>not"):
        assert tag not in html
    # the summary paragraph and the actor's heading both show the text, escaped once
    shown = escape(hostile, quote=False).replace('"', "&quot;")
    assert html.count(shown) >= 2
