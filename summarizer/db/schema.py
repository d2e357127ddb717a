"""The archive database's tables, indexes and full-text search, and opening it safely.

```
articles    one row per article: metadata from the archive, issue, summary, provenance
actors      one row per real-world actor across the archive (see identity.py)
positions   article × actor: role, stance, position, evidence
quotes      a position's direct quotes: text, offsets, verified, engine speaker, verdict
statements  a position's reported speech, with offsets
meta        schema_version, and whether actors need resolving after new imports
unresolved  the surnames whose people were written since actors were last resolved
```

Full-text search (FTS5, ``unicode61 remove_diacritics 2``) covers article titles and text,
quotes, and positions. The writer keeps it in step in the same transaction as the rows
(``load.py``), one ``INSERT … SELECT`` per table and chunk: per-row triggers cost more than the
rest of the write together. A database edited by other tools can be re-indexed with
``summarizer db reindex`` (FTS5's ``rebuild``); ``summarizer db optimize`` compacts it
(``optimize``).

The actor timeline reads one actor's positions, their articles' date, outlet, title and link,
and their quotes: up to hundreds of rows scattered over the whole file. Three covering indexes
(``TIMELINE``) hold just those columns, in that order, so the timeline reads a few contiguous
pages of small indexes instead of a page of each table per row, most of them not in any cache
yet at 100,000 articles (see README, "Measured").

Schema versions: 1 kept the full-text index by triggers; 2 drops them; 3 adds the timeline's
covering indexes in place of the plain ones on ``positions.actor`` and ``quotes.position``;
4 adds ``unresolved``, so actors are resolved for the surnames a write touched, not over the
whole archive each time (``_migrate``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from summarizer._sqlite import use_wal
from summarizer.errors import InputError

__all__ = [
    "FTS",
    "SCHEMA_VERSION",
    "TABLES",
    "extra_columns",
    "open_archive",
    "optimize",
    "rebuild_fts",
]

SCHEMA_VERSION = 4
TOKENIZE = "unicode61 remove_diacritics 2"

TABLES: dict[str, dict[str, type]] = {  # column order is the tables' column order
    "articles": {
        "key": str,
        "id": str,
        "record": int,
        "title": str,
        "url": str,
        "source": str,
        "date": str,
        "language": str,
        "text": str,
        "ok": int,
        "issue": str,
        "summary": str,
        "error": str,
        "message": str,
        "engine": str,
        "model": str,
        "article_sha256": str,
        "template_sha256": str,
        "created_at": str,
        "provenance": str,
        "missed_actors": str,
        "imported_from": str,
    },
    "actors": {"id": str, "name": str, "kind": str},
    "positions": {
        "id": str,
        "article": str,
        "actor": str,
        "actor_key": str,
        "actor_name": str,
        "kind": str,
        "role": str,
        "stance": str,
        "position": str,
        "evidence": str,
        "supported": int,
        "origin": str,
    },
    "quotes": {
        "id": str,
        "position": str,
        "article": str,
        "quote_id": str,
        "text": str,
        "start": int,
        "end": int,
        "verified": int,
        "speaker": str,
        "attribution": str,
        "origin": str,
    },
    "statements": {
        "id": str,
        "position": str,
        "article": str,
        "statement_id": str,
        "text": str,
        "start": int,
        "end": int,
    },
}
_FOREIGN_KEYS = {
    "positions": [("article", "articles", "key"), ("actor", "actors", "id")],
    "quotes": [("position", "positions", "id"), ("article", "articles", "key")],
    "statements": [("position", "positions", "id"), ("article", "articles", "key")],
}
_INDEXES = {
    "articles": [["id"], ["date"], ["source"]],
    "positions": [["article"], ["actor_key"], ["stance"]],
    "quotes": [["article"]],
    "statements": [["position"], ["article"]],
}
TIMELINE: dict[str, tuple[str, list[str]]] = {
    "timeline_positions": (
        "positions",
        ["actor", "article", "id", "role", "stance", "position"],
    ),
    "timeline_articles": ("articles", ["key", "date", "source", "title", "url"]),
    "timeline_quotes": ("quotes", ["position", "text"]),
}
"""The actor timeline's covering indexes (name: table, columns); they also serve every lookup
by ``positions.actor`` and ``quotes.position``."""
FTS: dict[str, tuple[str, ...]] = {
    "articles": ("title", "text"),
    "quotes": ("text",),
    "positions": ("actor_name", "role", "position"),
}
"""The full-text indexed columns of each table; its index is the table ``<name>_fts``."""


_BUSY_TIMEOUT = 30.0
"""Seconds a connection waits for another process's write lock before failing."""

_PRAGMAS = (
    "foreign_keys = ON",
    # WAL with NORMAL: a commit is not synced until the next checkpoint, so a power cut
    # (never a killed process) may lose the last transactions, and the database stays
    # consistent. The output file is the record: the next run or `db import` over it adds
    # what the database lacks, keyed so nothing is written twice.
    "synchronous = NORMAL",
    # A writer's transaction (hundreds of articles) dirties megabytes of pages: in SQLite's
    # default 2 MB cache they spill to the log before the commit, and index pages are read
    # again and again. Up to 64 MB, taken as pages are used.
    "cache_size = -65536",
    # Copy the log into the database every ~40 MB, not every 4 MB: a page rewritten by many
    # transactions (an index's) is copied once per checkpoint.
    "wal_autocheckpoint = 10000",
)
"""Set on every connection ``open_archive`` makes (see README, "Measured")."""


