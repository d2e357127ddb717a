"""The article's language: detected offline, recorded in the result, picked per record, and
handed to the prompts; an explicit language still wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import Article, Settings, summarize
from summarizer.attribution import analyze, detect_language, language_name
from summarizer.pipeline.prepare import prepare
from summarizer.sources.archive import iter_records

ENGLISH = (
    "Council approves the new tram line\n\n"
    "The city council voted on Tuesday to build a tram line to the airport. "
    "“We have waited for this for twenty years,” said Mayor Anna Weber. "
    "Opponents said the cost would be far higher than the city expects."
)
GERMAN = (
    "Stadtrat beschließt die neue Straßenbahnlinie\n\n"
    "Der Stadtrat hat am Dienstag den Bau einer Straßenbahn zum Flughafen beschlossen. "
    "„Darauf haben wir zwanzig Jahre gewartet“, sagte Bürgermeisterin Anna Weber. "
    "Die Gegner erklärten, die Kosten seien viel höher, als die Stadt erwarte."
)
SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (GERMAN, "de")])
def test_detects_the_language(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert analyze(text).language == code


def test_text_without_letters_counts_as_english() -> None:
    assert detect_language("2024 — 12:30 / 3.5 %") == "en"


def test_a_given_language_overrides_detection() -> None:
    assert analyze(ENGLISH, language="de").language == "de"
    assert analyze(GERMAN, language="DE-at").language == "de"  # region and case dropped


def test_language_names() -> None:
    assert language_name("de") == "German"
    assert language_name("xx") == "xx"


def test_offline_result_records_the_language() -> None:
    result = summarize(GERMAN, engine="offline")
    assert result.provenance.language == "de"
    weber = next(p for p in result.positions if p.actor == "Anna Weber")
    assert [q.text for q in weber.quotes] == ["Darauf haben wir zwanzig Jahre gewartet"]


def test_mixed_archive_is_read_per_record(tmp_path: Path) -> None:
    archive = tmp_path / "mixed.jsonl"
    lines = [
        {"id": "en-1", "text": ENGLISH},
        {"id": "de-1", "text": GERMAN},
        {"id": "de-2", "text": ENGLISH, "language": "de"},  # the line's own field wins
    ]
    archive.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    found = {}
    for record in iter_records(archive):
        assert record.article is not None
        found[record.id] = summarize(record.article, engine="offline").provenance.language
    assert found == {"en-1": "en", "de-1": "de", "de-2": "de"}


def test_prompts_get_the_article_language() -> None:
    variables = prepare(Article(text=GERMAN), settings=SETTINGS).variables
    assert variables["language"] == "German"
    assert variables["article_language"] == "de"
    english = prepare(Article(text=ENGLISH), settings=SETTINGS).variables
    assert english["language"] == "English"


def test_a_set_output_language_wins_over_the_detected_one() -> None:
    settings = SETTINGS.model_copy(update={"language": "French"})
    variables = prepare(Article(text=GERMAN), settings=settings).variables
    assert variables["language"] == "French"
    assert variables["article_language"] == "de"
