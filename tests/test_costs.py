"""Estimates before anything is sent: tokens counted with tiktoken, priced from the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.batch.cache import ResultCache
from summarizer.batch.costs import PRICES, Price, estimate, price_for, usd
from summarizer.batch.runner import cache_key_for
from summarizer.config import Settings
from summarizer.pipeline import plan
from summarizer.schema import Article
from summarizer.sources.archive import iter_records
from tests.conftest import SEED


def archive(tmp_path: Path) -> Path:
    seed = SEED.read_text(encoding="utf-8")
    rows = [
        json.dumps({"id": "a", "text": seed}),
        json.dumps({"id": "b", "text": "A short report. The mayor said “we will see”."}),
        "{broken",
        json.dumps({"id": "huge", "text": "word " * 9000}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_estimate_counts_what_the_run_would_send(tmp_path: Path) -> None:
    settings = Settings(model="gpt-4o-mini", context_window=8192, expected_output_tokens=500)
    result = estimate(iter_records(archive(tmp_path)), settings=settings)
    plans = [
        plan(r.article, settings=settings) for r in iter_records(archive(tmp_path)) if r.article
    ]
    expected = sum(p.prompt_tokens for pl in plans for p in pl.parts)
    calls = sum(len(pl.parts) for pl in plans)
    assert calls > 3  # the long article is counted as the parts it is split into
    assert (result.records, result.articles, result.bad_records, result.too_long) == (4, 3, 1, 0)
    assert result.input_tokens == expected
    assert result.output_tokens == calls * 500
    assert result.cost is not None  # gpt-4o-mini has a price
    assert result.cost == pytest.approx((expected * 0.15 + calls * 500 * 0.60) / 1e6)
    assert "3 to send" in result.summary()
    unsplit = estimate(
        iter_records(archive(tmp_path)), settings=settings.model_copy(update={"max_parts": 1})
    )
    assert (unsplit.articles, unsplit.too_long) == (2, 1)
    assert result.to_dict()["cost_usd"] == round(result.cost, 4)


def test_prices_can_be_overridden_and_unknown_models_say_so() -> None:
    assert price_for(Settings(model="gpt-4o-mini-2024-07-18")) == PRICES["gpt-4o-mini"]
    assert price_for(Settings(model="gpt-4o")) == PRICES["gpt-4o"]
    assert price_for(Settings(model="gpt-4o", price_input_per_mtok=1.0)) == Price(1.0, 10.0)
    assert price_for(Settings(model="my-local-llama")) is None
    custom = Settings(model="my-local-llama", price_input_per_mtok=0, price_output_per_mtok=0)
    assert price_for(custom) == Price(0, 0)


def test_prices_come_from_the_environment_too() -> None:
    settings = Settings.from_env(
        {"SUMMARIZER_PRICE_INPUT_PER_MTOK": "2", "SUMMARIZER_PRICE_OUTPUT_PER_MTOK": "4"},
        model="unknown-model",
    )
    assert price_for(settings) == Price(2.0, 4.0)


def test_cached_articles_are_free(tmp_path: Path) -> None:
    settings = Settings(model="gpt-4o-mini", context_window=8192)
    key_for = cache_key_for(settings)
    records = list(iter_records(archive(tmp_path)))
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        article = records[0].article
        assert article is not None
        cache.put(key_for(article), "{}")
        result = estimate(records, settings=settings, cache=cache, cache_key=key_for)
    assert result.cached == 1
    assert result.articles == 2


def test_unknown_price_leaves_cost_unknown(tmp_path: Path) -> None:
    result = estimate(iter_records(archive(tmp_path)), settings=Settings(model="mystery"))
    assert result.cost is None
    assert "unknown" in result.summary()


@pytest.mark.parametrize(
    "change",
    [{"speaker_authority": "model"}, {"drop_unverified": True}, {"max_actors": 3},
     {"base_url": "http://other:8000/v1"}, {"max_parts": 3}, {"context_window": 4096}],
    ids=["speaker-authority", "drop-unverified", "max-actors", "endpoint", "max-parts", "window"],
)  # fmt: skip
def test_settings_that_change_the_result_change_the_cache_key(change: dict[str, object]) -> None:
    base = Settings(api_key="x", base_url="http://local:8765/v1")
    article = Article(text="Text.", id="a")
    assert cache_key_for(base)(article) != cache_key_for(base.model_copy(update=change))(article)


def test_pace_and_credentials_do_not_change_the_cache_key() -> None:
    base = Settings(api_key="x", base_url="http://local:8765/v1")
    article = Article(text="Text.", id="a")
    same = base.model_copy(
        update={"concurrency": 32, "rpm": 100, "timeout": 5, "api_key": "y",
                "base_url": "http://user:pw@local:8765/v1"}
    )  # fmt: skip
    assert cache_key_for(base)(article) == cache_key_for(same)(article)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(0, "$0.00"), (0.00004, "<$0.0001"), (0.0042, "$0.0042"), (1234.5, "$1,234.50")],
    ids=["zero", "tiny", "small", "large"],
)
def test_usd_shows_small_runs_instead_of_rounding_them_to_zero(amount: float, shown: str) -> None:
    assert usd(amount) == shown
