"""The batch progress display: totals, the bar on a terminal, silence elsewhere."""

from __future__ import annotations

import io

from rich.console import Console

from summarizer.batch.costs import Price
from summarizer.batch.progress import BatchProgress, RunTotals
from summarizer.schema import Usage


def test_totals_add_up_and_price_the_usage() -> None:
    totals = RunTotals(price=Price(1.0, 2.0), total=10, skipped=2)
    totals.add(
        ok=True, cached=False, calls=2, usage=Usage(prompt_tokens=1000, completion_tokens=500)
    )
    totals.add(ok=True, cached=True, calls=0, usage=Usage())
    totals.add(ok=False, cached=False, calls=6, usage=Usage())
    assert (totals.written, totals.ok, totals.errors, totals.cached, totals.calls) == (
        3,
        2,
        1,
        1,
        8,
    )
    assert totals.cost == (1000 * 1.0 + 500 * 2.0) / 1e6
    assert "3 written (2 ok, 1 from cache, 1 errors), 2 already done; 8 calls" in totals.summary()


def test_the_bar_shows_done_total_tokens_cost_and_errors_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    totals = RunTotals(price=Price(1.0, 1.0), total=4)
    with BatchProgress(totals, console=console) as bar:
        totals.add(ok=True, cached=False, calls=1, usage=Usage(prompt_tokens=1500))
        totals.add(ok=False, cached=False, calls=1, usage=Usage())
        bar.update()
        assert bar._progress is not None
        bar._progress.refresh()
    text = out.getvalue()
    assert "2/4" in text
    assert "1,500 tok" in text
    assert "1 err" in text


def test_no_bar_when_not_a_terminal_or_disabled() -> None:
    out = io.StringIO()
    totals = RunTotals(total=1)
    with BatchProgress(totals, console=Console(file=out)) as bar:
        bar.update()
    with BatchProgress(totals, enabled=False, console=Console(file=out, force_terminal=True)):
        pass
    assert out.getvalue() == ""
