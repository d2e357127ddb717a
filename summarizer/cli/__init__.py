"""The `summarizer` command: thin click commands over the library.

The group and its error handling live here; the commands, by subject, in the modules beside.
A command's module is imported when the command runs, not before (click's "lazily loading
subcommands" pattern): `summarizer --help` lists every command from the table below without
importing one, so it starts as fast as click itself.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from summarizer.cli._common import Injected
from summarizer.errors import SummarizerError

__all__ = ["Injected", "cli", "main"]

# name: (module:attribute, the first sentence of its help, which `summarizer --help` shows).
# tests/test_startup.py checks the sentences against the commands' own help.
_COMMANDS: dict[str, tuple[str, str]] = {
    "summarize": (
        "summarizer.cli.article:summarize_cmd",
        "Summarise one article: the issue, a summary, and who takes which position.",
    ),
    "render": (
        "summarizer.cli.article:render",
        "Print exactly the messages that would be sent, with token counts; calls no model.",
    ),
    "tokens": (
        "summarizer.cli.article:tokens",
        "Count the prompt's tokens and check it against the model's context window.",
    ),
    "schema": (
        "summarizer.cli.article:schema",
        "Print the JSON schema of a result, for validating output downstream.",
    ),
    "report": (
        "summarizer.cli.report:report_cmd",
        "Build one self-contained HTML page over a batch output file: a table of the articles "
        "and their actors, and an index of who said what, in which article.",
    ),
    "templates": (
        "summarizer.cli.templates:templates_group",
        "List, show and copy the prompt templates: the way to a house style.",
    ),
    "batch": (
        "summarizer.cli.batch:batch",
        "Summarise every article of an archive into one JSON line each, resumably.",
    ),
    "estimate": (
        "summarizer.cli.batch:estimate_cmd",
        "Count an archive's input tokens with tiktoken and price it, before anything is sent.",
    ),
    "batchapi": (
        "summarizer.cli.batchapi:batchapi_group",
        "Runs through OpenAI's Batch API that outlast a terminal: write, submit, status, collect.",
    ),
    "eval": (
        "summarizer.cli.eval:eval_cmd",
        "Score summaries against annotated articles: quotes found, attributed, verbatim; cost.",
    ),
    "db": ("summarizer.cli.db:db_group", "Build and browse the archive database."),
    "search": (
        "summarizer.cli.db:search_cmd",
        "Full-text search over quotes, positions and articles, best first.",
    ),
    "actors": (
        "summarizer.cli.db:actors_cmd",
        "The actor index: articles, quotes, stances, first and last seen.",
    ),
    "actor": (
        "summarizer.cli.db:actor_cmd",
        "One actor's timeline: date, outlet, stance, position, quotes, links.",
    ),
}


class _Group(click.Group):
    """Loads a command's module on first use; turns every SummarizerError into one line on
    stderr and exit code 1."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):  # a wrong table entry: the developer's
                raise TypeError(f"{module}:{attribute} is not a click command")
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in self.lazy:
            for name in self.lazy:  # a mistyped name: load them all, so click can suggest one
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a command not loaded yet is listed with its sentence from the
        table, so `summarizer --help` imports none of them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:  # shortened as click shortens a loaded command's help
                command = click.Command(name, help=self.lazy[name][1])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SummarizerError as exc:
            if ctx.meta.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, lazy=_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    """Entry point of the `summarizer` script."""
    cli(prog_name="summarizer")
