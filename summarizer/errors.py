"""The one exception tree: every failure a caller can act on, with its data attached.

```
SummarizerError
├── ConfigError            missing key or endpoint, bad setting: the operator fixes config
├── InputError             unreadable, empty, undecodable, too large article or archive line
│                          (source, line); an offline article past --article-timeout
├── TemplateError          missing template or undefined variable (template, variable)
├── BudgetError            article too long for the model: splitting off, or past max_parts
├── LLMError               the endpoint failed after retries, refused, or stopped at the limit
└── OutputValidationError  still invalid after the re-asks (attempts, raw_output, errors, usage)
```
"""

from __future__ import annotations

from typing import Any

from summarizer._secrets import scrub

__all__ = [
    "BudgetError",
    "ConfigError",
    "InputError",
    "LLMError",
    "OutputValidationError",
    "SummarizerError",
    "TemplateError",
]


class SummarizerError(Exception):
    """Root of every error this package raises on purpose.

    Its message never shows a known credential, even one a server quoted back to us
    (``summarizer._secrets``): every place that prints or writes an error reads ``str()``.
    """

    def __str__(self) -> str:
        return scrub(super().__str__())


class ConfigError(SummarizerError):
    """A setting is missing or invalid; the operator fixes the configuration."""


class InputError(SummarizerError):
    """An article or archive record cannot be used.

    Attributes:
        source: The file, URL or archive the input came from.
        line: 1-based line (or record) number within an archive, if any.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        where = source or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line
        self.reason = message


class TemplateError(SummarizerError):
    """A prompt template is missing, broken or uses an undefined variable."""

    def __init__(
        self,
        message: str,
        *,
        template: str | None = None,
        variable: str | None = None,
        line: int | None = None,
    ):
        super().__init__(message)
        self.template = template
        self.variable = variable
        self.line = line


class BudgetError(SummarizerError):
    """The article does not fit: one prompt past the context window with splitting disabled
    (``max_parts`` 1), more parts than ``max_parts``, or a template too large for any part.

    Attributes:
        tokens: The tokens needed (prompt plus output allowance, or the whole article's).
        budget: The tokens allowed (the context window, or parts times tokens per part).
    """

    def __init__(self, message: str, *, tokens: int, budget: int):
        super().__init__(message)
        self.tokens = tokens
        self.budget = budget


class LLMError(SummarizerError):
    """The endpoint failed after the SDK's retries, refused, or stopped early.

    Attributes:
        status: HTTP status code, when the endpoint answered with one.
        request_id: The provider's request id, for support tickets.
        reason: A short machine-readable cause: ``http``, ``timeout``, ``connection``,
            ``refusal``, ``length``, ``content_filter``, ``rate_limit``; for Batch API runs
            also ``batch`` (the batch did not run the request) and ``batch_missing`` (no
            result came back for the article).
        retry_after: Seconds the provider asked us to wait, if it said.
        param: The request field the endpoint blamed (OpenAI's ``error.param``), if any: a
            400 naming ``model`` or ``max_tokens`` comes from the settings, not the article.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        reason: str = "http",
        retry_after: float | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.reason = reason
        self.retry_after = retry_after
        self.param = param


class OutputValidationError(SummarizerError):
    """The model's output stayed invalid after every re-ask.

    Attributes:
        attempts: How many calls were made.
        raw_output: The last raw text the model returned.
        errors: The validation errors of the last attempt, one string each.
        usage: Token usage summed over every attempt.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        raw_output: str,
        errors: list[str],
        usage: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.attempts = attempts
        self.raw_output = raw_output
        self.errors = errors
        self.usage = usage or {}
