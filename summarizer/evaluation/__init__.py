"""Score the pipeline against annotated articles: quotes found, attributed, verbatim; cost.

- ``gold``: the annotation format users write (one JSON object per line), read and checked.
- ``score``: the matching rules every quote benchmark shares, for one article.
- ``run``: ``evaluate`` runs the pipeline over gold records into a ``Report``.
- ``tables``: a report as text, and two saved reports side by side.

Only ``summarizer eval`` (cli) and the benchmarks (bench/) use this package.
"""

from summarizer.evaluation.gold import GoldRecord, GoldSpeaker, load_gold
from summarizer.evaluation.run import ArticleRun, Report, aevaluate, evaluate
from summarizer.evaluation.score import ArticleScore, QuoteCounts, score_article, score_quotes
from summarizer.evaluation.tables import compare, load_report, to_text

__all__ = [
    "ArticleRun",
    "ArticleScore",
    "GoldRecord",
    "GoldSpeaker",
    "QuoteCounts",
    "Report",
    "aevaluate",
    "compare",
    "evaluate",
    "load_gold",
    "load_report",
    "score_article",
    "score_quotes",
    "to_text",
]
