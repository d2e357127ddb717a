"""Recorded exchanges with a real OpenAI-compatible server, replayed offline.

The cassettes in cassettes/test_recorded/ were recorded against ../shared/tools/local-llm-server
(llama.cpp serving Qwen2.5-Coder 1.5B), which really rejects `json_schema` with HTTP 500.
Re-record with `make record` while that server runs (see README).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from summarizer.attribution.language import detect_language
from summarizer.cli import cli
from summarizer.config import Settings
from summarizer.llm import OpenAIChat
from summarizer.pipeline import asummarize
from summarizer.pipeline.merge import same_actor
from summarizer.schema import Quote, Statement, SummaryResult
from summarizer.templates import Templates
from tests.conftest import LOCAL_BASE_URL, LOCAL_MODEL, SEED
from tests.stories import three_stories

SHORT_ARTICLE = (
    "Oslo: The city council voted on Tuesday to close the harbour road to cars.\n\n"
    "“Clean air matters more than parking,” said council leader Marit Dahl.\n\n"
    "Shop owner Per Olsen was against it. “My customers will go elsewhere,” Olsen said."
)


def local_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": LOCAL_BASE_URL,
        "api_key": "sk-local-no-key",
        "model": LOCAL_MODEL,
        "max_output_tokens": 1024,
        # Recording runs on a busy 2-core machine: no retries, so nothing is sent twice.
        "timeout": 1800,
        "max_retries": 0,
    }
    values.update(overrides)
    return Settings(**values)


def assert_verbatim(result: SummaryResult, text: str) -> None:
    """Every quote and statement the result locates is the article's own words."""
    for position in result.positions:
        items: list[Quote | Statement] = [*position.quotes, *position.statements]
        for item in items:
            if getattr(item, "verified", True) and item.start is not None:
                assert text[item.start : item.end] == item.text


async def summarize_locally(text: str, settings: Settings) -> SummaryResult:
    """``text`` through the pipeline with a client of its own, closed afterwards."""
    chat = OpenAIChat(settings)
    try:
        return await asummarize(text, settings=settings, client=chat)
    finally:
        await chat.aclose()


@pytest.mark.vcr
async def test_auto_mode_falls_back_when_json_schema_is_rejected() -> None:
    chat = OpenAIChat(local_settings())
    result = await asummarize(SHORT_ARTICLE, settings=local_settings(), client=chat)
    # the server answered json_schema with HTTP 500; the client remembers JSON mode
    assert chat.supports_json_schema is False
    assert result.provenance.output_mode == "json_object"
    assert result.provenance.attempts >= 2
    assert result.issue
    assert result.summary
    assert result.provenance.usage.prompt_tokens > 0
    assert_verbatim(result, SHORT_ARTICLE)
    await chat.aclose()


@pytest.mark.vcr
def test_seed_article_end_to_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded: the README's example through the CLI against the local llama.cpp server."""
    monkeypatch.setenv("OPENAI_BASE_URL", LOCAL_BASE_URL)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-no-key")
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "1800")
    monkeypatch.setenv("SUMMARIZER_MAX_RETRIES", "0")
    args = ["summarize", str(SEED), "--model", LOCAL_MODEL, "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    # Downstream systems validate against `summarizer schema`: so does this test.
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).stdout)
    jsonschema.validate(json.loads(result.stdout), schema)
    parsed = SummaryResult.model_validate_json(result.stdout)
    text = SEED.read_text(encoding="utf-8")
    assert_verbatim(parsed, text)
    by_actor = {p.actor: p for p in parsed.positions}
    for name in ("Keir Starmer", "Olaf Scholz"):
        assert by_actor[name].quotes, name
        assert all(q.speaker == name == q.cited_by for q in by_actor[name].quotes)
    starmer, scholz = by_actor["Keir Starmer"], by_actor["Olaf Scholz"]
    assert [q.id for q in starmer.quotes] == ["Q1"]
    assert [q.id for q in scholz.quotes] == ["Q2", "Q3"]
    # One call after the rejected json_schema probe: JSON mode's schema gave every actor the
    # engine found a slot, so none was left out and nothing needed a re-ask.
    assert parsed.provenance.attempts == 2
    assert {p.actor for p in parsed.positions} >= {
        "Keir Starmer",
        "Olaf Scholz",
        "Antonio Costa",
        "Pedro Sanchez",
    }
    for position in parsed.positions:
        assert position.origin == "model", position.actor
        assert position.supported, position.actor
    assert scholz.stance.value == "opposes"
    assert [s.id for s in by_actor["Antonio Costa"].statements] == ["S4"]
    assert not parsed.notes
    assert parsed.provenance.endpoint_host == "127.0.0.1"
    assert "sk-local" not in result.stdout
    # The CLI remembered the rejected probe: a second run would go straight to JSON mode.
    memory = Path(os.environ["XDG_CACHE_HOME"]) / "summarizer" / "endpoints.json"
    assert json.loads(memory.read_text()) == {f"127.0.0.1/v1|{LOCAL_MODEL}": {"json_schema": False}}


