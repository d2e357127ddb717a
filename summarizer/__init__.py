"""summarizer: who takes which position in a news story, with every quote checked."""

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

__version__ = "0.1.0"

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
