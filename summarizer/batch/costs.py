"""What a run costs: the price table, and estimates made before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from summarizer.batch.cache import Cache
from summarizer.config import Settings
from summarizer.errors import BudgetError, SummarizerError
from summarizer.pipeline.run import prepare
from summarizer.schema import Article, Usage
from summarizer.sources.archive import Record

__all__ = ["BATCH_DISCOUNT", "PRICES", "Estimate", "Price", "estimate", "price_for", "usd"]


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1e6

    def usage_cost(self, usage: Usage) -> float:
        return self.cost(usage.prompt_tokens, usage.completion_tokens)

    def batch(self) -> Price:
        """The Batch API price: OpenAI bills batch requests at half the online price."""
        return Price(self.input * BATCH_DISCOUNT, self.output * BATCH_DISCOUNT)


BATCH_DISCOUNT = 0.5
"""Batch API price as a share of the online price (OpenAI: 50% off, input and output)."""


# OpenAI list prices for standard (online) requests, USD per 1M tokens, as published in 2025.
# Longest matching prefix wins. A model not listed has no known price, and costs say so rather
# than showing $0.00: a local server's models run on hardware whose cost we do not know.
# Prices change: check the provider's page, and override with SUMMARIZER_PRICE_INPUT_PER_MTOK /
# SUMMARIZER_PRICE_OUTPUT_PER_MTOK (or --price-in/--price-out).
PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5": Price(1.25, 10.00),
    "o4-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "fake-": Price(0.0, 0.0),  # summarizer.testing.fakeserver
}


def price_for(settings: Settings) -> Price | None:
    """The model's price: the settings' overrides, else the table; None when unknown."""
    matches = [prefix for prefix in PRICES if settings.model.startswith(prefix)]
    table = PRICES[max(matches, key=len)] if matches else None
    given_in, given_out = settings.price_input_per_mtok, settings.price_output_per_mtok
    if table is None and (given_in is None or given_out is None):
        return None
    return Price(
        input=given_in if given_in is not None else table.input,  # type: ignore[union-attr]
        output=given_out if given_out is not None else table.output,  # type: ignore[union-attr]
    )


@dataclass
class Estimate:
    """What a batch would send, before it is sent.

    Attributes:
        records: Input records read.
        articles: Usable articles that would be sent (not cached, not too long).
        bad_records: Records that would become error lines without a call.
        too_long: Articles whose prompt does not fit the model's context window.
        cached: Articles whose result is already in the cache: no call, no cost.
        input_tokens: Prompt tokens of the first call per article (tiktoken).
        output_tokens: ``articles`` x ``settings.expected_output_tokens``.
        price: The price used; None when the model is not in the table.
    """

    model: str
    records: int = 0
    articles: int = 0
    bad_records: int = 0
    too_long: int = 0
    cached: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    price: Price | None = None

    @property
    def cost(self) -> float | None:
        """Expected USD, re-asks and retries not included; None when the price is unknown."""
        if self.price is None:
            return None
        return self.price.cost(self.input_tokens, self.output_tokens)

    @property
    def batch_cost(self) -> float | None:
        """The same through the Batch API (``summarizer batch --via batch-api``)."""
        if self.price is None:
            return None
        return self.price.batch().cost(self.input_tokens, self.output_tokens)

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "records": self.records,
            "articles": self.articles,
            "bad_records": self.bad_records,
            "too_long": self.too_long,
            "cached": self.cached,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "price_input_per_mtok": self.price.input if self.price else None,
            "price_output_per_mtok": self.price.output if self.price else None,
            "cost_usd": None if self.cost is None else round(self.cost, 4),
            "batch_cost_usd": None if self.batch_cost is None else round(self.batch_cost, 4),
        }

    def summary(self) -> str:
        cost = "price unknown (set --price-in/--price-out)" if self.cost is None else usd(self.cost)
        if self.batch_cost is not None:
            cost += f" online, {usd(self.batch_cost)} through the Batch API"
        return (
            f"{self.records} records: {self.articles} to send, {self.cached} cached, "
            f"{self.bad_records} unusable, {self.too_long} too long; "
            f"{self.input_tokens:,} input + {self.output_tokens:,} expected output tokens "
            f"on {self.model}: {cost}"
        )


def estimate(
    records: Iterable[Record],
    *,
    settings: Settings,
    cache: Cache | None = None,
    cache_key: Callable[[Article], str] | None = None,
) -> Estimate:
    """Count what a batch over ``records`` would send, and what it would cost.

    Every article is rendered and counted with tiktoken exactly as the run would send it
    (``pipeline.prepare``). Re-asks and retries are not included: they are rare and depend on
    the model.

    Args:
        records: From ``archive.iter_records``.
        settings: Model, prompts, prices and ``expected_output_tokens``.
        cache: When given with ``cache_key``, articles already cached count as free.
        cache_key: Turns an article into its cache key (``batch.cache_key_for``).
    """
    result = Estimate(model=settings.model, price=price_for(settings))
    for record in records:
        result.records += 1
        article = record.article
        if article is None:
            result.bad_records += 1
            continue
        if cache is not None and cache_key is not None and cache.contains(cache_key(article)):
            result.cached += 1
            continue
        try:
            prepared = prepare(article, settings=settings)
        except BudgetError:
            result.too_long += 1
            continue
        except SummarizerError:
            result.bad_records += 1
            continue
        result.articles += 1
        result.input_tokens += prepared.prompt_tokens
        result.output_tokens += settings.expected_output_tokens
    return result


def usd(amount: float) -> str:
    """Dollars for people: cents for real money, more digits for a small run's fractions."""
    if amount == 0:
        return "$0.00"
    if amount < 0.0001:
        return "<$0.0001"
    if amount < 1:
        return f"${amount:.4f}"
    return f"${amount:,.2f}"
