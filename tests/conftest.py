"""Shared fixtures: a clean environment, cassette configuration, the seed article."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SEED = ROOT / "examples" / "seed-article.txt"

# Re-recording talks to ../shared/tools/local-llm-server; replay needs nothing.
LOCAL_BASE_URL = os.environ.get("SUMMARIZER_RECORD_BASE_URL", "http://127.0.0.1:8765/v1")
LOCAL_MODEL = "local-medium"
SECRET_HEADERS = [
    "authorization",
    "api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
]


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test sees the developer's SUMMARIZER_* / OPENAI_* settings (httpx's clean_environ),
    and none writes into the developer's cache folder (the CLI remembers endpoints there)."""
    for name in list(os.environ):
        if name.startswith(("SUMMARIZER_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SECRET_HEADERS,
        "match_on": ["method", "path", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture(autouse=True)
def _all_cassette_interactions_played(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that leaves recorded interactions unplayed is replaying a stale cassette."""
    yield
    if request.node.get_closest_marker("vcr") is None:
        return
    cassette = request.getfixturevalue("vcr")
    if request.config.getoption("--record-mode") in (None, "none") and not cassette.all_played:
        unplayed = len(cassette.data) - cassette.play_count
        pytest.fail(f"{unplayed} recorded interaction(s) were not replayed: re-record")


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
