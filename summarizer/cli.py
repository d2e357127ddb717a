"""The `summarizer` command: thin click commands over the library."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from summarizer import batchjob, display, report
from summarizer.archive import Fields, Format, iter_records
from summarizer.batch import cache_key_for, offline_engine, run_batch
from summarizer.batchapi import BatchAPI
from summarizer.cache import Cache, NullCache, ResultCache
from summarizer.config import Settings
from summarizer.costs import estimate
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.extract import read_article
from summarizer.fetch import fetch_article
from summarizer.pipeline import Engine, prepare, summarize
from summarizer.progress import RunTotals
from summarizer.schema import Article, SummaryResult
from summarizer.templates import Templates, copy_defaults

__all__ = ["main"]

T = TypeVar("T")


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
        _write_file(output, [text])


@cli.command("summarize")
@click.argument("article", metavar="PATH|URL|-")
@_settings_options
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
def summarize_cmd(article: str, fmt: str, output: Path | None, offline: bool, **flags: Any) -> None:
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
    source = _read(article)
    result = summarize(source, settings=settings, engine=engine)
    color = output is None and sys.stdout.isatty()
    _write(_format(result, fmt, color=color, article_text=source.text), output)


def _format(result: SummaryResult, fmt: str, *, color: bool, article_text: str) -> str:
    if fmt == "html":
        return report.article_report(result, article_text)
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return display.to_markdown(result)
    width = shutil.get_terminal_size().columns if color else 88
    return display.to_text(result, color=color, width=width)


@cli.command()
@click.argument("article", metavar="PATH|URL|-")
@_settings_options
def render(article: str, **flags: Any) -> None:
    """Print exactly the messages that would be sent, with token counts; calls no model.

    \b
    Examples:
      summarizer render examples/seed-article.txt
      summarizer render https://example.org/news/story --prompts examples/house-style
    """
    settings = _settings(**flags)
    prepared = prepare(_read(article), settings=settings)
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
@click.argument("article", metavar="PATH|URL|-")
@_settings_options
def tokens(article: str, **flags: Any) -> None:
    """Count the prompt's tokens and check it against the model's context window.

    \b
    Example:
      summarizer tokens examples/seed-article.txt --model gpt-4o-mini
    """
    settings = _settings(**flags)
    prepared = prepare(_read(article), settings=settings)
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


# ---- pages from the web, archive reports, house-style templates ----------------------------


def _read(source: str) -> Article:
    """The article at a URL, in a file, or on stdin (``-``)."""
    if source.lower().startswith(("http://", "https://")):
        return fetch_article(source)
    return read_article(source)


def _write_file(output: Path, pieces: Iterable[str]) -> None:
    """Write pieces as they come to a side file, then rename it over OUTPUT.

    A report that fails half-way (a bad line deep in a batch file) leaves no half-written page
    behind, nor clobbers a good one from an earlier run.
    """
    partial = output.with_name(f".{output.name}.part")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(partial, output)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"wrote {output}", err=True)


def _jsonl_lines(handle: IO[bytes], source: str) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                "not UTF-8; is this a batch output file (JSON Lines)?", source=source, line=number
            ) from None


def _open_results(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        raise InputError("no such file; pass the JSONL a batch run wrote.", source=path) from None
    except IsADirectoryError:
        raise InputError("is a directory; pass one JSONL file.", source=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}.", source=path) from None


@cli.command("report")
@click.argument("results", metavar="RESULTS.jsonl|-")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write.",
)
@click.option("--title", default="Summary archive", show_default=True, help="Page heading.")
def report_cmd(results: str, output: Path, title: str) -> None:
    """Build one self-contained HTML page over a batch output file: a table of the articles
    and their actors, and an index of who said what, in which article.

    The file is read one line at a time, so archives of any size fit in memory.

    \b
    Example:
      summarizer report out.jsonl -o archive.html
    """
    source = "<stdin>" if results == "-" else results
    counts = {"articles": 0}

    def counted(records: Iterable[report.Record]) -> Iterator[report.Record]:
        for record in records:
            counts["articles"] += 1
            yield record

    handle = _open_results(results)
    try:
        records = report.load_results(_jsonl_lines(handle, source), source=source)
        _write_file(output, report.iter_archive_report(counted(records), title=title))
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if not counts["articles"]:
        click.echo(f"warning: {source} holds no results; the report is empty.", err=True)


_prompts_option = click.option(
    "--prompts",
    "prompts_dir",
    type=click.Path(path_type=Path),
    help="Folder of house-style templates (SUMMARIZER_PROMPTS_DIR).",
)


def _templates(prompts_dir: Path | None) -> Templates:
    return Templates(_settings(prompts_dir=prompts_dir).prompts_dir)


@cli.group("templates")
def templates_group() -> None:
    """List, show and copy the prompt templates: the way to a house style.

    A house-style folder needs only the templates it changes; the rest come from the
    defaults. See "House style" in the README for the variables a template can use.

    \b
    Examples:
      summarizer templates init house-style
      summarizer render story.txt --prompts house-style
    """


@templates_group.command("list")
@_prompts_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per template.")
def templates_list(prompts_dir: Path | None, as_json: bool) -> None:
    """List the templates in use, and whether each comes from the house folder or the defaults.

    \b
    Examples:
      summarizer templates list
      summarizer templates list --prompts examples/house-style
    """
    templates = _templates(prompts_dir)
    for name in templates.names():
        origin, path = templates.origin(name), templates.source(name)[1]
        if as_json:
            click.echo(json.dumps({"name": name, "origin": origin, "path": path}))
        else:
            click.echo(f"{name:<24} {origin:<8} {path}")


@templates_group.command("show")
@click.argument("name")
@_prompts_option
def templates_show(name: str, prompts_dir: Path | None) -> None:
    """Print a template's source, as it would be used (house style first).

    \b
    Example:
      summarizer templates show positions.system
    """
    templates = _templates(prompts_dir)
    if not name.endswith(".j2") and f"{name}.j2" in templates.names():
        name = f"{name}.j2"
    text, path = templates.source(name)
    click.echo(text, nl=not text.endswith("\n"))
    click.echo(f"{templates.origin(name)}: {path}", err=True)


@templates_group.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Replace templates already in DIRECTORY.")
@_prompts_option
def templates_init(directory: Path | None, force: bool, prompts_dir: Path | None) -> None:
    """Copy the default templates into DIRECTORY (default: --prompts) to edit them.

    Delete the copies you do not change: the defaults fill in, and keep improving.

    \b
    Examples:
      summarizer templates init house-style
      summarizer render story.txt --prompts house-style
    """
    folder = directory or _settings(prompts_dir=prompts_dir).prompts_dir
    if folder is None:
        raise click.UsageError("Name the folder: summarizer templates init DIRECTORY.")
    for path in copy_defaults(folder, force=force):
        click.echo(path)
    click.echo(
        f"Edit them, then pass --prompts {folder} (or set SUMMARIZER_PROMPTS_DIR).", err=True
    )


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


def _batch_api_options(func: Any) -> Any:
    options = [
        click.option(
            "--via",
            type=click.Choice(["online", "batch-api"]),
            default="online",
            show_default=True,
            help="batch-api: OpenAI's Batch API (half price, results within 24 hours).",
        ),
        click.option(
            "--poll-interval",
            type=float,
            default=30.0,
            show_default=True,
            help="Seconds between the first Batch API status polls (then growing).",
        ),
        click.option(
            "--no-retry-online",
            is_flag=True,
            help="Batch API: report unusable batch results as error lines instead of "
            "summarising those articles online.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
@_batch_api_options
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
    via: str,
    poll_interval: float,
    no_retry_online: bool,
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
      summarizer batch archive.jsonl -o out.jsonl --via batch-api   # half price, within 24h
    """
    fields = _fields(flags)
    settings = _settings(**flags)
    cache = _cache(settings, no_cache, create=not dry_run)
    if via == "batch-api" and not dry_run:
        if offline or output == "-" or retry_errors:
            cache.close()
            raise click.UsageError("--via batch-api writes to a file and calls a model.")
        _run_batch_api(
            archive, output, settings, archive_format, fields, cache, poll_interval, no_retry_online
        )
        return
    if dry_run:
        key_for = cache_key_for(settings)
        records = iter_records(archive, format=archive_format, fields=fields)
        click.echo(estimate(records, settings=settings, cache=cache, cache_key=key_for).summary())
        return
    engine = offline_engine(settings) if offline else None
    if engine is None:
        settings.require_endpoint()
    else:
        cache.close()
        cache = NullCache()  # the engine is free and deterministic: nothing to save
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


