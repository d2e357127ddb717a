"""summarizer report: one HTML page over a batch output file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.cli._common import write_file

if TYPE_CHECKING:
    from summarizer.views.html import Record

__all__ = ["report_cmd"]


@click.command("report")
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
    from summarizer.batch.results import open_lines
    from summarizer.views import html as report

    source = "<stdin>" if results == "-" else results
    counts = {"articles": 0}

    def counted(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            counts["articles"] += 1
            yield record

    with open_lines(results) as lines:
        records = report.load_results(lines, source=source)
        write_file(output, report.iter_archive_report(counted(records), title=title))
    if not counts["articles"]:
        click.echo(f"warning: {source} holds no results; the report is empty.", err=True)
