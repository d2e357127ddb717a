"""What a run checks before its first article: that the prompt templates render.

A broken house template would otherwise fail every article the same way, one error line
each; a million-record archive would be a million lines that a resumed run skips.
"""

from __future__ import annotations

import contextlib

from summarizer.config import Settings
from summarizer.errors import BudgetError
from summarizer.pipeline.run import prepare
from summarizer.schema import Article

__all__ = ["check_templates"]

_PROBE = Article(
    id="template-check",
    title="Council approves the budget",
    text=(
        "The city council approved the budget on Tuesday. “It is a fair plan,” said Mayor "
        "Ann Lee. The opposition said the plan cut too deep."
    ),
)


def check_templates(settings: Settings) -> None:
    """Render the prompt for a small sample article exactly as a run would.

    Raises:
        TemplateError: A template is missing, does not parse, or uses an undefined variable.
    """
    # A BudgetError means the sample rendered; whether real articles fit is theirs to say.
    with contextlib.suppress(BudgetError):
        prepare(_PROBE, settings=settings)
