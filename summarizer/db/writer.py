"""Write a running batch's results into the archive database without holding the batch up.

The writing happens in a process of its own (a fresh interpreter, see ``start``):
parsing each output line, building its rows and SQLite's inserts cost about a third of a
millisecond a result, and in a thread of the batch's process that work held Python's GIL
against the batch's event loop (README, "Measured"). The batch's process keeps one thread
that gathers the lines into chunks (half a second's results, at most ``CHUNK``) and sends
each chunk down a pipe; the writer process writes a chunk in one transaction. ``close()``
sends the end, and the writer resolves actors and answers with its error, if any.

Nothing is lost if the run dies: the output file is the record, and the next ``batch --db``
over it first imports the lines the database lacks (``catch_up``) and gives them their
articles' text as the archive is read again (``fill``). If the batch's process is killed,
the writer process sees its pipe close and stops; a chunk it was writing is committed
whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from summarizer.db.load import (
    ArticleFields,
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

if TYPE_CHECKING:  # the writer process never imports pydantic: a tenth of its start-up
    from sqlite_utils import Database

    from summarizer.schema import Article

__all__ = ["ArchiveWriter"]

CHUNK = 200
"""Most results per transaction."""
LINGER = 0.5
"""Seconds a chunk waits for more results after the first."""


Item = tuple[str, str, ArticleFields | None, Mapping[str, Any] | None]
"""What goes down the pipe for one result: ``("line", output line, article fields, extra
fields)``, or for ``fill``: ``("fill", record id, article fields, extra fields)``."""


class WriterFailed(RuntimeError):
    """The writer process's error: ``summary`` for the user, its traceback as the message
    (chained to the ``InputError`` that ``close()`` raises)."""

    def __init__(self, summary: str, detail: str | None = None) -> None:
        super().__init__(detail or summary)
        self.summary = summary


class ArchiveWriter:
    """Hands batch results to a writer process; ``close()`` waits for it and resolves actors.

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
        # A deque, not a queue.Queue: appending takes no lock and wakes no thread, so a
        # result costs the batch an append; the feeder looks every LINGER seconds.
        self._pending: deque[Item | None] = deque()
        self._error: WriterFailed | None = None
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
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
        """Start the writer process and the thread that feeds it. The batch need not wait
        for the process to be ready: results queue up meanwhile.

        Raises:
            InputError: The process cannot be started (before the run).
        """
        # A fresh interpreter, run from the folder this summarizer was imported from: no
        # fork of a process with threads, and unlike multiprocessing's "spawn", no second
        # run of the caller's main script (a script without a __main__ guard ran its batch
        # again in the child).
        root = str(Path(__file__).resolve().parents[2])
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _START, root, self.path, self.source],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                start_new_session=True,  # Ctrl-C in a terminal is the batch's to handle
            )
        except OSError as exc:
            raise InputError(
                f"could not start the archive writer ({sys.executable!r}: {exc.strerror}); "
                "run the batch without --db and load its output with `summarizer db import`.",
                source=self.path,
            ) from exc
        self._process = process
        pipes = (cast(IO[bytes], process.stdin), cast(IO[bytes], process.stdout))  # PIPE: set
        self._thread = threading.Thread(
            target=self._feed, args=(process, *pipes), name="summarizer-db", daemon=True
        )
        self._thread.start()

    def add(
        self, line: str, article: Article | None, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Queue one output line, its article and the record's mapped extra fields (blocks
        only when the writer is far behind)."""
        self._put(("line", line, _fields(article), extra))

    def fill(
        self, record_id: str, article: Article, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Queue an article whose result an earlier run wrote: its text and extra fields go
        in if the database holds the result without its text."""
        self._put(("fill", record_id, _fields(article), extra))

    def _put(self, item: Item | None) -> None:
        while len(self._pending) >= 4 * CHUNK:  # the writer is far behind: let it catch up
            time.sleep(0.01)
        self._pending.append(item)

    def close(self) -> None:
        """Write what is queued, resolve actors across the archive, stop the writer.

        Raises:
            InputError: Writing failed; the batch output is complete all the same, and
                ``summarizer db import`` can load it.
        """
        if self._thread is not None:
            self._pending.append(None)
            self._closing.set()
            self._thread.join()
            self._thread = None
        if self._process is not None:
            self._process.wait()
            self._process = None
        if self._error is not None:
            raise InputError(
                f"could not write the archive database ({self._error.summary}); the output "
                f"file is complete: load it with "
                f"`summarizer db import {self.source} --db {self.path}`.",
                source=self.path,
            ) from self._error

    def _feed(self, process: subprocess.Popen[bytes], pipe: IO[bytes], answers: IO[bytes]) -> None:
        """Send the queued results to the writer in chunks, then the end; take its answer."""
        ended = False
        try:
            while not ended:
                chunk = self._chunk()
                ended = chunk[-1] is None
                pickle.dump(chunk, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.flush()
            pipe.close()
            failure = pickle.load(answers)
            if failure is not None:
                self._error = WriterFailed(*failure)
        except (OSError, EOFError, pickle.UnpicklingError):  # the writer died (killed, ...)
            self._error = WriterFailed(f"the writer process stopped (exit code {process.wait()})")
            while not ended:  # keep add() from blocking
                while not self._pending:
                    self._closing.wait(LINGER)
                ended = self._pending.popleft() is None
        finally:
            for end in (pipe, answers):
                with contextlib.suppress(OSError):  # a pipe to a dead writer: nothing to flush
                    end.close()

    def _chunk(self) -> list[Item | None]:
        """What is queued (at least one item, at most CHUNK); ``None`` last after the end."""
        # Let a chunk gather: a transaction per result costs more than its rows. One wait
        # per chunk, not per line: a thread woken for every line costs the batch a switch
        # of the GIL each time. close() ends the wait at once.
        while not self._pending:
            self._closing.wait(LINGER)
        if self._pending[-1] is not None and len(self._pending) < CHUNK:
            self._closing.wait(LINGER)
        items: list[Item | None] = []
        while self._pending and len(items) < CHUNK and (not items or items[-1] is not None):
            items.append(self._pending.popleft())
        return items


def _fields(article: Article | None) -> ArticleFields | None:
    """What the database takes from the article: quicker to pickle than the pydantic model,
    and the writer needs no pydantic."""
    if article is None:
        return None
    return ArticleFields(article.text, article.title, article.url, article.source, article.date)


# ---- the writer process ----------------------------------------------------------------------

_START = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from summarizer.db.writer import serve; serve(*sys.argv[2:])"
)
"""The writer process's command line (``python -c``), after the folder holding summarizer."""


