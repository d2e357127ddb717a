"""ResultCache and NullCache: keys, round trips, threads, two processes, and a kill -9 mid-write."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch.cache import NullCache, ResultCache, key, open_cache, sha256_text

ROOT = Path(__file__).resolve().parents[1]
BASE: dict[str, Any] = {
    "article_sha256": sha256_text("text"),
    "template_sha256": "t" * 64,
    "model": "m",
}


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    """Run ``code`` in a fresh interpreter that imports this checkout's summarizer."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True
    )


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ResultCache]:
    with ResultCache(tmp_path / "cache.sqlite") as opened:
        yield opened


def test_key_is_stable_and_ignores_option_order() -> None:
    first = key(**BASE, options={"mode": "json_schema", "max_actors": 8})
    again = key(**BASE, options={"max_actors": 8, "mode": "json_schema"})
    assert first == again
    assert len(first) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"article_sha256": sha256_text("other text")},
        {"template_sha256": "u" * 64},
        {"model": "other-model"},
        {"options": {"max_actors": 9}},
    ],
    ids=["article", "template", "model", "options"],
)
def test_key_changes_with_every_input(change: dict[str, Any]) -> None:
    assert key(**{**BASE, "options": {"max_actors": 8}, **change}) != key(
        **BASE, options={"max_actors": 8}
    )


def test_put_get_contains_round_trip(cache: ResultCache) -> None:
    k = key(**BASE)
    assert cache.get(k) is None
    assert not cache.contains(k)
    cache.put(k, '{"issue": "Why?"}')
    assert cache.contains(k)
    assert cache.get(k) == '{"issue": "Why?"}'
    cache.put(k, '{"issue": "Why not?"}')
    assert cache.get(k) == '{"issue": "Why not?"}'


def test_stats_count_entries_bytes_hits_and_misses(cache: ResultCache) -> None:
    cache.put("a", "{}")
    cache.put("b", '{"é": 1}')
    cache.get("a")
    cache.get("zzz")
    stats = cache.stats()
    assert (stats.count, stats.value_bytes, stats.hits, stats.misses) == (
        2,
        11,
        1,
        1,
    )  # bytes, not characters
    assert stats.file_bytes > 0


def test_results_survive_reopening(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite") as first:
        first.put("k", "[1]")
    with ResultCache(tmp_path / "c.sqlite") as second:
        assert second.get("k") == "[1]"


def test_uses_write_ahead_logging(cache: ResultCache) -> None:
    with closing(sqlite3.connect(cache.path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_null_cache_remembers_nothing() -> None:
    null = NullCache()
    null.put("k", "{}")
    assert null.get("k") is None
    assert not null.contains("k")
    assert null.stats().count == 0
    null.close()


def test_threads_each_get_a_connection(cache: ResultCache) -> None:
    def write(worker: int) -> None:
        for n in range(50):
            cache.put(f"{worker}-{n}", json.dumps([worker, n]))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.stats().count == 400
    assert cache.get("7-49") == "[7, 49]"


WRITER = """
import json, sys
from summarizer.batch.cache import ResultCache
cache = ResultCache(sys.argv[1])
for n in range(int(sys.argv[3])):
    cache.put(f"{sys.argv[2]}-{n}", json.dumps({"n": n, "pad": "x" * int(sys.argv[4])}))
    print(n, flush=True)
"""


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    writers = [run_python(WRITER, str(path), name, "300", "100") for name in ("a", "b")]
    for writer in writers:
        writer.communicate(timeout=600)  # a hang guard, not a speed limit
        assert writer.returncode == 0
    with ResultCache(path) as cache:
        assert cache.stats().count == 600


def test_kill_9_mid_write_leaves_a_readable_cache(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    writer = run_python(WRITER, str(path), "k", "1000000", "20000")  # big rows: long writes
    assert writer.stdout is not None
    committed = -1
    while committed < 200:
        committed = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    with ResultCache(path) as cache:
        with closing(sqlite3.connect(path)) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            rows = raw.execute("SELECT key, value FROM results").fetchall()
        assert len(rows) >= committed + 1  # everything reported as written is there
        assert all(json.loads(value)["pad"] == "x" * 20000 for _, value in rows)  # none torn
        cache.put("after-crash", "{}")
        assert cache.get("after-crash") == "{}"


def test_open_cache_off_or_read_only_makes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "results.sqlite"

    assert isinstance(open_cache(path, enabled=False), NullCache)
    assert isinstance(open_cache(path, create=False), NullCache)
    assert not path.exists()
    with closing(open_cache(path)) as cache:
        assert isinstance(cache, ResultCache)
        cache.put("k", "v")
    with closing(open_cache(path, create=False)) as cache:
        assert cache.get("k") == "v"
