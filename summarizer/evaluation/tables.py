"""An evaluation report as text, and two saved reports side by side."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from summarizer.batch.costs import usd
from summarizer.errors import InputError

__all__ = ["FIGURES", "compare", "load_report", "to_text"]

FIGURES: list[tuple[str, tuple[str, ...]]] = [
    ("quote recall", ("shown", "quote_recall")),
    ("quote precision", ("shown", "quote_precision")),
    ("attribution accuracy", ("shown", "attribution_accuracy")),
    ("named-speaker recall", ("shown", "named_speaker_recall")),
    ("verbatim rate", ("shown", "verbatim_rate")),
    ("model's positions: quote recall", ("model_only", "quote_recall")),
    ("model's positions: quote precision", ("model_only", "quote_precision")),
    ("model's positions: attribution", ("model_only", "attribution_accuracy")),
    ("model's positions: named speakers", ("model_only", "named_speaker_recall")),
    ("model's positions: verbatim", ("model_only", "verbatim_rate")),
    ("attribution if the model's speakers were followed", ("model_says", "attribution_accuracy")),
    ("named speakers if the model's were followed", ("model_says", "named_speaker_recall")),
    ("positions with evidence", ("positions_with_evidence",)),
    ("actors added by the tool", ("actors_added_by_tool",)),
    ("calls per article", ("calls_per_article",)),
    ("prompt tokens per article", ("prompt_tokens_per_article",)),
    ("completion tokens per article", ("completion_tokens_per_article",)),
    ("cost (USD, whole run)", ("cost_usd",)),
    ("cost (USD per article)", ("cost_usd_per_article",)),
    ("seconds per article, mean", ("seconds_mean",)),
    ("seconds per article, median", ("seconds_median",)),
    ("articles", ("articles",)),
    ("failed articles", ("failed",)),
]
"""What the text and the side-by-side show, by label and path into ``Report.to_dict()``."""


def _get(report: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _show(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def to_text(report: Mapping[str, Any]) -> str:
    """The figures for people: the quote scores for what the summary shows and for the
    model's positions alone, then evidence, calls, tokens, cost and time per article."""
    llm = report["engine"] == "llm"
    what = (
        f"{report['model']}, template {report['template']}; speakers follow the "
        f"{report['speaker_authority']}"
        if llm
        else "the offline engine alone"
    )
    lines = [
        f"{report['articles']} articles ({report['failed']} failed); {what}",
        "",
        f"{'':<22}{'shown':>8}" + (f"{'model':>8}  (model: its own positions only)" if llm else ""),
    ]
    for label, path in FIGURES[:5]:
        row = f"{label:<22}{_show(_get(report, path)):>8}"
        if llm:
            row += f"{_show(_get(report, ('model_only', path[1]))):>8}"
        lines.append(row)
    cost = report["cost_usd"]
    tokens = (report["prompt_tokens_per_article"], report["completion_tokens_per_article"])
    lines += [
        "",
        f"positions with evidence   {_show(report['positions_with_evidence'])} of the model's",
        f"actors added by the tool  {_show(report['actors_added_by_tool'])} of positions shown",
        f"calls per article         {report['calls_per_article'] or 0:.2f}",
        f"tokens per article        {tokens[0] or 0:,.0f} prompt + "
        f"{tokens[1] or 0:,.0f} completion",
        "cost                      "
        + (
            "unknown (set --price-in/--price-out)"
            if cost is None
            else f"{usd(cost)} in all, {usd(report['cost_usd_per_article'] or 0)} per article"
        ),
        f"seconds per article       mean {_show(report['seconds_mean'])}, "
        f"median {_show(report['seconds_median'])}",
    ]
    failures = [row for row in report.get("per_article", []) if row.get("error")]
    lines += [f"failed: {row['id']}: {row['error']}" for row in failures]
    return "\n".join(lines) + "\n"


def compare(a: Mapping[str, Any], b: Mapping[str, Any], *, names: tuple[str, str]) -> str:
    """Two reports side by side, with B minus A where both have a number."""
    width = max(len(label) for label, _ in FIGURES) + 2
    col = max(12, *(len(name) + 2 for name in names))
    head = f"{'':<{width}}{names[0]:>{col}}{names[1]:>{col}}{'B - A':>10}"
    lines = [head, "-" * len(head)]
    for label, path in FIGURES:
        left, right = _get(a, path), _get(b, path)
        lines.append(
            f"{label:<{width}}{_show(left):>{col}}{_show(right):>{col}}"
            f"{_difference(left, right):>10}".rstrip()
        )
    for key in ("engine", "model", "template", "template_sha256", "speaker_authority"):
        if a.get(key) != b.get(key):
            lines.append(f"{key:<{width}}{_show(a.get(key)):>{col}}{_show(b.get(key)):>{col}}")
    return "\n".join(lines) + "\n"


def _difference(left: Any, right: Any) -> str:
    if not isinstance(left, int | float) or not isinstance(right, int | float):
        return ""
    delta = right - left
    if delta == 0:
        return "="
    return f"{delta:+.3f}" if abs(delta) < 10 else f"{delta:+,.0f}"


def load_report(path: Path) -> dict[str, Any]:
    """A report saved by ``summarizer eval --format json``, or an InputError saying so."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the report ({exc.strerror}).", source=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or "shown" not in data or "engine" not in data:
        raise InputError(
            "not a saved evaluation; write one with `summarizer eval GOLD.jsonl --format json "
            "-o FILE`.",
            source=str(path),
        )
    return data
