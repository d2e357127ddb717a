"""The OpenAI Batch API and vLLM run_batch (issue 5): write, submit, status, collect."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.batch.batchapi import job as batchjob
from summarizer.batch.batchapi.exchange import with_api
from summarizer.batch.cache import open_cache
from summarizer.cli._common import archive_options, fields, say, settings, settings_options
from summarizer.errors import ConfigError
from summarizer.sources.archive import Format

if TYPE_CHECKING:
    from summarizer.llm import BatchEndpoint

__all__ = ["batchapi_group"]


@click.group("batchapi")
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


def _request_file_options(func: Any) -> Any:
    """The archive, the output and the request-file limits: shared by write and submit."""
    options: list[Callable[[Any], Any]] = [
        click.argument("archive", metavar="INPUT"),
        click.option(
            "-o", "--output", required=True, help="The output file the run will collect to."
        ),
        archive_options,
        settings_options,
        click.option(
            "--max-requests", type=int, default=50_000, show_default=True, help="Per file."
        ),
        click.option("--max-bytes", type=int, default=200 * 1024 * 1024, show_default=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@batchapi_group.command("write")
@_request_file_options
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
    archive_fields = fields(flags)
    run_settings = settings(**flags)
    cache = open_cache(run_settings.resolved_cache_path(), enabled=not no_cache, create=False)
    try:
        return batchjob.write_requests(
            archive,
            output,
            settings=run_settings,
            format=archive_format,
            fields=archive_fields,
            cache=cache,
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
    finally:
        cache.close()


@batchapi_group.command("submit")
@_request_file_options
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
    api_settings = settings(**{k: flags.get(k) for k in ("base_url", "model")})
    with_api(api_settings, lambda api: batchjob.submit(job, api, notify=say))


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
    infos = with_api(settings(base_url=base_url), lambda api: batchjob.status(job, api))
    if not infos:
        say(f"{output}: no batch submitted yet (`summarizer batchapi submit`).")
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
    run_settings = settings(base_url=base_url, cache_path=cache_path)
    if not from_files and any(part.batch_id is None for part in job.parts):
        raise ConfigError(
            f"{output}: the requests were written but not submitted. Run `summarizer batchapi "
            "submit`, or pass the results of vLLM's run_batch with --from-file."
        )
    if not from_files:

        def fetch(api: BatchEndpoint) -> Awaitable[bool]:
            return batchjob.download(job, api, wait=wait, interval=poll_interval, notify=say)

        if not with_api(run_settings, fetch):
            say("not every batch has finished: collect again later, or pass --wait")
            return
    cache_settings = job.run_settings(run_settings)
    cache = open_cache(cache_settings.resolved_cache_path(), enabled=not no_cache)
    try:
        totals = asyncio.run(
            batchjob.collect(
                job,
                settings=run_settings,
                results=list(from_files) or None,
                cache=cache,
                retry_online=not no_retry_online,
                notify=say,
            )
        )
    finally:
        cache.close()
    if not quiet:
        say(totals.summary())