def serve(path: str, source: str) -> None:
    """The writer process: take chunks from stdin and write each in a transaction until the
    end, resolve actors, answer ``None`` or ``(error, traceback)`` on stdout. Input that
    stops before the end means the batch died: stop at once (its output file is the
    record)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # where there are no sessions (Windows)
    inbox = sys.stdin.buffer
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the answer
    try:
        failure = _write_all(lambda: pickle.load(inbox), path, source)
        with outbox:
            pickle.dump(failure, outbox)
    except (OSError, EOFError, pickle.UnpicklingError):
        return


def _write_all(
    receive: Callable[[], list[Item | None]], path: str, source: str
) -> tuple[str, str] | None:
    try:
        db = open_archive(path)
    except Exception as exc:  # changed since the batch's own check: report, take the rest
        while receive()[-1] is not None:
            pass
        return str(exc), traceback.format_exc()
    failure = None
    try:
        while True:
            chunk = receive()
            if failure is None:  # after a failure, only take the rest (the batch goes on)
                try:
                    _write(db, [item for item in chunk if item is not None], source)
                    if chunk[-1] is None:
                        resolve_actors(db)
                except Exception as exc:
                    failure = (str(exc), traceback.format_exc())
            if chunk[-1] is None:
                return failure
    finally:
        db.close()


def _write(db: Database, items: list[Item], source: str) -> None:
    rows: list[ArticleRows] = []
    fills: list[Filling] = []
    for kind, text, article, extra in items:
        if kind == "line":
            rows.append(prepare(text, article=article, source=source, extra=extra))
        elif article is not None:
            fills.append((text, article, extra))
    write_rows(db, rows)
    if fills:
        fill_articles(db, fills, only_missing=True)
