"""Remember results so a re-run archive, or an article seen twice, costs no second call.

A SQLite file (standard module) maps ``key(...)`` -> result JSON text. WAL journaling and
single-statement writes make every ``put`` atomic: a crash or ``kill -9`` mid-write leaves the
previous state, never a torn row or a corrupt file. Each thread (and each process, after a
fork) gets its own connection, and a busy timeout lets two processes share the file.

``NullCache`` has the same interface and remembers nothing: that is how the cache is switched
off. Calls block for microseconds to a few milliseconds; async callers may call them directly
or through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from summarizer._sqlite import use_wal

__all__ = [
    "Cache",
    "CacheStats",
    "NullCache",
    "ResultCache",
    "key",
    "open_cache",
    "sha256_text",
]

_KEY_VERSION = 1  # bump when the key's recipe changes, so old entries are simply missed
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at REAL NOT NULL
) WITHOUT ROWID
"""


def sha256_text(text: str) -> str:
    """The hex sha256 of ``text`` as UTF-8, the form ``key`` expects for the article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key(
    article_sha256: str,
    template_sha256: str,
    model: str,
    options: Mapping[str, Any] | None = None,
) -> str:
    """The cache key for one result: a hex sha256 over its inputs.

    Args:
        article_sha256: ``sha256_text`` of the article text.
        template_sha256: The rendered templates' sha256, so a prompt change misses the cache.
        model: The model name as sent to the endpoint.
        options: Anything else that changes the answer (output mode, max actors, language,
            temperature...). Must be JSON-serialisable; key order does not matter.
    """
    recipe = [_KEY_VERSION, article_sha256, template_sha256, model, dict(options or {})]
    canonical = json.dumps(recipe, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """What a cache holds, and how this instance's lookups went."""

    count: int
    value_bytes: int
    file_bytes: int
    hits: int
    misses: int


class Cache(Protocol):
    """What the batch runner needs from a cache; ``ResultCache`` and ``NullCache`` provide it."""

    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str) -> None: ...
    def contains(self, key: str) -> bool: ...
    def stats(self) -> CacheStats: ...
    def close(self) -> None: ...


class ResultCache:
    """A SQLite-backed result cache, safe across threads, processes and crashes.

    Args:
        path: The database file; created with its parent folder if missing.
        timeout: Seconds to wait for another process's write lock before failing.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection()  # fail now, not at the first lookup, if the file is unusable

    def get(self, key: str) -> str | None:
        """The stored result JSON for ``key``, or ``None``."""
        row = (
            self._connection().execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        )
        with self._lock:
            if row is None:
                self._misses += 1
            else:
                self._hits += 1
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        """Store ``value`` (result JSON text) under ``key``, replacing any earlier one.

        One statement in autocommit mode: it is committed whole or not at all.
        """
        self._connection().execute(
            "INSERT OR REPLACE INTO results (key, value, created_at) VALUES (?, ?, ?)",
            (key, value, time.time()),
        )

    def contains(self, key: str) -> bool:
        sql = "SELECT 1 FROM results WHERE key = ?"
        return self._connection().execute(sql, (key,)).fetchone() is not None

    def stats(self) -> CacheStats:
        sql = "SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(value AS BLOB))), 0) FROM results"
        count, value_bytes = self._connection().execute(sql).fetchone()
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        file_bytes = sum(f.stat().st_size for f in files if f.exists())
        with self._lock:
            return CacheStats(count, value_bytes, file_bytes, self._hits, self._misses)

    def close(self) -> None:
        """Close every connection this instance opened; later calls reopen one."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection; a forked child opens its own instead of sharing one."""
        cached: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == os.getpid():
            return cached[1]
        connection = sqlite3.connect(
            self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        use_wal(connection, timeout=self._timeout)
        # NORMAL in WAL mode cannot corrupt the file; a power cut (not a process crash) may
        # lose the last few results, which only costs their calls again.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
        self._local.connection = (os.getpid(), connection)
        with self._lock:
            self._connections.append(connection)
        return connection


class NullCache:
    """A cache that remembers nothing: the switched-off ``ResultCache``."""

    def get(self, key: str) -> str | None:
        return None

    def put(self, key: str, value: str) -> None:
        return None

    def contains(self, key: str) -> bool:
        return False

    def stats(self) -> CacheStats:
        return CacheStats(count=0, value_bytes=0, file_bytes=0, hits=0, misses=0)

    def close(self) -> None:
        return None


def open_cache(path: Path, *, enabled: bool = True, create: bool = True) -> Cache:
    """The result cache at ``path``, or a ``NullCache`` when it is switched off, or when it
    does not exist and ``create`` is false (read-only uses, such as estimates, make no file).
    """
    if not enabled or (not create and not path.exists()):
        return NullCache()
    return ResultCache(path)
