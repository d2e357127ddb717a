"""Batch runs (issue 4): batch, estimate."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from summarizer.batch.batchapi import job as batchjob
from summarizer.batch.batchapi.exchange import with_api
from summarizer.batch.cache import Cache, NullCache, open_cache
from summarizer.batch.costs import estimate
from summarizer.batch.preflight import check_templates
from summarizer.batch.runner import EngineName, cache_key_for, run_batch
from summarizer.cli._common import (
    archive_options,
    encoding_option,
    fields,
    say,
    settings,
    settings_options,
)
from summarizer.config import Settings
from summarizer.sources.archive import Format, Input

__all__ = ["batch", "estimate_cmd"]


def _check_db_options(
    db_path: str | None, extra_fields: tuple[str, ...], *, via: str, dry_run: bool
) -> None:
    if db_path is not None and via != "online" and not dry_run:
        raise click.UsageError(
            f"--db does not follow a --via {via} run; after it, load the output with "
            "`summarizer db import OUT.jsonl --archive INPUT --db FILE`."
        )
    if extra_fields:
        if db_path is None:
            raise click.UsageError(
                "--extra-field only goes into the archive database: add --db FILE."
            )
        from summarizer.db import check_extra_fields  # only runs with --db need SQLite

        check_extra_fields(extra_fields)


def _batch_api_options(func: Any) -> Any:
    options = [
        click.option(
            "--via",
            type=click.Choice(["online", "batch-api", "ray"]),
            default="online",
            show_default=True,
            help="batch-api: OpenAI's Batch API (half price, results within 24 hours). "
            'ray: on a Ray cluster, this machine by default (pip install "summarizer[ray]").',
        ),
        click.option(
            "--ray-address",
            help="Ray: the cluster to join (auto, ray://host:10001); default: start Ray here.",
        ),
        click.option(
            "--ray-actors",
            type=click.IntRange(min=1),
            help="Ray: actors in the pool (default: one per CPU); -j is per actor.",
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


@click.command()
@click.argument("archive", metavar="INPUT")
@click.option("-o", "--output", required=True, help="Output JSON Lines file (- for stdout).")
@archive_options
@settings_options
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
@encoding_option
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="Also write each result into this archive database (see `summarizer search`).",
)
@click.option(
    "--extra-field",
    "extra_fields",
    multiple=True,
    help="With --db: also keep this archive field in the articles table, as a column of "
    "its own to filter and facet on (repeatable), e.g. --extra-field section.",
)
@_batch_api_options
@click.pass_context
def batch(
    ctx: click.Context,
    /,
    archive: str,
    output: str,
    archive_format: Format | None,
    encoding: str | None,
    no_cache: bool,
    retry_errors: bool,
    dry_run: bool,
    offline: bool,
    quiet: bool,
    db_path: str | None,
    extra_fields: tuple[str, ...],
    via: str,
    poll_interval: float,
    no_retry_online: bool,
    ray_address: str | None,
    ray_actors: int | None,
    **flags: Any,
) -> None:
    """Summarise every article of an archive into one JSON line each, resumably.

    INPUT is a .jsonl/.csv/.tsv file (optionally .gz), a folder of .txt/.md/.html files, or
    - for stdin. Lines are written as articles complete (not in input order); each carries
    the record's "id", "record" number and input "line". Re-running the same command skips
    the records already in the output; cached results cost no call. Exits 1 when records
    were tried and none succeeded.

    \b
    Examples:
      summarizer batch archive.jsonl -o summaries.jsonl --base-url http://127.0.0.1:8000/v1
      summarizer batch news.csv --text-field body -o out.jsonl -j 16 --rpm 500
      summarizer batch archive.jsonl -o out.jsonl --dry-run
      summarizer batch archive.jsonl -o out.jsonl --offline --db archive.db
      summarizer batch archive.jsonl -o out.jsonl --via batch-api   # half price, within 24h
      summarizer batch archive.jsonl -o out.jsonl --via ray --ray-address auto
    """
    source = Input(
        archive,
        format=archive_format,
        fields=fields(flags, extra=extra_fields),
        encoding=encoding,
    )
    run_settings = settings(**flags)
    engine: EngineName = "offline" if offline else "llm"
    _check_db_options(db_path, extra_fields, via=via, dry_run=dry_run)
    cache = open_cache(run_settings.resolved_cache_path(), enabled=not no_cache, create=not dry_run)
    if via == "batch-api" and not dry_run:
        if offline or output == "-" or retry_errors or encoding:
            cache.close()
            raise click.UsageError(
                "--via batch-api writes to a file, calls a model and reads UTF-8 archives "
                "(no --offline, -o -, --retry-errors or --encoding)."
            )
        _run_batch_api(source, output, run_settings, cache, poll_interval, no_retry_online)
        return
    if dry_run:
        check_templates(run_settings)  # else every article would count as unusable
        key_for = cache_key_for(run_settings)
        records = source.records()
        click.echo(
            estimate(records, settings=run_settings, cache=cache, cache_key=key_for).summary()
        )
        return
    if via == "ray" and not dry_run:
        if output == "-":
            cache.close()
            raise click.UsageError("--via ray writes to a file (-o), so that it can resume.")
        _run_on_ray(
            ctx,
            source,
            output,
            run_settings,
            cache,
            address=ray_address,
            actors=ray_actors,
            quiet=quiet,
            engine=engine,
            retry_errors=retry_errors,
        )
        return
    if ray_address or ray_actors:
        cache.close()
        raise click.UsageError("--ray-address and --ray-actors go with --via ray.")
    if offline:
        cache.close()
        cache = NullCache()  # the engine is free and deterministic: nothing to save
    try:
        totals = asyncio.run(
            run_batch(
                source,
                output,
                settings=run_settings,
                cache=cache,
                engine=engine,
                retry_errors=retry_errors,
                progress=not quiet,
                handle_sigint=True,
                notify=say,
                db=db_path,
            )
        )
    finally:
        cache.close()
    if not quiet or totals.failed:
        say(totals.summary())
    if totals.interrupted:
        ctx.exit(130)
    if totals.failed:
        ctx.exit(1)


def _run_on_ray(
    ctx: click.Context,
    source: Input,
    output: str,
    run_settings: Settings,
    cache: Cache,
    *,
    address: str | None,
    actors: int | None,
    quiet: bool,
    engine: EngineName,
    retry_errors: bool,
) -> None:
    try:
        # Imported here: Ray is an optional extra, and loading it takes a second.
        from summarizer.batch.ray import RayOptions, run_on_ray
    except ImportError as exc:
        cache.close()
        raise click.UsageError(
            f'--via ray needs Ray: pip install "summarizer[ray]" ({exc.name} is missing).'
        ) from exc
    try:
        totals = run_on_ray(
            source,
            output,
            settings=run_settings,
            options=RayOptions(address=address, actors=actors),
            cache=cache,
            engine=engine,
            retry_errors=retry_errors,
            progress=not quiet,
            notify=say,
        )
    finally:
        cache.close()
    if not quiet:
        say(totals.summary())
    if totals.interrupted:
        ctx.exit(130)


def _run_batch_api(
    source: Input,
    output: str,
    run_settings: Settings,
    cache: Cache,
    poll_interval: float,
    no_retry_online: bool,
) -> None:
    try:
        totals = with_api(
            run_settings,
            lambda api: batchjob.run(
                source.source,
                output,
                settings=run_settings,
                api=api,
                format=source.format,
                fields=source.fields,
                cache=cache,
                retry_online=not no_retry_online,
                interval=poll_interval,
                notify=say,
            ),
        )
    finally:
        cache.close()
    say(totals.summary())


@click.command("estimate")
@click.argument("archive", metavar="INPUT")
@archive_options
@settings_options
@click.option(
    "--expected-output", "expected_output_tokens", type=int, help="Output tokens per article."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@encoding_option
def estimate_cmd(
    archive: str,
    archive_format: Format | None,
    no_cache: bool,
    as_json: bool,
    encoding: str | None,
    **flags: Any,
) -> None:
    """Count an archive's input tokens with tiktoken and price it, before anything is sent.

    Output tokens are an assumption (--expected-output, default 600 per article); articles
    already in the result cache are counted as free. Re-asks and retries are not included.

    \b
    Examples:
      summarizer estimate archive.jsonl --model gpt-4o-mini
      summarizer estimate news.csv --text-field body --price-in 0.15 --price-out 0.6 --json
    """
    source = Input(archive, format=archive_format, fields=fields(flags), encoding=encoding)
    run_settings = settings(**flags)
    check_templates(run_settings)  # else every article would count as unusable
    cache = open_cache(run_settings.resolved_cache_path(), enabled=not no_cache, create=False)
    try:
        records = source.records()
        result = estimate(
            records, settings=run_settings, cache=cache, cache_key=cache_key_for(run_settings)
        )
    finally:
        cache.close()
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.summary())
