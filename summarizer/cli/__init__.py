"""The `summarizer` command: thin click commands over the library.

The group and its error handling live here; the commands, by subject, in the modules beside.
"""

from __future__ import annotations

from typing import Any

import click

from summarizer.cli._common import Injected
from summarizer.cli.article import render, schema, summarize_cmd, tokens
from summarizer.cli.batch import batch, estimate_cmd
from summarizer.cli.batchapi import batchapi_group
from summarizer.cli.db import actor_cmd, actors_cmd, db_group, search_cmd
from summarizer.cli.eval import eval_cmd
from summarizer.cli.report import report_cmd
from summarizer.cli.templates import templates_group
from summarizer.errors import SummarizerError

__all__ = ["Injected", "cli", "main"]


class _Group(click.Group):
    """Turns every SummarizerError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SummarizerError as exc:
            if ctx.meta.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="summarizer")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Who takes which position in a news story, with every quote checked.

    \b
    Example:
      summarizer summarize examples/seed-article.txt
    """
    ctx.meta["debug"] = debug


for _command in (
    summarize_cmd,
    render,
    tokens,
    schema,
    report_cmd,
    templates_group,
    batch,
    estimate_cmd,
    batchapi_group,
    eval_cmd,
    db_group,
    search_cmd,
    actors_cmd,
    actor_cmd,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the `summarizer` script."""
    cli(prog_name="summarizer")
