"""summarizer: who takes which position in a news story, with every quote checked."""

from summarizer._version import __version__
from summarizer.errors import (
    BudgetError,
    ConfigError,
    InputError,
    LLMError,
    OutputValidationError,
    SummarizerError,
    TemplateError,
)
from summarizer.schema import Article, Position, Provenance, Quote, Stance, SummaryResult

__all__ = [
    "Article",
    "BudgetError",
    "ConfigError",
    "InputError",
    "LLMError",
    "OutputValidationError",
    "Position",
    "Provenance",
    "Quote",
    "Stance",
    "SummarizerError",
    "SummaryResult",
    "TemplateError",
    "__version__",
]
