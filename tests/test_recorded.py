"""Recorded exchanges with a real OpenAI-compatible server, replayed offline.

The cassettes in cassettes/test_recorded/ were recorded against ../shared/tools/local-llm-server
(llama.cpp serving Qwen2.5-Coder 1.5B), which really rejects `json_schema` with HTTP 500.
Re-record with `make record` while that server runs (see README).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.config import Settings
from summarizer.errors import OutputValidationError
from summarizer.llm import OpenAIChat
from summarizer.pipeline.merge import same_actor
from summarizer.pipeline.run import asummarize
from summarizer.schema import SummaryResult
from summarizer.templates import Templates
from summarizer.views import text as display
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
    await chat.aclose()


@pytest.mark.vcr
async def test_reask_after_validation_error() -> None:
    # One actor allowed: the limit is a run-time rule the JSON schema cannot carry, so the
    # model lists both speakers, gets the validation error fed back, and trims its answer.
    settings = local_settings(output_mode="json_object", max_actors=1)
    chat = OpenAIChat(settings)
    try:
        result = await asummarize(SHORT_ARTICLE, settings=settings, client=chat)
    except OutputValidationError as exc:  # pragma: no cover - depends on the recording
        pytest.fail(f"still invalid after re-asks: {exc.errors}")
    assert len(result.positions) <= 1
    assert result.provenance.attempts >= 2
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
    actors = " ".join(p.actor for p in parsed.positions)
    for name in ("Starmer", "Scholz", "Costa", "Sanchez"):
        assert name in actors
    assert all(p.stance for p in parsed.positions)
    verified = [q for p in parsed.positions for q in p.quotes if q.verified]
    assert verified, "no quote was found verbatim in the article"
    text = SEED.read_text(encoding="utf-8")
    for quote in verified:
        assert quote.start is not None
        assert text[quote.start : quote.end] == quote.text
    assert parsed.provenance.endpoint_host == "127.0.0.1"
    assert "sk-local" not in result.stdout
    # The small model misattributed a quote in this recording: Scholz's words under Sanchez.
    # Grounding flags it with the engine's speaker, in the result and in the text layout.
    conflicts = [
        (p.actor, q) for p in parsed.positions for q in p.quotes if q.attribution == "conflict"
    ]
    assert [(actor, q.speaker) for actor, q in conflicts] == [
        ("Spanish PM Pedro Sanchez", "Olaf Scholz")
    ]
    assert "engine says: Olaf Scholz" in display.to_text(parsed, color=False)
    agreed = [q for p in parsed.positions for q in p.quotes if q.attribution == "agrees"]
    assert {q.speaker for q in agreed} == {"Keir Starmer", "Olaf Scholz"}
    # Costa's "quote" is reported speech: in the article, but not in quotation marks.
    costa = next(p for p in parsed.positions if "Costa" in p.actor)
    assert [q.attribution for q in costa.quotes] == ["unquoted"]

    # A second recorded run, as an editor reads it: here the model wrapped sentences in
    # <article> tags and passed them off as quotes; the text output marks every one.
    shown = CliRunner().invoke(cli, ["summarize", str(SEED), "--model", LOCAL_MODEL])
    assert shown.exit_code == 0, shown.stderr
    assert "Keir Starmer" in shown.stdout
    assert shown.stdout.count("✗ not found in article") == 4


@pytest.mark.vcr
async def test_long_article_is_split_merged_and_checked_against_the_whole() -> None:
    # A small context_window makes three short stories "long": 3 parts of 100-200 tokens,
    # so the recording is 1 rejected json_schema probe + 3 part calls + 1 reduce call (plus
    # any re-asks the model needs).
    settings = local_settings(context_window=2150, split_overlap=60)
    text = three_stories()
    chat = OpenAIChat(settings)
    try:
        result = await asummarize(text, settings=settings, client=chat)
    finally:
        await chat.aclose()
    assert result.provenance.parts == 3
    assert result.provenance.attempts >= 5  # probe + 3 parts + reduce
    assert result.provenance.output_mode == "json_object"
    assert result.provenance.usage.prompt_tokens > 0
    assert result.issue
    assert result.summary
    actors = [p.actor for p in result.positions]
    for i, actor in enumerate(actors):  # one entry per actor across the parts
        assert not any(same_actor(actor, other) for other in actors[i + 1 :]), actors
    verified = [q for p in result.positions for q in p.quotes if q.verified]
    assert verified, "no quote was found verbatim in the article"
    for quote in verified:
        assert quote.start is not None
        assert text[quote.start : quote.end] == quote.text
    # Offsets into the whole article: a part is under half the text, so an offset past the
    # middle cannot be part-relative.
    assert max(q.start or 0 for q in verified) > len(text) // 2


@pytest.mark.vcr
def test_house_style_template_changes_the_output_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded: examples/house-style asks for German and at most five actors; no code changes."""
    monkeypatch.setenv("OPENAI_BASE_URL", LOCAL_BASE_URL)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-no-key")
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "1800")
    monkeypatch.setenv("SUMMARIZER_MAX_RETRIES", "0")
    args = ["summarize", str(SEED), "--model", LOCAL_MODEL, "--format", "json"]
    house = ["--prompts", str(SEED.parent / "house-style")]
    result = CliRunner().invoke(cli, [*args, *house])
    assert result.exit_code == 0, result.stderr
    parsed = SummaryResult.model_validate_json(result.stdout)
    assert parsed.provenance.template_sha256 != Templates().sha256("positions")
    assert len(parsed.positions) <= 5
    # The small model's German is rough, but it is German: issue and summary changed language.
    german = {"die", "der", "das", "und", "wird", "ist", "eine", "über", "wenn"}
    for text in (parsed.issue, parsed.summary):
        assert german & set(text.lower().replace("?", " ").split()), text
