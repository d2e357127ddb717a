"""What a batch run shows while it works: a rich progress bar on stderr, then one summary line."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from summarizer.batch.costs import Price, usd
from summarizer.schema import Usage

__all__ = ["BatchProgress", "RunTotals"]


@dataclass
class RunTotals:
    """Running totals of a batch: what was done, what it took, what it cost."""

    price: Price | None = None
    total: int | None = None
    skipped: int = 0
    ok: int = 0
    errors: int = 0
    cached: int = 0
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.perf_counter)
    interrupted: bool = False

    @property
    def written(self) -> int:
        return self.ok + self.errors

    @property
    def failed(self) -> bool:
        """Records were tried and not one succeeded: the run as a whole failed."""
        return self.written > 0 and self.ok == 0

    @property
    def cost(self) -> float | None:
        return None if self.price is None else self.price.usage_cost(self.usage)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def add(self, *, ok: bool, cached: bool, calls: int, usage: Usage) -> None:
        if ok:
            self.ok += 1
        else:
            self.errors += 1
        self.cached += cached
        self.calls += calls
        if usage.total_tokens:
            self.usage = self.usage + usage

    def summary(self) -> str:
        """One line for the end of a run."""
        rate = self.written / self.elapsed if self.elapsed > 0 else 0.0
        cost = "cost unknown (no price for the model: --price-in/--price-out)"
        if self.cost is not None:
            cost = usd(self.cost)
        if self.interrupted:
            status = "interrupted"
        elif self.failed:
            status = "failed, no record succeeded"
        else:
            status = "done"
        return (
            f"batch {status}: {self.written} written ({self.ok} ok, {self.cached} from cache, "
            f"{self.errors} errors), {self.skipped} already done; {self.calls} calls, "
            f"{self.usage.total_tokens:,} tokens, {cost}; {self.elapsed:.1f}s, {rate:.1f}/s"
        )


class BatchProgress:
    """A live bar (done/total, rate, ETA, tokens, cost, errors) on stderr; silent when
    disabled or when stderr is not a terminal.

    Use as a context manager around the run and call ``update()`` after each outcome.
    """

    def __init__(self, totals: RunTotals, *, enabled: bool = True, console: Console | None = None):
        self.totals = totals
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> BatchProgress:
        if not self.enabled:
            return self
        self._progress = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[tokens]} tok {task.fields[cost]} {task.fields[errors]} err"),
            console=self.console,
            transient=True,
            refresh_per_second=4,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "batch",
            total=self.totals.total,
            completed=self.totals.skipped,
            **self._fields(),
        )
        return self

    def update(self) -> None:
        if self._progress is None or self._task is None:
            return
        done = self.totals.skipped + self.totals.written
        self._progress.update(self._task, completed=done, **self._fields())

    def _fields(self) -> dict[str, Any]:
        totals = self.totals
        rate = totals.written / totals.elapsed if totals.elapsed > 0 else 0.0
        cost = "$?" if totals.cost is None else usd(totals.cost)
        return {
            "rate": f"{rate:.1f}",
            "tokens": f"{totals.usage.total_tokens:,}",
            "cost": cost,
            "errors": str(totals.errors),
        }

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
