"""The `summarizer` command: thin click commands over the library."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from summarizer import display
from summarizer.archive import Fields, Format, iter_records
from summarizer.batch import cache_key_for, offline_engine, run_batch
from summarizer.cache import Cache, NullCache, ResultCache
from summarizer.config import Settings
from summarizer.costs import estimate
from summarizer.errors import ConfigError, SummarizerError
from summarizer.extract import read_article
from summarizer.pipeline import prepare, summarize
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
def summarize_cmd(article: str, fmt: str, output: Path | None, **flags: Any) -> None:
    """Summarise one article: the issue, a summary, and who takes which position.

    \b
    Examples:
      summarizer summarize examples/seed-article.txt
      cat story.txt | summarizer summarize - --format json
      summarizer summarize story.txt --base-url http://127.0.0.1:8765/v1 --model local-medium
    """
    settings = _settings(**flags)
    if not settings.has_endpoint:
        raise ConfigError(
            "No LLM endpoint configured. Set OPENAI_API_KEY for OpenAI, or pass --base-url "
            "(or OPENAI_BASE_URL) for a local OpenAI-compatible server, e.g. "
            "--base-url http://127.0.0.1:8765/v1."
        )
    result = summarize(read_article(article), settings=settings)
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


# ---- batch runs (issue 4): batch, estimate ------------------------------------------------


def _archive_options(func: Any) -> Any:
    options = [
        click.option(
            "--format",
            "archive_format",
            type=click.Choice(["jsonl", "csv", "tsv", "dir"]),
            help="Archive format; guessed from the suffix (stdin: jsonl).",
        ),
        click.option("--id-field", default="id", show_default=True, help="Field with the id."),
        click.option(
            "--text-field",
            multiple=True,
            help="Field with the text (repeat for fallbacks). [default: text, body, content, "
            "article, html]",
        ),
        click.option("--title-field", default="title", show_default=True),
        click.option("--date-field", default="date", show_default=True),
        click.option("--url-field", default="url", show_default=True),
        click.option("--source-field", default="source", show_default=True),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(path_type=Path),
            help="Result cache file (SUMMARIZER_CACHE_PATH; default in ~/.cache/summarizer).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--price-in", "price_input_per_mtok", type=float, help="USD per 1M input."),
        click.option("--price-out", "price_output_per_mtok", type=float, help="USD per 1M output."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fields(flags: dict[str, Any]) -> Fields:
    names = {name: flags.pop(f"{name}_field") for name in ("id", "title", "date", "url", "source")}
    text = flags.pop("text_field")
    return Fields(**names, text=tuple(text)) if text else Fields(**names)


def _cache(settings: Settings, no_cache: bool, *, create: bool = True) -> Cache:
    path = settings.resolved_cache_path()
    if no_cache or (not create and not path.exists()):
        return NullCache()
    return ResultCache(path)


@cli.command()
@click.argument("archive", metavar="INPUT")
@click.option("-o", "--output", required=True, help="Output JSON Lines file (- for stdout).")
@_archive_options
@_settings_options
@click.option("-j", "--concurrency", type=int, help="Articles in flight (default 8).")
@click.option("--rpm", type=float, help="Requests-per-minute ceiling.")
@click.option("--tpm", type=float, help="Tokens-per-minute ceiling.")
@click.option("--timeout", type=float, help="Seconds per request (SUMMARIZER_TIMEOUT).")
@click.option("--article-timeout", type=float, help="Seconds per article, retries included.")
@click.option("--max-attempts", type=int, help="Tries per call on 429/5xx/timeouts.")
@click.option("--retry-errors", is_flag=True, help="Try again the records that failed before.")
@click.option("--dry-run", is_flag=True, help="Estimate tokens and cost; send nothing.")
@click.option("--offline", is_flag=True, help="Use the attribution engine: no LLM calls.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.pass_context
def batch(
    ctx: click.Context,
    /,
    archive: str,
    output: str,
    archive_format: Format | None,
    no_cache: bool,
    retry_errors: bool,
    dry_run: bool,
    offline: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Summarise every article of an archive into one JSON line each, resumably.

    INPUT is a .jsonl/.csv/.tsv file (optionally .gz), a folder of .txt/.md/.html files, or
    - for stdin. Lines are written as articles complete (not in input order); each carries
    the record's "id", "record" number and input "line". Re-running the same command skips
    the records already in the output; cached results cost no call.

    \b
    Examples:
      summarizer batch archive.jsonl -o summaries.jsonl --base-url http://127.0.0.1:8000/v1
      summarizer batch news.csv --text-field body -o out.jsonl -j 16 --rpm 500
      summarizer batch archive.jsonl -o out.jsonl --dry-run
    """
    fields = _fields(flags)
    settings = _settings(**flags)
    cache = _cache(settings, no_cache, create=not dry_run)
    if dry_run:
        key_for = cache_key_for(settings)
        records = iter_records(archive, format=archive_format, fields=fields)
        click.echo(estimate(records, settings=settings, cache=cache, cache_key=key_for).summary())
        return
    engine = offline_engine(settings) if offline else None
    if engine is None:
        settings.require_endpoint()
    try:
        totals = asyncio.run(
            run_batch(
                archive,
                output,
                settings=settings,
                format=archive_format,
                fields=fields,
                cache=cache,
                engine=engine,
                retry_errors=retry_errors,
                progress=not quiet,
                handle_sigint=True,
                notify=lambda m: click.echo(m, err=True),
            )
        )
    finally:
        cache.close()
    if not quiet:
        click.echo(totals.summary(), err=True)
    if totals.interrupted:
        ctx.exit(130)


@cli.command("estimate")
@click.argument("archive", metavar="INPUT")
@_archive_options
@_settings_options
@click.option(
    "--expected-output", "expected_output_tokens", type=int, help="Output tokens per article."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def estimate_cmd(
    archive: str, archive_format: Format | None, no_cache: bool, as_json: bool, **flags: Any
) -> None:
    """Count an archive's input tokens with tiktoken and price it, before anything is sent.

    Output tokens are an assumption (--expected-output, default 600 per article); articles
    already in the result cache are counted as free. Re-asks and retries are not included.

    \b
    Examples:
      summarizer estimate archive.jsonl --model gpt-4o-mini
      summarizer estimate news.csv --text-field body --price-in 0.15 --price-out 0.6 --json
    """
    fields = _fields(flags)
    settings = _settings(**flags)
    cache = _cache(settings, no_cache, create=False)
    try:
        records = iter_records(archive, format=archive_format, fields=fields)
        result = estimate(
            records, settings=settings, cache=cache, cache_key=cache_key_for(settings)
        )
    finally:
        cache.close()
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.summary())


def main() -> None:
    """Entry point of the `summarizer` script."""
    cli(prog_name="summarizer")
