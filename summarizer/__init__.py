"""summarizer: who takes which position in a news story, with every quote checked."""

from summarizer._version import __version__
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
from summarizer.pipeline.run import Engine, asummarize, summarize
from summarizer.schema import (
    ActorKind,
    Article,
    MissedActor,
    Position,
    Provenance,
    Quote,
    Stance,
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
    "MissedActor",
    "OpenAIChat",
    "OutputValidationError",
    "Position",
    "Provenance",
    "Quote",
    "Settings",
    "Stance",
    "SummarizerError",
    "SummaryResult",
    "TemplateError",
    "Usage",
    "__version__",
    "asummarize",
    "summarize",
]
