"""One article: summarize, render, tokens; and the result's schema."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from summarizer import display, report
from summarizer.cli._common import injected, settings, settings_options, write
from summarizer.fetch import load_article
from summarizer.pipeline import Engine, prepare, summarize
from summarizer.schema import SummaryResult

__all__ = ["render", "schema", "summarize_cmd", "tokens"]


@click.command("summarize")
@click.argument("article", metavar="PATH|URL|-")
@settings_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "html"]),
    default="text",
    show_default=True,
    help="html: a self-contained report with the quotes highlighted (needs -o).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE.")
@click.option(
    "--offline",
    is_flag=True,
    help="Use the offline attribution engine only: quotes and speakers, no stances, no calls.",
)
@click.pass_context
def summarize_cmd(
    ctx: click.Context,
    /,
    article: str,
    fmt: str,
    output: Path | None,
    offline: bool,
    **flags: Any,
) -> None:
    """Summarise one article: the issue, a summary, and who takes which position.

    With no endpoint configured, falls back to the offline attribution engine and says so.

    \b
    Examples:
      summarizer summarize examples/seed-article.txt
      summarizer summarize https://example.org/news/story --format html -o story.html
      cat story.txt | summarizer summarize - --format json
      summarizer summarize story.txt --base-url http://127.0.0.1:8765/v1 --model local-medium
      summarizer summarize story.txt --offline
    """
    if fmt == "html" and output is None:
        raise click.UsageError("--format html writes a file: add -o FILE, e.g. -o report.html.")
    run_settings = settings(**flags)
    if not offline and not run_settings.has_endpoint:
        click.echo(
            "note: no LLM endpoint configured, so this is the offline engine's result (quotes "
            "and speakers only); set OPENAI_API_KEY, or --base-url for a local server, for "
            "stances and summaries.",
            err=True,
        )
        offline = True
    engine: Engine = "offline" if offline else "llm"
    source = load_article(article)
    client = injected(ctx).client
    result = summarize(source, settings=run_settings, client=client, engine=engine)
    color = output is None and sys.stdout.isatty()
    write(_format(result, fmt, color=color, article_text=source.text), output)


def _format(result: SummaryResult, fmt: str, *, color: bool, article_text: str) -> str:
    if fmt == "html":
        return report.article_report(result, article_text)
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return display.to_markdown(result)
    width = shutil.get_terminal_size().columns if color else 88
    return display.to_text(result, color=color, width=width)


@click.command()
@click.argument("article", metavar="PATH|URL|-")
@settings_options
def render(article: str, **flags: Any) -> None:
    """Print exactly the messages that would be sent, with token counts; calls no model.

    \b
    Examples:
      summarizer render examples/seed-article.txt
      summarizer render https://example.org/news/story --prompts examples/house-style
    """
    run_settings = settings(**flags)
    prepared = prepare(load_article(article), settings=run_settings)
    for message, count in zip(prepared.messages, prepared.message_tokens, strict=True):
        click.echo(f"=== {message['role']} ({count} tokens) ===")
        click.echo(message["content"])
        click.echo()
    click.echo(
        f"template {prepared.template} sha256 {prepared.template_sha256[:12]}; "
        f"prompt {prepared.prompt_tokens} tokens; budget {prepared.budget} tokens",
        err=True,
    )


@click.command()
@click.argument("article", metavar="PATH|URL|-")
@settings_options
def tokens(article: str, **flags: Any) -> None:
    """Count the prompt's tokens and check it against the model's context window.

    \b
    Example:
      summarizer tokens examples/seed-article.txt --model gpt-4o-mini
    """
    run_settings = settings(**flags)
    prepared = prepare(load_article(article), settings=run_settings)
    payload = {
        "model": run_settings.model,
        "article_tokens": sum(prepared.message_tokens[1:]),
        "prompt_tokens": prepared.prompt_tokens,
        "max_output_tokens": run_settings.max_output_tokens,
        "context_window": prepared.budget,
        "fits": True,
    }
    click.echo(json.dumps(payload, indent=2))


@click.command()
def schema() -> None:
    """Print the JSON schema of a result, for validating output downstream.

    \b
    Example:
      summarizer schema > summary.schema.json
    """
    click.echo(json.dumps(SummaryResult.model_json_schema(), indent=2))
