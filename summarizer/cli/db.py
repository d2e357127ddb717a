"""summarizer db / search / actors / actor: the archive as a database, from the terminal."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from summarizer.batch.results import open_lines
from summarizer.cli._common import fields, say

__all__ = ["actor_cmd", "actors_cmd", "db_group", "search_cmd"]

_db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The archive database (SQLite).",
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text for people, json or csv for scripts.",
)


@click.group("db")
def db_group() -> None:
    """Build and browse the archive database.

    \b
    Example:
      summarizer db import out.jsonl --archive archive.jsonl --db archive.db
    """


@db_group.command("import")
@click.argument("results", nargs=-1, required=True, metavar="RESULTS.jsonl...")
@_db_option
@click.option(
    "--archive",
    type=click.Path(path_type=Path),
    help="The batch's input archive: adds each article's text, date, source and URL.",
)
@click.option("--id-field", default="id", show_default=True, help="Archive field with the id.")
@click.option("--text-field", multiple=True, help="Archive field with the text (repeatable).")
@click.option("--title-field", default="title", show_default=True)
@click.option("--date-field", default="date", show_default=True)
@click.option("--url-field", default="url", show_default=True)
@click.option("--source-field", default="source", show_default=True)
@click.option(
    "--extra-field",
    "extra_fields",
    multiple=True,
    help="With --archive: also keep this archive field in the articles table, as a column of "
    "its own to filter and facet on (repeatable), e.g. --extra-field section.",
)
def import_cmd(
    results: Sequence[str],
    db_path: Path,
    archive: Path | None,
    extra_fields: tuple[str, ...],
    **field_names: Any,
) -> None:
    """Load batch outputs (online or Batch API) into the database; safe to run again.

    Each article is keyed on its record id and text hash, so importing the same output twice,
    or an output that grew since, never duplicates a row.

    \b
    Example:
      summarizer db import out.jsonl --archive archive.jsonl --db archive.db
      summarizer search "troops Ukraine" --db archive.db
    """
    from summarizer.db import check_extra_fields, fill_articles, import_lines, open_archive
    from summarizer.sources.archive import iter_records

    if extra_fields and archive is None:
        raise click.UsageError("--extra-field names fields of the archive: add --archive INPUT.")
    check_extra_fields(extra_fields)
    db = open_archive(db_path)
    for path in results:
        with open_lines(path) as lines:
            stats = import_lines(db, lines, source="<stdin>" if path == "-" else path)
        say(f"{path}: {stats.summary()}")
    if archive is not None:
        records = iter_records(archive, fields=fields(field_names, extra=extra_fields))
        filled = fill_articles(db, ((r.id, r.article, r.extra) for r in records if r.article))
        say(f"{archive}: text and metadata for {filled} articles")
    say(f"wrote {db_path}")


@db_group.command("reindex")
@_db_option
def reindex_cmd(db_path: Path) -> None:
    """Rebuild the full-text indexes from the tables.

    summarizer keeps them in step as it writes; run this after editing the tables with
    other tools (sqlite-utils, Datasette plugins, SQL).

    \b
    Example:
      summarizer db reindex --db archive.db
    """
    from summarizer.db import open_archive
    from summarizer.db.schema import rebuild_fts

    db = open_archive(db_path, create=False)
    rebuild_fts(db)
    say(f"rebuilt the full-text indexes of {db_path}")


@db_group.command("optimize")
@_db_option
def optimize_cmd(db_path: Path) -> None:
    """Compact the database and refresh its statistics, after large imports or many re-runs.

    Merges each full-text index into one segment, gathers the statistics SQLite's query
    planner uses (ANALYZE) and rewrites the file without free pages (VACUUM: it needs free
    disk space about the database's size, and no other program writing to it meanwhile).

    \b
    Example:
      summarizer db optimize --db archive.db
    """
    from summarizer.db import open_archive
    from summarizer.db.schema import optimize

    before, after = optimize(open_archive(db_path, create=False))
    say(
        f"optimized {db_path}: {before / 1e6:,.1f} MB -> {after / 1e6:,.1f} MB (full-text "
        "indexes merged, planner statistics gathered, free pages dropped)"
    )


@db_group.command("report")
@_db_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder to write the pages into.",
)
@click.option("--title", default="Summary archive", show_default=True, help="Page heading.")
@click.option("--page-size", default=500, show_default=True, help="Articles per page.")
@click.option(
    "--min-articles",
    default=1,
    show_default=True,
    help="Actors in fewer articles get no page of their own (for very large archives).",
)
def report_cmd(db_path: Path, output: Path, title: str, page_size: int, min_articles: int) -> None:
    """Write the archive report from the database: articles by date with their source and
    link, an actor index sorted by surname, and a page per actor with their stance per
    article over time. Static pages; they open offline.

    \b
    Example:
      summarizer db report --db archive.db -o archive-site/   # then open archive-site/index.html
    """
    from summarizer.db import open_archive
    from summarizer.views.site import write_site

    if page_size < 1:
        raise click.BadParameter("must be at least 1.", param_hint="--page-size")
    db = open_archive(db_path, create=False)
    stats = write_site(db, output, title=title, page_size=page_size, min_articles=min_articles)
    say(
        f"wrote {output}/index.html: {stats.articles} articles on {stats.article_pages} pages, "
        f"{stats.actor_pages} actor pages"
    )


@db_group.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--title", default="Summary archive", show_default=True, help="Site heading.")
@click.option(
    "--metadata-only",
    is_flag=True,
    help="Write the Datasette metadata next to the database and stop, for your own setup.",
)
def serve_cmd(db_path: Path, host: str, port: int, title: str, metadata_only: bool) -> None:
    """Browse the archive in Datasette: facets on stance, actor, source and date, full-text
    search, canned queries "quotes by actor" and "stance over time".

    Needs the extra: pip install "summarizer[datasette]". The metadata goes to
    DB.datasette.json beside the database.

    \b
    Example:
      summarizer db serve --db archive.db     # then open http://127.0.0.1:8001
    """
    import importlib.util
    import os
    import sys

    from summarizer.db import open_archive
    from summarizer.db.browse import datasette_metadata
    from summarizer.db.schema import extra_columns
    from summarizer.errors import ConfigError

    db = open_archive(db_path, create=False)
    extra = extra_columns(db)
    db.close()
    metadata = db_path.with_name(db_path.name + ".datasette.json")
    content = datasette_metadata(db_path.stem, title=title, extra=extra)
    metadata.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8")
    say(f"wrote {metadata}")
    if metadata_only:
        return
    if importlib.util.find_spec("datasette") is None:
        raise ConfigError(
            'Datasette is not installed; pip install "summarizer[datasette]", or use '
            "--metadata-only and your own Datasette."
        )
    command = [sys.executable, "-m", "datasette", "serve", str(db_path)]
    command += ["--metadata", str(metadata), "--host", host, "--port", str(port)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # Datasette takes over this process and its signals


@click.command("search")
@click.argument("query")
@_db_option
@click.option("--actor", help="Only what this actor said or stood for.")
@click.option("--stance", help="Only positions with this stance (supports, opposes, ...).")
@click.option("--since", help="Only articles dated on or after this (YYYY-MM-DD).")
@click.option("--until", help="Only articles dated on or before this (YYYY-MM-DD).")
@click.option("--source", help="Only articles from this outlet.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["quote", "position", "article"]),
    help="What to search (repeatable). [default: all three]",
)
@click.option("--limit", default=20, show_default=True, help="Most hits.")
@_format_option
def search_cmd(query: str, db_path: Path, kinds: tuple[str, ...], fmt: str, **filters: Any) -> None:
    """Full-text search over quotes, positions and articles, best first.

    Every word must occur (case and accents ignored; end a word with * for a prefix).

    \b
    Example:
      summarizer search "troops Ukraine" --db archive.db --actor Scholz --since 2025-03-01
    """
    from summarizer.db import open_archive, search

    db = open_archive(db_path, create=False)
    hits = search(db, query, kinds=kinds or ("quote", "position", "article"), **filters)
    if fmt != "text":
        _emit(fmt, [dataclasses.asdict(h) for h in hits])
        return
    for hit in hits:
        where = " · ".join(x for x in (hit.date, hit.source, hit.title) if x)
        who = f"{hit.actor} ({hit.stance})" if hit.actor else "article"
        click.echo(f"{hit.kind:8} {who} — {where or hit.article}")
        click.echo(f"         {' '.join(hit.snippet.split())}")
        if hit.url:
            click.echo(f"         {hit.url}")
    if not hits:
        say(f"no matches for {query!r}")


@click.command("actors")
@_db_option
@click.option("--limit", type=int, help="Most actors.")
@click.option("--min-articles", default=1, show_default=True, help="Leave out rarer actors.")
@_format_option
def actors_cmd(db_path: Path, limit: int | None, min_articles: int, fmt: str) -> None:
    """The actor index: articles, quotes, stances, first and last seen.

    \b
    Example:
      summarizer actors --db archive.db --limit 20
    """
    from summarizer.db import actors, open_archive

    rows = actors(open_archive(db_path, create=False), limit=limit, min_articles=min_articles)
    if fmt != "text":
        _emit(fmt, [dataclasses.asdict(r) for r in rows])
        return
    for row in rows:
        stances = ", ".join(f"{k} {v}" for k, v in sorted(row.stances.items()))
        seen = f"{row.first_seen or '?'} – {row.last_seen or '?'}"
        click.echo(
            f"{row.name:32} {row.articles:5} articles {row.quotes:5} quotes  {seen:23}  {stances}"
        )


@click.command("actor")
@click.argument("name")
@_db_option
@_format_option
def actor_cmd(name: str, db_path: Path, fmt: str) -> None:
    """One actor's timeline: date, outlet, stance, position, quotes, links.

    \b
    Example:
      summarizer actor "Olaf Scholz" --db archive.db
    """
    from summarizer.db import actor_timeline, open_archive

    summary, entries = actor_timeline(open_archive(db_path, create=False), name)
    if fmt != "text":
        rows = [dataclasses.asdict(e) for e in entries]
        _emit(
            fmt, rows if fmt == "csv" else {"actor": dataclasses.asdict(summary), "timeline": rows}
        )
        return
    click.echo(f"{summary.name} · {summary.articles} articles, {summary.quotes} quotes")
    for entry in entries:
        click.echo("")
        where = " · ".join(x for x in (entry.date or "undated", entry.source, entry.title) if x)
        click.echo(f"{where}\n  {entry.stance or '–'}: {entry.position or ''}".rstrip())
        for quote in entry.quotes:
            click.echo(f"  “{quote}”")
        if entry.url:
            click.echo(f"  {entry.url}")


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Lists and dicts as JSON text, for CSV cells."""
    return {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
        for k, v in row.items()
    }


def _emit(fmt: str, rows: Any) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(_csv(rows), nl=False)


def _csv(items: Iterable[dict[str, Any]]) -> str:
    rows = [_flat(item) for item in items]
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()
