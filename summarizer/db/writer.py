"""Write a running batch's results into the archive database without holding the batch up.

A thread of its own takes the output lines as they complete and writes them in chunks, one
transaction each, so the batch's event loop only hands a line over. Nothing is lost if the run
dies: the output file is the record, and the next ``batch --db`` over it first imports the
lines the database lacks (``catch_up``) and gives them their articles' text as the archive is
read again (``fill``).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from summarizer.db.load import (
    ArticleRows,
    Filling,
    fill_articles,
    import_lines,
    prepare,
    resolve_actors,
    write_rows,
)
from summarizer.db.schema import open_archive
from summarizer.errors import InputError
from summarizer.schema import Article

__all__ = ["ArchiveWriter"]

CHUNK = 200
"""Most results per transaction."""
LINGER = 0.5
"""Seconds a transaction waits for more results after the first."""


@dataclass(frozen=True, slots=True)
class _Line:
    line: str
    article: Article | None
    extra: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class _Fill:
    record_id: str
    article: Article
    extra: Mapping[str, Any] | None


class ArchiveWriter:
    """Hands batch results to a writer thread; ``close()`` waits for it and resolves actors.

    Args:
        path: The archive database (created if missing).
        source: The output file, recorded as where each article came from.

    Raises:
        InputError: The database cannot be opened (raised here, before the run starts).
    """

    def __init__(self, path: str | os.PathLike[str], *, source: str) -> None:
        self.path = os.fspath(path)
        self.source = source
        open_archive(self.path).close()  # fail in the caller's thread, before the run
        self._queue: queue.Queue[_Line | _Fill | None] = queue.Queue(maxsize=4 * CHUNK)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    def catch_up(self, lines: Iterable[str]) -> None:
        """Import the output lines of an earlier run that the database lacks; call before
        ``start``."""
        db = open_archive(self.path)
        try:
            import_lines(db, lines, source=self.source, missing_only=True)
        finally:
            db.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="summarizer-db", daemon=True)
        self._thread.start()

    def add(
        self, line: str, article: Article | None, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Queue one output line, its article and the record's mapped extra fields (blocks
        only when the writer is far behind)."""
        self._queue.put(_Line(line, article, extra))

    def fill(
        self, record_id: str, article: Article, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Queue an article whose result an earlier run wrote: its text and extra fields go
        in if the database holds the result without its text."""
        self._queue.put(_Fill(record_id, article, extra))

    def close(self) -> None:
        """Write what is queued, resolve actors across the archive, stop the thread.

        Raises:
            InputError: Writing failed; the batch output is complete all the same, and
                ``summarizer db import`` can load it.
        """
        if self._thread is not None:
            self._queue.put(None)
            self._closing.set()
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise InputError(
                f"could not write the archive database ({self._error}); the output file is "
                f"complete: load it with `summarizer db import {self.source} --db {self.path}`.",
                source=self.path,
            ) from self._error

    def _run(self) -> None:
        db = open_archive(self.path)
        try:
            while self._write_chunk(db):
                pass
            resolve_actors(db)
        except Exception as exc:  # reported by close(); the batch itself goes on
            self._error = exc
            while self._queue.get() is not None:  # keep add() from blocking
                pass
        finally:
            db.close()

    def _write_chunk(self, db: Database) -> bool:
        """Write what is queued (at least one item, at most CHUNK); False after the last."""
        items = [self._queue.get()]
        if items[-1] is not None and self._queue.qsize() < CHUNK:
            # Let a chunk gather: a transaction per result costs more than its rows. One
            # wait per chunk, not per line: a thread woken for every line costs the batch
            # a switch of the GIL each time. close() ends the wait at once.
            self._closing.wait(LINGER)
        while items[-1] is not None and len(items) < CHUNK:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        rows: list[ArticleRows] = []
        fills: list[Filling] = []
        for item in items:
            if isinstance(item, _Line):
                rows.append(
                    prepare(item.line, article=item.article, source=self.source, extra=item.extra)
                )
            elif isinstance(item, _Fill):
                fills.append((item.record_id, item.article, item.extra))
        write_rows(db, rows)
        if fills:
            fill_articles(db, fills, only_missing=True)
        return items[-1] is not None
