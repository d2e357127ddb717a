"""Settings, and the only place environment variables are read.

Precedence: an explicit argument or CLI flag, then a ``SUMMARIZER_*`` variable, then the default.
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` keep their standard meaning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from summarizer._secrets import remember
from summarizer.errors import ConfigError

__all__ = ["ENV_PREFIX", "OutputMode", "Settings", "redact_url"]

ENV_PREFIX = "SUMMARIZER_"
OutputMode = Literal["auto", "json_schema", "json_object"]


_SECRET_QUERY_KEYS = {"api-key", "api_key", "apikey", "key", "token", "access_token", "sig"}


def redact_url(url: str) -> str:
    """The URL without credentials: no user:password, no secret-looking query parameters.

    Used wherever a URL is written down (results, state files, cache keys, messages).
    """
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0].lower() not in _SECRET_QUERY_KEYS
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Settings(BaseModel):
    """Everything that shapes a run. Immutable; derive variants with ``model_copy(update=...)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # endpoint
    api_key: SecretStr | None = Field(default=None, repr=False, description="OPENAI_API_KEY")
    base_url: str | None = Field(default=None, description="OPENAI_BASE_URL")
    model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds per request.")
    max_retries: int = Field(default=2, ge=0, description="SDK retries on 429/5xx/timeouts.")
    temperature: float = Field(default=0.0, ge=0, le=2)
    output_mode: OutputMode = Field(
        default="auto", description="json_schema, json_object, or auto (try, then fall back)."
    )
    # prompts
    prompts_dir: Path | None = Field(default=None, description="Folder of house-style templates.")
    template: str = Field(default="positions", description="Template task name.")
    max_actors: int = Field(default=8, ge=1, description="Most actors the summary may list.")
    language: str | None = Field(
        default=None,
        description="Language of issue, summary, positions; default the article's own.",
    )
    summary_sentences: int = Field(default=3, ge=1, le=10, description="Target summary length.")
    # budget
    tiktoken_download: bool = Field(
        default=False,
        description="Let tiktoken download the model's own encoding (else the shipped "
        "cl100k_base counts, within a few percent).",
    )
    max_output_tokens: int = Field(default=2048, ge=64, description="Output allowance per call.")
    context_window: int | None = Field(
        default=None, ge=512, description="Override the model's context window (tokens)."
    )
    max_parts: int = Field(
        default=20,
        ge=1,
        description="Most parts (one call each) an article too long for one call is split "
        "into; 1 disables splitting.",
    )
    split_overlap: int = Field(
        default=150,
        ge=0,
        description="Tokens a part repeats from the end of the previous one, so that a quote "
        "and its attribution are not cut apart.",
    )
    # validation
    max_reasks: int = Field(default=2, ge=0, description="Re-asks after invalid output.")
    drop_unverified: bool = Field(
        default=False, description="Drop quotes the model added that are not in the article."
    )
    speaker_authority: Literal["engine", "model"] = Field(
        default="engine",
        description="Whose speaker the positions follow when the model cites a quote for an "
        "actor the engine did not attribute it to (both are kept on the quote).",
    )
    stream: bool = Field(
        default=True,
        description="Stream completions, so the timeout bounds silence, not the whole answer.",
    )
    endpoint_memory: Path | None = Field(
        default=None,
        description="File remembering which endpoints reject json_schema; the CLI uses one in "
        "the user's cache folder, the library none unless given.",
    )
    # batch runs (summarizer batch / estimate)
    concurrency: int = Field(default=8, ge=1, le=1024, description="Articles in flight at once.")
    rpm: float | None = Field(default=None, gt=0, description="Requests-per-minute ceiling.")
    tpm: float | None = Field(default=None, gt=0, description="Tokens-per-minute ceiling.")
    max_attempts: int = Field(
        default=6, ge=1, description="Tries per call on 429, 5xx, timeouts and dropped connections."
    )
    retry_backoff: float = Field(
        default=1.0, ge=0, description="Seconds before the first retry; doubles, jittered."
    )
    article_timeout: float = Field(
        default=900.0, gt=0, description="Seconds per article, retries and re-asks included."
    )
    cache_path: Path | None = Field(
        default=None, description="Result cache file; default in the user's cache folder."
    )
    price_input_per_mtok: float | None = Field(
        default=None, ge=0, description="USD per million input tokens; overrides the table."
    )
    price_output_per_mtok: float | None = Field(
        default=None, ge=0, description="USD per million output tokens; overrides the table."
    )
    expected_output_tokens: int = Field(
        default=600, ge=1, description="Output tokens per article that estimates assume."
    )

    def model_post_init(self, context: Any, /) -> None:
        """Remember the credentials so that no message the tool writes can show them."""
        remember(
            api_key=self.api_key.get_secret_value() if self.api_key else None, url=self.base_url
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Build settings from an environment mapping, then explicit overrides.

        Overrides whose value is None are ignored, so CLI flags can be passed straight through.
        """
        values: dict[str, Any] = {}
        if key := environ.get("OPENAI_API_KEY"):
            values["api_key"] = key
        if url := environ.get("OPENAI_BASE_URL"):
            values["base_url"] = url
        for name in cls.model_fields:
            env_name = ENV_PREFIX + name.upper()
            if env_name in environ and name not in ("api_key", "base_url"):
                values[name] = environ[env_name]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "?"
            raise ConfigError(
                f"Invalid setting {field}={first.get('input')!r}: {first['msg']}. "
                f"Set {ENV_PREFIX}{field.upper()} or the matching flag to a valid value."
            ) from exc

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Settings from this process's environment, then explicit overrides."""
        return cls.from_env(os.environ, **overrides)

    @property
    def endpoint_host(self) -> str:
        """The endpoint's host (never the key, never the path), for provenance and logs."""
        if not self.base_url:
            return "api.openai.com"
        return urlsplit(self.base_url).hostname or self.base_url

    @property
    def has_endpoint(self) -> bool:
        """True when a key or a base URL is configured (a local server needs no real key)."""
        return self.api_key is not None or self.base_url is not None

    def resolved_cache_path(self, environ: Mapping[str, str] | None = None) -> Path:
        """The cache file: the setting, else ``$XDG_CACHE_HOME/summarizer/results.sqlite``
        (``~/.cache/...`` when unset)."""
        if self.cache_path is not None:
            return self.cache_path
        environ = os.environ if environ is None else environ
        base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "summarizer" / "results.sqlite"

    def require_endpoint(self) -> None:
        """Raise ConfigError when no endpoint is configured."""
        if not self.has_endpoint:
            raise ConfigError(
                "No LLM endpoint configured. Set OPENAI_API_KEY for OpenAI, or point at any "
                "OpenAI-compatible server with --base-url / OPENAI_BASE_URL "
                "(e.g. http://127.0.0.1:8765/v1)."
            )