# ---- the OpenAI Batch API and vLLM run_batch (issue 5) --------------------------------------


def _say(message: str) -> None:
    click.echo(message, err=True)


def _run_batch_api(
    archive: str,
    output: str,
    settings: Settings,
    archive_format: Format | None,
    fields: Fields,
    cache: Cache,
    poll_interval: float,
    no_retry_online: bool,
) -> None:
    async def go() -> RunTotals:
        api = BatchAPI.from_settings(settings)
        try:
            return await batchjob.run(
                archive,
                output,
                settings=settings,
                api=api,
                format=archive_format,
                fields=fields,
                cache=cache,
                retry_online=not no_retry_online,
                interval=poll_interval,
                notify=_say,
            )
        finally:
            await api.aclose()

    try:
        totals = asyncio.run(go())
    finally:
        cache.close()
    _say(totals.summary())


@cli.group("batchapi")
def batchapi_group() -> None:
    """Runs through OpenAI's Batch API that outlast a terminal: write, submit, status, collect.

    The run's state sits next to the output (OUT.jsonl.batchapi.json), so status and collect
    work from any terminal, later. `summarizer batch INPUT -o OUT --via batch-api` does all
    four in one go. See "Batch API and vLLM run_batch" in the README.

    \b
    Examples:
      summarizer batchapi submit archive.jsonl -o out.jsonl
      summarizer batchapi status out.jsonl
      summarizer batchapi collect out.jsonl --wait
    """


