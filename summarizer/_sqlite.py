"""Switching a SQLite file to WAL when other processes may be opening it at the same moment.

``PRAGMA journal_mode=WAL`` needs the file to itself. When another connection holds a write
lock in rollback mode (a second process creating the same fresh file), SQLite answers
``database is locked`` at once, without waiting through the busy timeout as every other
statement does. Two batch processes starting together on a new cache hit exactly that.
"""

from __future__ import annotations

import sqlite3
import time

__all__ = ["use_wal"]


def use_wal(connection: sqlite3.Connection, *, timeout: float) -> None:
    """Put ``connection``'s database in WAL mode, waiting up to ``timeout`` seconds for
    another process's lock as the busy timeout would.

    Raises:
        sqlite3.OperationalError: Still locked after ``timeout``, or any other failure.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
