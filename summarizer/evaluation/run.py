"""Run the pipeline over gold records and sum the figures into a report."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from summarizer.batch.costs import Price, price_for
from summarizer.batch.preflight import check_templates
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.evaluation.gold import GoldRecord
from summarizer.evaluation.score import ArticleScore, QuoteCounts, score_article
from summarizer.llm import ChatModel, ChatRequest, ChatResponse, OpenAIChat
from summarizer.pipeline import Engine, asummarize
from summarizer.pipeline.prepare import template_sha256
from summarizer.pipeline.run import run_sync
from summarizer.schema import Article, Usage

__all__ = ["ArticleRun", "Report", "aevaluate", "evaluate"]


@dataclass
class ArticleRun:
    """One article's run: its score, calls, tokens, cost and wall time, or why it failed.

    A failed article shows nothing: its gold quotes and speakers count as missed.
    """

    score: ArticleScore
    calls: int
    usage: Usage
    cost: float | None
    seconds: float
    error: str | None = None


@dataclass
class Report:
    """The figures of one evaluation run; ``to_dict`` is what ``--format json`` writes."""

    engine: Engine
    model: str | None
    template: str | None
    speaker_authority: str
    template_sha256: str | None = None
    prompts: str | None = None
    articles: list[ArticleRun] = field(default_factory=list)

    @property
    def shown(self) -> QuoteCounts:
        return _summed(a.score.shown for a in self.articles)

    @property
    def model_only(self) -> QuoteCounts:
        return _summed(a.score.model for a in self.articles)

    @property
    def model_says(self) -> QuoteCounts:
        return _summed(a.score.model_says for a in self.articles)

    @property
    def failed(self) -> int:
        return sum(1 for a in self.articles if a.error is not None)

    def to_dict(self) -> dict[str, Any]:
        """Every figure by name, plus the per-article rows; rates are None when undefined."""
        runs = self.articles
        scores = [a.score for a in runs]
        model_positions = sum(s.model_positions for s in scores)
        positions = sum(s.positions for s in scores)
        costs = [a.cost for a in runs]
        seconds = [a.seconds for a in runs]
        return {
            "engine": self.engine,
            "model": self.model,
            "template": self.template,
            "template_sha256": self.template_sha256,
            "prompts": self.prompts,
            "speaker_authority": self.speaker_authority,
            "articles": len(runs),
            "failed": self.failed,
            "shown": _figures(self.shown),
            "model_only": _figures(self.model_only) if self.engine == "llm" else None,
            "model_says": _figures(self.model_says) if self.engine == "llm" else None,
            "positions_with_evidence": _ratio(
                sum(s.with_evidence for s in scores), model_positions
            ),
            "actors_added_by_tool": _ratio(sum(s.added for s in scores), positions),
            "calls_per_article": _mean([a.calls for a in runs]),
            "prompt_tokens_per_article": _mean([a.usage.prompt_tokens for a in runs]),
            "completion_tokens_per_article": _mean([a.usage.completion_tokens for a in runs]),
            "cost_usd": None if None in costs else round(sum(c or 0.0 for c in costs), 6),
            "cost_usd_per_article": None if None in costs else _mean([c or 0.0 for c in costs], 6),
            "seconds_mean": _mean(seconds),
            "seconds_median": round(statistics.median(seconds), 3) if seconds else None,
            "per_article": [_article_row(a) for a in runs],
        }


def _summed(counts: Iterable[QuoteCounts]) -> QuoteCounts:
    total = QuoteCounts()
    for c in counts:
        total += c
    return total


def _figures(c: QuoteCounts) -> dict[str, Any]:
    return {
        "quote_recall": _round(c.recall),
        "quote_precision": _round(c.precision),
        "attribution_accuracy": _round(c.attribution),
        "named_speaker_recall": _round(c.speaker_recall),
        "verbatim_rate": _round(c.verbatim_rate),
        "quotes_shown": c.shown,
        "dont_care": c.dont_care,
        "gold_quotes": c.gold,
        "gold_found": c.gold_found,
        "attributed_right": c.attributed_right,
        "speakers": c.speakers,
        "speakers_found": c.speakers_found,
    }


def _article_row(run: ArticleRun) -> dict[str, Any]:
    s = run.score
    return {
        "id": s.id,
        "error": run.error,
        "calls": run.calls,
        "prompt_tokens": run.usage.prompt_tokens,
        "completion_tokens": run.usage.completion_tokens,
        "seconds": round(run.seconds, 3),
        "quote_recall": _round(s.shown.recall),
        "quote_precision": _round(s.shown.precision),
        "attribution_accuracy": _round(s.shown.attribution),
        "positions": s.positions,
        "added_by_tool": s.added,
        "mistakes": [
            {k: v for k, v in asdict(m).items() if v is not None} for m in s.shown.mistakes
        ],
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _round(value: float | None) -> float | None:
    # Six places: displays round again, and a value rounded twice can land on the wrong side.
    return None if value is None else round(value, 6)


def _mean(values: Sequence[float], places: int = 3) -> float | None:
    return round(statistics.fmean(values), places) if values else None


async def aevaluate(
    records: Sequence[GoldRecord],
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
    on_article: Callable[[int, ArticleRun], None] | None = None,
) -> Report:
    """Summarise each gold article in turn and score what the summary shows.

    Articles run one at a time: latency figures mean something only without a queue, and a
    local model has no spare cores anyway. One client serves the whole run.

    Args:
        records: From ``load_gold``.
        settings: Defaults to ``Settings.load()`` (the environment).
        client: A ChatModel; by default one is built from the settings and closed afterwards.
        engine: ``"llm"`` or ``"offline"`` (the attribution engine alone, no calls).
        on_article: Called after each article with its 1-based number and run, for progress.
    """
    settings = settings or Settings.load()
    llm = engine == "llm"
    if llm:
        check_templates(settings)  # one error now, not the same failure for every article
    report = Report(
        engine=engine,
        model=settings.model if llm else None,
        template=settings.template if llm else None,
        template_sha256=template_sha256(settings) if llm else None,
        prompts=str(settings.prompts_dir) if llm and settings.prompts_dir else None,
        speaker_authority=settings.speaker_authority,
    )
    price = price_for(settings)
    own_client = client is None and llm
    if own_client:
        settings.require_endpoint()
        client = OpenAIChat(settings)
    try:
        for number, record in enumerate(records, start=1):
            run = await _run_one(record, settings, client, engine, price)
            report.articles.append(run)
            if on_article is not None:
                on_article(number, run)
    finally:
        if own_client and isinstance(client, OpenAIChat):
            await client.aclose()
    return report


def evaluate(
    records: Sequence[GoldRecord],
    *,
    settings: Settings | None = None,
    client: ChatModel | None = None,
    engine: Engine = "llm",
    on_article: Callable[[int, ArticleRun], None] | None = None,
) -> Report:
    """Blocking twin of :func:`aevaluate` (same arguments, same report)."""
    return run_sync(
        aevaluate(records, settings=settings, client=client, engine=engine, on_article=on_article),
        client=client,
    )


class _Counted:
    """The run's client for one article: counts every call (the json_schema probe an endpoint
    rejects, re-asks, failed calls) and the tokens of every answer, so a failed article's
    calls count too."""

    def __init__(self, inner: ChatModel):
        self.inner = inner
        self.calls = 0
        self.usage = Usage()

    @property
    def supports_json_schema(self) -> bool | None:  # the client's, learnt once for the run
        return self.inner.supports_json_schema

    @supports_json_schema.setter
    def supports_json_schema(self, value: bool | None) -> None:
        self.inner.supports_json_schema = value

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        response = await self.inner.complete(request)
        self.usage += response.usage
        return response


async def _run_one(
    record: GoldRecord,
    settings: Settings,
    client: ChatModel | None,
    engine: Engine,
    price: Price | None,
) -> ArticleRun:
    article = Article(text=record.text, id=record.id)
    counted = _Counted(client) if client is not None else None
    started = time.perf_counter()
    result, error = None, None
    try:
        result = await asummarize(article, settings=settings, client=counted, engine=engine)
    except SummarizerError as exc:
        error = str(exc)
    seconds = time.perf_counter() - started
    calls = counted.calls if counted is not None and engine == "llm" else 0
    usage = counted.usage if counted is not None and engine == "llm" else Usage()
    cost = _cost(price, calls, usage)
    return ArticleRun(score_article(record, result), calls, usage, cost, seconds, error=error)


def _cost(price: Price | None, calls: int, usage: Usage) -> float | None:
    """USD for the article's calls; nothing sent costs nothing, even at an unknown price."""
    if calls == 0:
        return 0.0
    return price.usage_cost(usage) if price is not None else None
