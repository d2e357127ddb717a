"""What the commands share: the settings options, archive options, output, injection."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer._secrets import scrub

if TYPE_CHECKING:  # every command imports this module: what it names it loads when used
    from summarizer.config import Settings
    from summarizer.llm import ChatModel, StreamProgress
    from summarizer.sources.archive import Fields

__all__ = [
    "Injected",
    "archive_options",
    "encoding_option",
    "fields",
    "injected",
    "live_status",
    "prompts_option",
    "refuse_unwritable",
    "say",
    "settings",
    "settings_options",
    "write",
    "write_file",
]


@dataclass(frozen=True)
class Injected:
    """Collaborators handed to the commands instead of the defaults, as click's context
    object: ``cli.main(obj=Injected(client=FakeLLM()))`` (``CliRunner.invoke(..., obj=...)``
    in tests). ``summarizer`` itself passes nothing, and the pipeline builds its own client.
    """

    client: ChatModel | None = None


def injected(ctx: click.Context) -> Injected:
    """The context's Injected, or the defaults."""
    obj = ctx.find_object(Injected)
    return obj if obj is not None else Injected()


def settings_options(func: Any) -> Any:
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


encoding_option = click.option(
    "--encoding",
    help="The input's text encoding (e.g. cp1252, latin-1); by default a declared charset or "
    "UTF-8, else a guess that is reported on stderr.",
)

prompts_option = click.option(
    "--prompts",
    "prompts_dir",
    type=click.Path(path_type=Path),
    help="Folder of house-style templates (SUMMARIZER_PROMPTS_DIR).",
)


def archive_options(func: Any) -> Any:
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


def settings(**flags: Any) -> Settings:
    """The command's settings; the CLI remembers endpoints that reject json_schema (in the
    user's cache folder) so each run against a local server skips the failed probe."""
    from summarizer.config import Settings

    loaded = Settings.load(**flags)
    if loaded.endpoint_memory is None:
        memory = loaded.resolved_cache_path().parent / "endpoints.json"
        loaded = loaded.model_copy(update={"endpoint_memory": memory})
    return loaded


def fields(flags: dict[str, Any], *, extra: tuple[str, ...] = ()) -> Fields:
    """Take the archive field flags out of ``flags`` (the rest are settings); ``extra``: the
    fields to carry into the archive database as they are."""
    from summarizer.sources.archive import Fields

    names = {name: flags.pop(f"{name}_field") for name in ("id", "title", "date", "url", "source")}
    text = flags.pop("text_field")
    if text:
        return Fields(**names, text=tuple(text), extra=extra)
    return Fields(**names, extra=extra)


def say(message: str) -> None:
    """A note on stderr; a batch's notes quote the provider, who may quote the key."""
    click.echo(scrub(message), err=True)


def write(text: str, output: Path | None) -> None:
    """TEXT to stdout, or to OUTPUT."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_file(output, [text])


def write_file(output: Path, pieces: Iterable[str]) -> None:
    """Write pieces to OUTPUT all or nothing (``outputs.write_atomic``), and say so."""
    from summarizer.batch.results import write_atomic

    write_atomic(output, pieces)
    say(f"wrote {output}")


@contextlib.contextmanager
def live_status(*, enabled: bool) -> Iterator[None]:
    """While the model writes, one live line on a terminal's stderr: model, seconds waited,
    tokens so far. Nothing on a pipe or a file, so logs and scripts see no control codes."""
    if not enabled:
        yield
        return
    from rich.console import Console

    from summarizer.llm import watch_streams

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    started = time.monotonic()
    with console.status("waiting for the model…") as status:

        def show(progress: StreamProgress) -> None:
            waited = time.monotonic() - started
            status.update(f"{progress.model} · {waited:.0f} s · {progress.chunks} tokens")

        with watch_streams(show):
            yield


def refuse_unwritable(output: Path) -> None:
    """Fail on an impossible -o before the (paid, slow) model calls, not after them."""
    from summarizer.batch.results import write_atomic

    if output.is_dir() or not output.parent.is_dir():
        write_atomic(output, [])  # raises the one-line InputError for this path; writes nothing
