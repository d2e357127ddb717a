"""summarizer templates: list, show and copy the prompt templates."""

from __future__ import annotations

import json
from pathlib import Path

import click

from summarizer.cli._common import prompts_option, settings
from summarizer.errors import TemplateError
from summarizer.templates import Templates, copy_defaults, existing_templates

__all__ = ["templates_group"]


def _templates(prompts_dir: Path | None) -> Templates:
    return Templates(settings(prompts_dir=prompts_dir).prompts_dir)


@click.group("templates")
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
@prompts_option
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
@prompts_option
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
@prompts_option
def templates_init(directory: Path | None, force: bool, prompts_dir: Path | None) -> None:
    """Copy the default templates into DIRECTORY (default: --prompts) to edit them.

    Delete the copies you do not change: the defaults fill in, and keep improving.

    \b
    Examples:
      summarizer templates init house-style
      summarizer render story.txt --prompts house-style
    """
    folder = directory or settings(prompts_dir=prompts_dir).prompts_dir
    if folder is None:
        raise click.UsageError("Name the folder: summarizer templates init DIRECTORY.")
    existing = existing_templates(folder)
    if existing and not force:  # the library's message speaks Python (force=True)
        raise TemplateError(
            f"{folder}: already has {', '.join(existing)}; edit them there, choose another "
            "folder, or pass --force to replace them with the defaults.",
            template=str(folder / existing[0]),
        )
    for path in copy_defaults(folder, force=force):
        click.echo(path)
    click.echo(
        f"Edit them, then pass --prompts {folder} (or set SUMMARIZER_PROMPTS_DIR).", err=True
    )
