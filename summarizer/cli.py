"""The `summarizer` command: thin click commands over the library."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from summarizer import display
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.extract import read_article
from summarizer.pipeline import Engine, prepare, summarize
from summarizer.schema import SummaryResult

__all__ = ["main"]


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


def _settings_options(func: Any) -> Any:
    options = [
        click.option("--model", help="Model name (SUMMARIZER_MODEL)."),
        click.option("--base-url", help="OpenAI-compatible endpoint (OPENAI_BASE_URL)."),
        click.option(
            "--prompts",
            "prompts_dir",
            type=click.Path(path_type=Path),
            help="Folder of house-style templates (SUMMARIZER_PROMPTS_DIR).",
        ),
        click.option(
            "--mode",
            "output_mode",
            type=click.Choice(["auto", "json_schema", "json_object"]),
            help="Structured output mode (SUMMARIZER_OUTPUT_MODE).",
        ),
        click.option("--max-actors", type=int, help="Most actors to list."),
        click.option("--language", help="Language of the summary and positions."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(**flags: Any) -> Settings:
    return Settings.load(**flags)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@cli.command("summarize")
@click.argument("article", metavar="PATH|-")
@_settings_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE.")
@click.option(
    "--offline",
    is_flag=True,
    help="Use the offline attribution engine only: quotes and speakers, no stances, no calls.",
)
def summarize_cmd(article: str, fmt: str, output: Path | None, offline: bool, **flags: Any) -> None:
    """Summarise one article: the issue, a summary, and who takes which position.

    With no endpoint configured, falls back to the offline attribution engine and says so.

    \b
    Examples:
      summarizer summarize examples/seed-article.txt
      cat story.txt | summarizer summarize - --format json
      summarizer summarize story.txt --base-url http://127.0.0.1:8765/v1 --model local-medium
      summarizer summarize story.txt --offline
    """
    settings = _settings(**flags)
    if not offline and not settings.has_endpoint:
        click.echo(
            "note: no LLM endpoint configured, so this is the offline engine's result (quotes "
            "and speakers only); set OPENAI_API_KEY, or --base-url for a local server, for "
            "stances and summaries.",
            err=True,
        )
        offline = True
    engine: Engine = "offline" if offline else "llm"
    result = summarize(read_article(article), settings=settings, engine=engine)
    _write(_format(result, fmt, color=output is None and sys.stdout.isatty()), output)


def _format(result: SummaryResult, fmt: str, *, color: bool) -> str:
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return display.to_markdown(result)
    width = shutil.get_terminal_size().columns if color else 88
    return display.to_text(result, color=color, width=width)


@cli.command()
@click.argument("article", metavar="PATH|-")
@_settings_options
def render(article: str, **flags: Any) -> None:
    """Print exactly the messages that would be sent, with token counts; calls no model.

    \b
    Example:
      summarizer render examples/seed-article.txt
    """
    settings = _settings(**flags)
    prepared = prepare(read_article(article), settings=settings)
    for message, tokens in zip(prepared.messages, prepared.message_tokens, strict=True):
        click.echo(f"=== {message['role']} ({tokens} tokens) ===")
        click.echo(message["content"])
        click.echo()
    click.echo(
        f"template {prepared.template} sha256 {prepared.template_sha256[:12]}; "
        f"prompt {prepared.prompt_tokens} tokens; budget {prepared.budget} tokens",
        err=True,
    )


@cli.command()
@click.argument("article", metavar="PATH|-")
@_settings_options
def tokens(article: str, **flags: Any) -> None:
    """Count the prompt's tokens and check it against the model's context window.

    \b
    Example:
      summarizer tokens examples/seed-article.txt --model gpt-4o-mini
    """
    settings = _settings(**flags)
    prepared = prepare(read_article(article), settings=settings)
    payload = {
        "model": settings.model,
        "article_tokens": sum(prepared.message_tokens[1:]),
        "prompt_tokens": prepared.prompt_tokens,
        "max_output_tokens": settings.max_output_tokens,
        "context_window": prepared.budget,
        "fits": True,
    }
    click.echo(json.dumps(payload, indent=2))


@cli.command()
def schema() -> None:
    """Print the JSON schema of a result, for validating output downstream.

    \b
    Example:
      summarizer schema > summary.schema.json
    """
    click.echo(json.dumps(SummaryResult.model_json_schema(), indent=2))


def main() -> None:
    """Entry point of the `summarizer` script."""
    cli(prog_name="summarizer")