@batchapi_group.command("write")
@click.argument("archive", metavar="INPUT")
@click.option("-o", "--output", required=True, help="The output file the run will collect to.")
@_archive_options
@_settings_options
@click.option("--max-requests", type=int, default=50_000, show_default=True, help="Per file.")
@click.option("--max-bytes", type=int, default=200 * 1024 * 1024, show_default=True)
def batchapi_write(
    archive: str,
    output: str,
    archive_format: Format | None,
    no_cache: bool,
    max_requests: int,
    max_bytes: int,
    **flags: Any,
) -> None:
    """Write the request files only (for vLLM's run_batch, or to inspect them); print them.

    \b
    Example:
      summarizer batchapi write archive.jsonl -o out.jsonl --model my-model --base-url http://gpu:8000/v1
    """
    job = _write_job(archive, output, archive_format, no_cache, flags, max_requests, max_bytes)
    for part in job.parts:
        click.echo(job.folder / part.file)


def _write_job(
    archive: str,
    output: str,
    archive_format: Format | None,
    no_cache: bool,
    flags: dict[str, Any],
    max_requests: int,
    max_bytes: int,
) -> batchjob.BatchJob:
    fields = _fields(flags)
    settings = _settings(**flags)
    cache = _cache(settings, no_cache, create=False)
    try:
        return batchjob.write_requests(
            archive,
            output,
            settings=settings,
            format=archive_format,
            fields=fields,
            cache=cache,
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
    finally:
        cache.close()


@batchapi_group.command("submit")
@click.argument("archive", metavar="INPUT")
@click.option("-o", "--output", required=True, help="The output file the run will collect to.")
@_archive_options
@_settings_options
@click.option("--max-requests", type=int, default=50_000, show_default=True, help="Per file.")
@click.option("--max-bytes", type=int, default=200 * 1024 * 1024, show_default=True)
def batchapi_submit(
    archive: str,
    output: str,
    archive_format: Format | None,
    no_cache: bool,
    max_requests: int,
    max_bytes: int,
    **flags: Any,
) -> None:
    """Write the request files, upload them and create one batch per file; then return.

    Running it again after an interruption finishes what is missing and creates no batch
    twice.

    \b
    Example:
      summarizer batchapi submit archive.jsonl -o out.jsonl --model gpt-4o-mini
    """
    job = _write_job(archive, output, archive_format, no_cache, flags, max_requests, max_bytes)
    settings = _settings(**{k: flags.get(k) for k in ("base_url", "model")})
    _with_api(settings, lambda api: batchjob.submit(job, api, notify=_say))


def _with_api(settings: Settings, step: Callable[[BatchAPI], Awaitable[T]]) -> T:
    async def go() -> T:
        api = BatchAPI.from_settings(settings)
        try:
            return await step(api)
        finally:
            await api.aclose()

    return asyncio.run(go())


@batchapi_group.command("status")
@click.argument("output", metavar="OUT.jsonl")
@click.option("--base-url", help="OpenAI-compatible endpoint (OPENAI_BASE_URL).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per batch.")
def batchapi_status(output: str, base_url: str | None, as_json: bool) -> None:
    """Show each batch's status and request counts.

    \b
    Example:
      summarizer batchapi status out.jsonl
    """
    job = batchjob.BatchJob.load(output)
    infos = _with_api(_settings(base_url=base_url), lambda api: batchjob.status(job, api))
    if not infos:
        _say(f"{output}: no batch submitted yet (`summarizer batchapi submit`).")
    for info in infos:
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(info)))
        else:
            click.echo(
                f"{info.id} {info.status}: {info.completed} done, {info.failed} failed "
                f"of {info.total}" + (f" ({info.errors})" if info.errors else "")
            )