def open_archive(path: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (and with ``create``, make) an archive database: WAL, foreign keys on, a larger
    page cache (``_PRAGMAS``).

    Raises:
        InputError: The file is not a summarizer database, is from a newer version, or
            (without ``create``) does not exist.
    """
    where = os.fspath(path)
    if not create and not Path(where).is_file():
        raise InputError(
            "no such database; build one with `summarizer db import OUT.jsonl --db FILE` "
            "or `summarizer batch ... --db FILE`.",
            source=where,
        )
    try:
        # Another process (a batch with --db, a `db import`) may hold the write lock.
        db = Database(sqlite3.connect(where, timeout=_BUSY_TIMEOUT))
        for pragma in _PRAGMAS:
            db.execute(f"PRAGMA {pragma}")
        use_wal(db.conn, timeout=_BUSY_TIMEOUT)
        version = _version(db)
        if version is None:
            _create(db, where)
        elif version < SCHEMA_VERSION:
            _migrate(db, version)
        elif version > SCHEMA_VERSION:
            raise InputError(
                f"made by a newer summarizer (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade summarizer.",
                source=where,
            )
    except sqlite3.DatabaseError as exc:
        raise InputError(
            f"not a summarizer database ({exc}); name another file with --db.", source=where
        ) from exc
    return db


def extra_columns(db: Database) -> list[str]:
    """The articles table's columns for archive fields the user mapped (``--extra-field``)."""
    return [c for c in db.table("articles").columns_dict if c not in TABLES["articles"]]


def _version(db: Database) -> int | None:
    if not db.table("meta").exists():
        if db.table_names():
            raise sqlite3.DatabaseError("it has tables but no summarizer schema")
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def _create(db: Database, where: str) -> None:
    with db.atomic():
        db.table("meta").create({"key": str, "value": str}, pk="key")
        for name, columns in TABLES.items():
            pk = "key" if name == "articles" else "id"
            db.table(name).create(columns, pk=pk, foreign_keys=_FOREIGN_KEYS.get(name, []))
        for name, indexes in _INDEXES.items():
            for index in indexes:
                db.table(name).create_index(index, if_not_exists=True)
        _timeline_indexes(db)
        _unresolved(db)
        db.table("meta").insert_all(
            [
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                {"key": "actors_resolved", "value": "1"},
            ]
        )
    for name, searched in FTS.items():
        db.table(name).enable_fts(list(searched), tokenize=TOKENIZE)
    _views(db)


def _migrate(db: Database, version: int) -> None:
    """Bring an older archive to this schema, in one transaction."""
    with db.atomic():
        if version < 2:  # the full-text index was kept by triggers: the writer keeps it now
            for table in FTS:
                for suffix in ("ai", "ad", "au"):
                    db.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}"')
        if version < 3:  # the timeline's covering indexes replace two plain ones
            db.execute('DROP INDEX IF EXISTS "idx_positions_actor"')
            db.execute('DROP INDEX IF EXISTS "idx_quotes_position"')
            _timeline_indexes(db)
        if version < 4:  # actors are resolved for the surnames written since, not all
            _unresolved(db)
            db.execute(
                "INSERT INTO unresolved (surname) SELECT DISTINCT actor_key FROM positions "
                "WHERE instr(actor_key, ' ') = 0 AND (SELECT value FROM meta "
                "WHERE key = 'actors_resolved') = '0'"
            )
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def _unresolved(db: Database) -> None:
    db.table("unresolved").create({"surname": str}, pk="surname", if_not_exists=True)


def _timeline_indexes(db: Database) -> None:
    for index, (table, columns) in TIMELINE.items():
        db.table(table).create_index(columns, index_name=index, if_not_exists=True)


def rebuild_fts(db: Database) -> None:
    """Rebuild the full-text indexes from the tables, for a database edited by other tools."""
    with db.atomic():
        for table in FTS:
            db.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")


def optimize(db: Database) -> tuple[int, int]:
    """Compact the archive and refresh the query planner's statistics, after large imports
    or many re-runs: each full-text index merged into one segment (FTS5 ``optimize``), the
    statistics of ``ANALYZE``, and the file rewritten without free pages, each table and
    index in order (``VACUUM``: it needs free disk space about the database's size).

    Returns:
        The database's size on disk, its write-ahead log included, before and after (bytes).
    """
    path = db.execute("PRAGMA database_list").fetchone()[2]
    before = _size(path)
    with db.atomic():
        for table in FTS:
            db.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')")
    db.analyze()
    db.vacuum()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return before, _size(path)


def _size(path: str) -> int:
    files = (Path(path), Path(path + "-wal"))
    return sum(file.stat().st_size for file in files if file.is_file())


def _views(db: Database) -> None:
    """Views that read like the questions: each quote with who said it, where and when."""
    db.create_view(
        "quotes_view",
        """
        SELECT quotes.id, actors.name AS actor, positions.stance, quotes.text,
               quotes.verified, quotes.attribution, articles.date, articles.source,
               articles.title, articles.url, articles.key AS article
        FROM quotes
        JOIN positions ON positions.id = quotes.position
        JOIN actors ON actors.id = positions.actor
        JOIN articles ON articles.key = quotes.article
        """,
        ignore=True,
    )
    db.create_view(
        "positions_view",
        """
        SELECT positions.id, actors.name AS actor, positions.role, positions.stance,
               positions.position, articles.date, articles.source, articles.title,
               articles.url, articles.issue, articles.key AS article
        FROM positions
        JOIN actors ON actors.id = positions.actor
        JOIN articles ON articles.key = positions.article
        """,
        ignore=True,
    )
