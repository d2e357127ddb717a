"""summarizer eval: score a model, a template or the offline engine on annotated articles."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli._common import (
    injected,
    live_status,
    refuse_unwritable,
    settings,
    settings_options,
    write,
)

if TYPE_CHECKING:
    from summarizer.evaluation import ArticleRun
    from summarizer.pipeline import Engine

__all__ = ["eval_cmd"]


@click.command("eval")
@click.argument("gold", metavar="GOLD.jsonl", type=click.Path(path_type=Path), required=False)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N articles.")
@click.option(
    "--offline", is_flag=True, help="Score the offline attribution engine alone: no calls."
)
@settings_options
@click.option(
    "--speaker-authority",
    type=click.Choice(["engine", "model"]),
    help="Whose speaker a conflicting quote is shown under (SUMMARIZER_SPEAKER_AUTHORITY).",
)
@click.option("--price-in", "price_input_per_mtok", type=float, help="USD per 1M input.")
@click.option("--price-out", "price_output_per_mtok", type=float, help="USD per 1M output.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: every figure and the per-article rows; what --compare reads.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE.")
@click.option(
    "--compare",
    nargs=2,
    type=click.Path(path_type=Path),
    metavar="A.json B.json",
    help="Print two saved --format json runs side by side instead of running.",
)
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    /,
    gold: Path | None,
    limit: int | None,
    offline: bool,
    fmt: str,
    output: Path | None,
    compare: tuple[Path, Path] | None,
    **flags: Any,
) -> None:
    """Score summaries against annotated articles: quotes found, attributed, verbatim; cost.

    GOLD.jsonl has one annotated article per line (the format is in the README, "Evaluating
    a model or a house style"). Each article is summarised in turn and what the summary shows
    is scored: quote recall and precision, attribution accuracy, named-speaker recall,
    verbatim rate; also for the model's own positions alone; then calls, tokens, cost and
    seconds per article. Progress goes to stderr.

    \b
    Examples:
      summarizer eval gold.jsonl --base-url http://127.0.0.1:8765/v1 --model local-medium
      summarizer eval gold.jsonl --offline --limit 50
      summarizer eval gold.jsonl --prompts house-style --format json -o house.json
      summarizer eval --compare default.json house.json
    """
    from summarizer import evaluation

    if compare:
        if gold is not None:
            raise click.UsageError("give either GOLD.jsonl or --compare A.json B.json, not both.")
        a, b = (evaluation.load_report(path) for path in compare)
        names = (compare[0].stem, compare[1].stem)
        write(evaluation.compare(a, b, names=names), output)
        return
    if gold is None:
        raise click.UsageError("missing GOLD.jsonl (or --compare A.json B.json).")
    if output is not None:
        refuse_unwritable(output)
    records = evaluation.load_gold(gold, limit=limit)
    run_settings = settings(**flags)
    engine: Engine = "offline" if offline else "llm"
    with live_status(enabled=not offline):
        report = evaluation.evaluate(
            records,
            settings=run_settings,
            client=injected(ctx).client,
            engine=engine,
            on_article=None if offline else _progress(len(records)),
        )
    figures = report.to_dict()
    text = json.dumps(figures, indent=2) + "\n" if fmt == "json" else evaluation.to_text(figures)
    write(text, output)


def _progress(total: int) -> Callable[[int, ArticleRun], None]:
    """One line on stderr per article: a model run takes minutes, and this says it is alive."""

    def show(number: int, run: ArticleRun) -> None:
        score = run.score.shown
        outcome = (
            f"failed: {run.error}"
            if run.error
            else (f"{score.gold_found}/{score.gold} gold quotes, {run.calls} calls")
        )
        line = f"[{number}/{total}] {run.score.id or ''}: {outcome}, {run.seconds:.1f} s"
        # sys.stderr as it is now: while the live status runs, rich's proxy, which prints the
        # line above the status instead of through it (click's cached stream bypasses it).
        click.echo(line, file=sys.stderr)

    return show
