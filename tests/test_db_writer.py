"""The archive writer of ``batch --db``: a process of its own, fed from the batch's process."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from summarizer.db import open_archive
from summarizer.db.writer import CHUNK, ArchiveWriter, WriterFailed
from summarizer.errors import InputError
from summarizer.schema import Article
from tests.conftest import ROOT
from tests.test_db import position, result_line


def lines(count: int) -> list[tuple[str, Article]]:
    """Output lines and their articles (the line carries the article's sha256, as a batch's)."""
    made = []
    for n in range(count):
        article = Article(
            text=f"Text {n}.", id=f"a{n}", title=f"T{n}", source="Wire", date="2025-03-01"
        )
        sha = hashlib.sha256(article.text.encode()).hexdigest()
        positions = [position("Olaf Scholz", quotes=(f"Quote {n}",)), position("Scholz")]
        made.append((result_line(f"a{n}", positions, sha=sha), article))
    return made


def test_every_result_reaches_the_archive_with_its_article(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    writer = ArchiveWriter(path, source="out.jsonl")
    writer.start()
    for line, article in lines(CHUNK + 50):  # more than one chunk
        writer.add(line, article, {"section": "politics"})
    writer.close()

    db = open_archive(path)
    assert db["articles"].count == CHUNK + 50
    assert list(
        db.execute("SELECT text, title, source, date, section FROM articles WHERE id = 'a7'")
    ) == [("Text 7.", "T7", "Wire", "2025-03-01", "politics")]
    # Actors were resolved at the end: "Scholz" alone is Olaf Scholz in every article.
    assert list(db.execute("SELECT DISTINCT actor FROM positions")) == [("olaf-scholz",)]
    assert list(db.execute("SELECT value FROM meta WHERE key = 'actors_resolved'")) == [("1",)]


def test_fill_gives_an_earlier_result_its_text(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    ((line, _),) = lines(1)
    writer = ArchiveWriter(path, source="out.jsonl")
    writer.catch_up([line + "\n"])  # an earlier run's line: no text yet
    writer.start()
    writer.fill("a0", Article(text="Text 0.", id="a0", title="T0", source="Wire"))
    writer.close()
    assert list(open_archive(path).execute("SELECT text, source FROM articles")) == [
        ("Text 0.", "Wire")
    ]


def test_a_failing_writer_is_the_input_error_close_raises(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    writer = ArchiveWriter(path, source="out.jsonl")
    writer.start()
    ((line, article),) = lines(1)
    writer.add("not a line of ours", None)
    for _ in range(3 * CHUNK):  # the writer failed: taking the rest must not block the batch
        writer.add(line, article)
    with pytest.raises(InputError, match="could not write the archive database") as raised:
        writer.close()

    message = str(raised.value)
    assert "not JSON" in message
    assert "summarizer db import out.jsonl" in message
    assert "\n" not in message
    assert isinstance(raised.value.__cause__, WriterFailed)
    assert "Traceback" in str(raised.value.__cause__)  # the writer's own, for debugging


def test_a_writer_killed_part_way_is_reported_and_never_blocks_the_batch(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path / "a.db", source="out.jsonl")
    writer.start()
    assert writer._process is not None
    writer._process.kill()
    writer._process.wait()
    for line, article in lines(5 * CHUNK):  # more than the queue holds
        writer.add(line, article)
    with pytest.raises(InputError, match=r"writer process stopped \(exit code -9\)"):
        writer.close()


def test_a_writer_that_cannot_start_is_one_line_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = ArchiveWriter(tmp_path / "a.db", source="out.jsonl")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(InputError, match="could not start the archive writer") as raised:
        writer.start()
    assert "\n" not in str(raised.value)
    writer.close()  # nothing started: nothing to wait for


def test_the_writer_is_out_of_reach_of_a_terminals_ctrl_c(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path / "a.db", source="out.jsonl")
    writer.start()
    assert writer._process is not None
    try:
        # Ctrl-C goes to the terminal's foreground process group: not the writer's.
        assert os.getpgid(writer._process.pid) != os.getpgrp()
    finally:
        writer.close()


DYING_BATCH = textwrap.dedent(
    """
    import os, signal, sys
    from summarizer.db.writer import ArchiveWriter
    from summarizer.schema import Article
    from tests.test_db import position, result_line

    writer = ArchiveWriter(sys.argv[1], source="out.jsonl")
    writer.start()
    writer.add(result_line("a1", [position("Olaf Scholz")]), Article(text="T", id="a1"))
    print(writer._process.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_the_writer_stops_when_the_batch_is_killed(tmp_path: Path) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", DYING_BATCH, str(tmp_path / "a.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    pid = int(killed.stdout)
    deadline = time.monotonic() + 600  # a hang guard, not a speed limit
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)
    db = open_archive(tmp_path / "a.db")
    assert list(db.execute("PRAGMA integrity_check")) == [("ok",)]


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive (an orphan's zombie, left for an init that may not reap it
    in a container, counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
