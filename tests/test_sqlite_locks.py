"""Opening a fresh SQLite file while another process is still creating it.

``PRAGMA journal_mode=WAL`` does not wait through the busy timeout: while another connection
holds a write lock in rollback mode it fails at once with ``database is locked``. Two batch
processes that start together on a new cache met exactly that in CI. The lock here is a real
one, taken by a second connection and released from a timer thread; only the timing of the
other process is staged.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from summarizer.batch.cache import ResultCache
from summarizer.db import open_archive


@contextmanager
def write_locked_for_a_moment(path: Path) -> Iterator[None]:
    """Hold a rollback-mode write lock on ``path`` (a fresh file) for 0.3 s of the block."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        yield
    finally:
        release.join()
        holder.close()


def test_the_cache_waits_for_a_write_lock_while_it_switches_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with write_locked_for_a_moment(path), ResultCache(path) as cache:
        cache.put("k", "{}")
        assert cache.get("k") == "{}"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_archive_waits_for_a_write_lock_while_it_switches_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with write_locked_for_a_moment(path):
        db = open_archive(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.close()
