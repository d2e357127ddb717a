"""Settings and the one place URLs are stripped of credentials before being written down."""

from __future__ import annotations

import pytest

from summarizer.config import Settings, redact_url
from summarizer.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://news.example/story?id=7", "https://news.example/story?id=7"),
        ("http://bob:hunter2@127.0.0.1:8080/p.html", "http://127.0.0.1:8080/p.html"),
        ("https://x.example/a?token=abc&page=2&api-key=k", "https://x.example/a?page=2"),
        ("http://[::1]:9/v1", "http://[::1]:9/v1"),
        ("story.txt", "story.txt"),
    ],
    ids=["plain", "userinfo", "query-secrets", "ipv6", "not-a-url"],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_from_env_reads_prefixed_variables_and_overrides_win() -> None:
    settings = Settings.from_env(
        {"SUMMARIZER_MAX_ACTORS": "3", "OPENAI_BASE_URL": "http://h/v1"}, max_actors=None
    )
    assert (settings.max_actors, settings.base_url) == (3, "http://h/v1")
    assert Settings.from_env({"SUMMARIZER_MAX_ACTORS": "3"}, max_actors=5).max_actors == 5


def test_key_never_in_repr() -> None:
    assert "sk-secret" not in repr(Settings(api_key="sk-secret"))


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="SUMMARIZER_TEMPERATURE"):
        Settings.from_env({"SUMMARIZER_TEMPERATURE": "hot"})
