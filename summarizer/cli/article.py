"""One article: summarize, render, tokens; and the result's schema."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli._common import (
    encoding_option,
    injected,
    live_status,
    refuse_unwritable,
    say,
    settings,
    settings_options,
    write,
)

if TYPE_CHECKING:  # each command imports what it uses when it runs (see cli/__init__.py)
    from summarizer.pipeline import Engine
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
@encoding_option
@click.pass_context
def summarize_cmd(
    ctx: click.Context,
    /,
    article: str,
    fmt: str,
    output: Path | None,
    offline: bool,
    encoding: str | None,
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
    from summarizer.pipeline import summarize
    from summarizer.sources.fetch import load_article

    if fmt == "html" and output is None:
        raise click.UsageError("--format html writes a file: add -o FILE, e.g. -o report.html.")
    run_settings = settings(**flags)
    if output is not None:
        refuse_unwritable(output)
    source = load_article(article, encoding=encoding, notify=say)
    client = injected(ctx).client
    if not offline and not run_settings.has_endpoint:
        if run_settings.prompts_dir is not None:
            from summarizer.batch.preflight import check_templates

            check_templates(run_settings)  # they asked for their templates: a broken one fails
        say(
            "note: no LLM endpoint configured, so this is the offline engine's result (quotes "
            "and speakers only); set OPENAI_API_KEY, or --base-url for a local server, for "
            "stances and summaries."
        )
        offline = True
    engine: Engine = "offline" if offline else "llm"
    with live_status(enabled=engine == "llm"):
        result = summarize(source, settings=run_settings, client=client, engine=engine)
    color = output is None and sys.stdout.isatty()
    write(_format(result, fmt, color=color, article_text=source.text), output)


def _format(result: SummaryResult, fmt: str, *, color: bool, article_text: str) -> str:
    if fmt == "html":
        from summarizer.views import html as report

        return report.article_report(result, article_text)
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    from summarizer.views import text as display

    if fmt == "markdown":
        return display.to_markdown(result)
    width = shutil.get_terminal_size().columns if color else 88
    return display.to_text(result, color=color, width=width)


@click.command()
@click.argument("article", metavar="PATH|URL|-")
@settings_options
@encoding_option
def render(article: str, encoding: str | None, **flags: Any) -> None:
    """Print exactly the messages that would be sent, with token counts; calls no model.

    An article too long for one call is shown as summarize would send it: every part's
    messages, in order (the reduce call that merges the parts needs their answers, so it is
    only counted).

    \b
    Examples:
      summarizer render examples/seed-article.txt
      summarizer render https://example.org/news/story --prompts examples/house-style
    """
    from summarizer.pipeline import plan
    from summarizer.sources.fetch import load_article

    source = load_article(article, encoding=encoding, notify=say)
    parts = plan(source, settings=settings(**flags)).parts
    for number, prepared in enumerate(parts, start=1):
        label = f"part {number} of {len(parts)}: " if len(parts) > 1 else ""
        for message, count in zip(prepared.messages, prepared.message_tokens, strict=True):
            click.echo(f"=== {label}{message['role']} ({count} tokens) ===")
            click.echo(message["content"])
            click.echo()
    first = parts[0]
    if len(parts) == 1:
        prompt = f"prompt {first.prompt_tokens} tokens; budget {first.budget} tokens"
    else:
        counts = " + ".join(str(p.prompt_tokens) for p in parts)
        prompt = (
            f"{len(parts)} parts, prompts {counts} tokens; budget {first.budget} tokens each; "
            "then 1 reduce call over the parts' answers (not shown: it needs them)"
        )
    click.echo(f"template {first.template} sha256 {first.template_sha256[:12]}; {prompt}", err=True)


@click.command()
@click.argument("article", metavar="PATH|URL|-")
@settings_options
@encoding_option
def tokens(article: str, encoding: str | None, **flags: Any) -> None:
    """Count the prompt's tokens and check it against the model's context window.

    An article too long for one call ("fits": false) is counted as the parts summarize would
    split it into: "parts", "part_prompt_tokens" (one per part; the totals add them up) and
    "calls" (the parts plus the reduce call that merges them; re-asks not included).

    \b
    Example:
      summarizer tokens examples/seed-article.txt --model gpt-4o-mini
    """
    from summarizer.pipeline import plan
    from summarizer.sources.fetch import load_article

    run_settings = settings(**flags)
    source = load_article(article, encoding=encoding, notify=say)
    parts = plan(source, settings=run_settings).parts
    payload = {
        "model": run_settings.model,
        "article_tokens": sum(sum(p.message_tokens[1:]) for p in parts),
        "prompt_tokens": sum(p.prompt_tokens for p in parts),
        "max_output_tokens": run_settings.max_output_tokens,
        "context_window": parts[0].budget,
        "fits": len(parts) == 1,
        "parts": len(parts),
        "part_prompt_tokens": [p.prompt_tokens for p in parts],
        "calls": len(parts) + 1 if len(parts) > 1 else 1,
    }
    click.echo(json.dumps(payload, indent=2))


@click.command()
def schema() -> None:
    """Print the JSON schema of a result, for validating output downstream.

    \b
    Example:
      summarizer schema > summary.schema.json
    """
    from summarizer.schema import SummaryResult

    click.echo(json.dumps(SummaryResult.model_json_schema(), indent=2))