@pytest.mark.vcr
async def test_long_article_is_split_merged_and_checked_against_the_whole() -> None:
    # A small context_window makes three short stories "long": 3 parts, so the recording is
    # 3 part calls + 1 reduce call (plus any re-asks the model needs).
    settings = local_settings(context_window=2700, split_overlap=60, output_mode="json_object")
    text = three_stories()
    result = await summarize_locally(text, settings)
    assert result.provenance.parts == 3
    assert result.provenance.attempts >= 4  # 3 parts + reduce
    assert result.provenance.usage.prompt_tokens > 0
    assert result.issue
    assert result.summary
    actors = [p.actor for p in result.positions]
    for i, actor in enumerate(actors):  # one entry per actor across the parts
        assert not any(same_actor(actor, other) for other in actors[i + 1 :]), actors
    assert_verbatim(result, text)
    quotes = [q for p in result.positions for q in p.quotes if q.verified]
    # Offsets into the whole article: a part is under half the text, so an offset past the
    # middle cannot be part-relative.
    assert max(q.start or 0 for q in quotes) > len(text) // 2


@pytest.mark.vcr
def test_house_style_template_changes_the_output_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded: examples/house-style asks for German and at most five actors; no code changes."""
    monkeypatch.setenv("OPENAI_BASE_URL", LOCAL_BASE_URL)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-no-key")
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "1800")
    monkeypatch.setenv("SUMMARIZER_MAX_RETRIES", "0")
    monkeypatch.setenv("SUMMARIZER_OUTPUT_MODE", "json_object")
    args = ["summarize", str(SEED), "--model", LOCAL_MODEL, "--format", "json"]
    house = ["--prompts", str(SEED.parent / "house-style")]
    result = CliRunner().invoke(cli, [*args, *house])
    assert result.exit_code == 0, result.stderr
    parsed = SummaryResult.model_validate_json(result.stdout)
    assert parsed.provenance.template_sha256 != Templates().sha256("positions")
    assert len([p for p in parsed.positions if p.origin == "model"]) <= 5
    # The small model's German is rough, but it is German: issue and summary changed language.
    german = {"die", "der", "das", "und", "wird", "werden", "ist", "eine", "über", "wenn", "hat"}
    for text in (parsed.issue, parsed.summary):
        assert german & set(text.lower().replace("?", " ").split()), text


GERMAN_ARTICLE = (
    "Leipzig: Der Stadtrat hat am Mittwoch beschlossen, die Straßenbahnlinie 4 bis zum "
    "neuen Wohngebiet im Norden zu verlängern.\n\n"
    "„Wer im Norden wohnt, braucht eine schnelle Verbindung in die Innenstadt“, sagte "
    "Oberbürgermeisterin Karin Vogt nach der Abstimmung.\n\n"
    "Der Bund der Steuerzahler kritisierte die Kosten von 80 Millionen Euro. „Das Geld fehlt "
    "am Ende bei den Schulen“, erklärte dessen Landesvorsitzender Michael Brandt."
)


@pytest.mark.vcr
async def test_a_german_article_comes_back_in_german() -> None:
    """Recorded: no language is set; the article's language is detected and the issue,
    summary and positions are asked for, and come back, in German."""
    settings = local_settings()
    assert settings.language is None
    result = await summarize_locally(GERMAN_ARTICLE, settings)
    assert result.provenance.language == "de"
    assert_verbatim(result, GERMAN_ARTICLE)
    by_actor = {p.actor: p for p in result.positions}
    assert [q.speaker for q in by_actor["Karin Vogt"].quotes] == ["Karin Vogt"]
    assert [q.speaker for q in by_actor["Michael Brandt"].quotes] == ["Michael Brandt"]
    # Judged by the same detector that read the article: the model's own words are German.
    model_texts = [p.position for p in result.positions if p.origin == "model"]
    assert model_texts
    for text in (result.issue, result.summary, " ".join(model_texts)):
        assert detect_language(text) == "de", text


@pytest.mark.vcr
async def test_an_answer_cut_off_at_the_output_limit_is_asked_again_briefly(
    seed_text: str, vcr: Any
) -> None:
    """Recorded re-ask: the seed article's usual answer (~510 tokens) does not fit a 470-token
    output limit. The server cuts it off; the tool asks once more for a brief answer, without
    sending the cut text back, and the brief answer fits."""
    settings = local_settings(max_output_tokens=470, output_mode="json_object")
    result = await summarize_locally(seed_text, settings)
    assert result.provenance.attempts == 2
    first, second = (json.loads(request.body) for request in vcr.requests)
    # The re-ask is the first conversation plus one user turn, and no cut-off assistant turn.
    assert second["messages"][:-1] == first["messages"]
    assert second["messages"][-1]["role"] == "user"
    assert "cut off" in second["messages"][-1]["content"]
    assert result.issue
    assert result.summary
    assert_verbatim(result, seed_text)
    by_actor = {p.actor: p for p in result.positions}
    for name in ("Keir Starmer", "Olaf Scholz"):
        assert name in by_actor, sorted(by_actor)
        assert by_actor[name].quotes, name
        assert all(q.speaker == name for q in by_actor[name].quotes)