@batchapi_group.command("collect")
@click.argument("output", metavar="OUT.jsonl")
@click.option("--base-url", help="OpenAI-compatible endpoint (OPENAI_BASE_URL).")
@click.option(
    "--from-file",
    "from_files",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Read results from this file (vLLM run_batch output) instead of downloading.",
)
@click.option("--wait", is_flag=True, help="Poll until every batch has finished.")
@click.option("--poll-interval", type=float, default=30.0, show_default=True)
@click.option("--no-retry-online", is_flag=True, help="Unusable results become error lines.")
@click.option("--cache", "cache_path", type=click.Path(path_type=Path), help="Result cache.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
def batchapi_collect(
    output: str,
    base_url: str | None,
    from_files: tuple[Path, ...],
    wait: bool,
    poll_interval: float,
    no_retry_online: bool,
    cache_path: Path | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Download the finished batches' results and write one line per archive record.

    Records without a usable result are summarised online (unless --no-retry-online) or
    become error lines. Safe to run again: records already in OUT.jsonl are skipped.

    \b
    Examples:
      summarizer batchapi collect out.jsonl --wait
      summarizer batchapi collect out.jsonl --from-file results.jsonl   # vLLM run_batch
    """
    job = batchjob.BatchJob.load(output)
    settings = _settings(base_url=base_url, cache_path=cache_path)
    if not from_files and any(part.batch_id is None for part in job.parts):
        raise ConfigError(
            f"{output}: the requests were written but not submitted. Run `summarizer batchapi "
            "submit`, or pass the results of vLLM's run_batch with --from-file."
        )
    if not from_files:

        def fetch(api: BatchAPI) -> Awaitable[bool]:
            return batchjob.download(job, api, wait=wait, interval=poll_interval, notify=_say)

        if not _with_api(settings, fetch):
            _say("not every batch has finished: collect again later, or pass --wait")
            return
    cache = _cache(job.run_settings(settings), no_cache)
    try:
        totals = asyncio.run(
            batchjob.collect(
                job,
                settings=settings,
                results=list(from_files) or None,
                cache=cache,
                retry_online=not no_retry_online,
                notify=_say,
            )
        )
    finally:
        cache.close()
    if not quiet:
        _say(totals.summary())


def main() -> None:
    """Entry point of the `summarizer` script."""
    cli(prog_name="summarizer")
