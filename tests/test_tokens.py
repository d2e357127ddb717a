"""Token counting works offline, never hangs, and budgets are checked."""

from __future__ import annotations

import logging
import threading

import pytest
import tiktoken

from summarizer import tokens
from summarizer.config import Settings
from summarizer.errors import BudgetError
from summarizer.tokens import (
    FALLBACK_ENCODING,
    check_budget,
    context_window,
    count_messages,
    tokenizer_for,
)


def test_unknown_model_counts_with_the_offline_encoding() -> None:
    tok = tokenizer_for("local-medium")
    assert tok.name == FALLBACK_ENCODING
    assert tok.count("hello world") == 2


def test_unloadable_encoding_falls_back_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = tiktoken.get_encoding

    def offline(name: str) -> tiktoken.Encoding:
        if name != FALLBACK_ENCODING:
            raise ConnectionError("synthetic: no network")
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    tokens._load.cache_clear()
    with caplog.at_level(logging.WARNING, logger="summarizer.tokens"):
        first = tokenizer_for("gpt-4o-mini", download=True)
        second = tokenizer_for("gpt-4o", download=True)
    tokens._load.cache_clear()
    assert first.name == second.name == FALLBACK_ENCODING
    warnings = [r for r in caplog.records if "o200k_base" in r.getMessage()]
    assert len(warnings) == 1


def test_no_download_is_tried_unless_asked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = tiktoken.get_encoding
    asked: list[str] = []

    def recording(name: str) -> tiktoken.Encoding:
        asked.append(name)
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", recording)
    tokens._load.cache_clear()
    with caplog.at_level(logging.DEBUG, logger="summarizer.tokens"):
        tok = tokenizer_for("gpt-4o-mini")
    tokens._load.cache_clear()
    assert tok.name == FALLBACK_ENCODING
    assert asked == [FALLBACK_ENCODING]  # o200k_base would have meant a download
    assert not caplog.records


def test_the_download_is_a_setting() -> None:
    assert Settings.from_env({}).tiktoken_download is False
    assert Settings.from_env({"SUMMARIZER_TIKTOKEN_DOWNLOAD": "1"}).tiktoken_download is True


def test_hanging_download_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    real = tiktoken.get_encoding
    released = threading.Event()
    answered: list[str] = []

    def hang(name: str) -> tiktoken.Encoding:
        if name != FALLBACK_ENCODING:
            released.wait(30)  # synthetic: a firewall that drops packets, until the test ends
            answered.append(name)
            raise ConnectionError("synthetic: no network")
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", hang)
    tokens._load.cache_clear()
    try:
        tok = tokens._load("o200k_base", 0.2)
        # Returned while the download still hung: the deadline, not the download, ended the
        # wait (a bound on the seconds taken would depend on the machine's speed).
        assert not answered
    finally:
        released.set()
        tokens._load.cache_clear()
    assert tok.name == FALLBACK_ENCODING


def test_message_framing_is_counted() -> None:
    tok = tokenizer_for("local-medium")
    messages = [{"role": "system", "content": "hello world"}]
    assert count_messages(tok, messages) == 2 + 4 + 3


@pytest.mark.parametrize(
    ("model", "override", "expected"),
    [("gpt-4o-mini", None, 128_000), ("gpt-4", None, 8_192), ("local-medium", None, 8_192),
     ("mystery", None, 8_192), ("gpt-4o", 4_096, 4_096)],
    ids=["longest-prefix", "exact", "local", "unknown", "override"],
)  # fmt: skip
def test_context_window(model: str, override: int | None, expected: int) -> None:
    assert context_window(model, override) == expected


def test_budget_error_carries_both_figures() -> None:
    check_budget(6000, 2000, 8192, model="m")
    with pytest.raises(BudgetError) as info:
        check_budget(7000, 2000, 8192, model="m")
    assert (info.value.tokens, info.value.budget) == (9000, 8192)
    assert "9000" in str(info.value)
    assert "8192" in str(info.value)
