"""One article end to end: prepare (evidence, render, fit or split), ask, resolve, check.

- ``prepare``: the engine's evidence, the rendered prompt, and the one fit-else-split decision.
- ``call``: one prompt to the model and its answer to a result; ``longform``: split articles.
- ``evidence`` / ``resolve``: the numbered evidence the model cites, and its citations resolved.
- ``run``: ``summarize`` / ``asummarize`` and the offline engine's result.
"""

from summarizer.pipeline.prepare import Plan, Prepared, plan, prepare
from summarizer.pipeline.run import Engine, asummarize, summarize, summarize_offline

__all__ = [
    "Engine",
    "Plan",
    "Prepared",
    "asummarize",
    "plan",
    "prepare",
    "summarize",
    "summarize_offline",
]
