"""summarizer: who takes which position in a news story, with every quote checked.

The names below load on first use (PEP 562): ``import summarizer`` stays cheap, so a command
that needs no model (``summarizer --help``, ``render``, ``summarize --offline``) never waits
for the openai SDK or the pipeline it does not run. Type checkers and IDEs read the imports
under ``TYPE_CHECKING``; at run time ``summarizer.summarize`` is the same object either way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from summarizer._version import __version__

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.errors import (
        BudgetError,
        ConfigError,
        InputError,
        LLMError,
        OutputValidationError,
        SummarizerError,
        TemplateError,
    )
    from summarizer.llm import ChatModel, OpenAIChat
    from summarizer.pipeline import Engine, asummarize, summarize
    from summarizer.schema import (
        ActorKind,
        Article,
        Position,
        Provenance,
        Quote,
        Stance,
        Statement,
        SummaryResult,
        Usage,
    )

__all__ = [
    "ActorKind",
    "Article",
    "BudgetError",
    "ChatModel",
    "ConfigError",
    "Engine",
    "InputError",
    "LLMError",
    "OpenAIChat",
    "OutputValidationError",
    "Position",
    "Provenance",
    "Quote",
    "Settings",
    "Stance",
    "Statement",
    "SummarizerError",
    "SummaryResult",
    "TemplateError",
    "Usage",
    "__version__",
    "asummarize",
    "summarize",
]

# Where each public name lives: the same modules as the TYPE_CHECKING imports above
# (tests/test_public_api.py checks that the two agree and that every name resolves).
_LAZY = {
    "Settings": "summarizer.config",
    **dict.fromkeys(
        [
            "BudgetError",
            "ConfigError",
            "InputError",
            "LLMError",
            "OutputValidationError",
            "SummarizerError",
            "TemplateError",
        ],
        "summarizer.errors",
    ),
    "ChatModel": "summarizer.llm",
    "OpenAIChat": "summarizer.llm",
    "Engine": "summarizer.pipeline",
    "asummarize": "summarizer.pipeline",
    "summarize": "summarizer.pipeline",
    **dict.fromkeys(
        [
            "ActorKind",
            "Article",
            "Position",
            "Provenance",
            "Quote",
            "Stance",
            "Statement",
            "SummaryResult",
            "Usage",
        ],
        "summarizer.schema",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not, and the module's own dunders."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
