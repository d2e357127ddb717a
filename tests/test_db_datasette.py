"""`summarizer db serve` for real: Datasette on 127.0.0.1, its JSON API, an actor page in
Chromium."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer.db import fill_articles, import_lines, open_archive
from summarizer.schema import Article
from tests.conftest import ROOT
from tests.test_db import position, result_line
from tests.test_report import Page, assert_is_a_real_screenshot, chromium

pytest.importorskip("datasette", reason='needs the extra: pip install -e ".[test,datasette]"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A small archive served by `summarizer db serve`; yields its base URL."""
    path = tmp_path / "archive.db"
    db = open_archive(path)
    texts = {"a1": "Scholz at the summit.", "a2": "Scholz and Starmer at the summit."}
    sha = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in texts.items()}
    import_lines(
        db,
        [
            result_line(
                "a1",
                [position("German Chancellor Olaf Scholz", quotes=("Troops now are premature",))],
                sha=sha["a1"],
            ),
            result_line(
                "a2",
                [
                    position("Scholz", stance="conditional", quotes=("Troops after a truce",)),
                    position("Keir Starmer", stance="supports", quotes=("We will send troops",)),
                ],
                sha=sha["a2"],
            ),
        ],
        source="out.jsonl",
    )
    fill_articles(  # as `db import --archive ... --extra-field section` gives them
        db,
        [
            (
                key,
                Article(text=text, date="2025-02-17", source="Wire", title="Summit"),
                {"section": s},
            )
            for (key, text), s in zip(texts.items(), ("Politics", "Europe"), strict=True)
        ],
    )
    db.close()
    port = free_port()
    log = tmp_path / "datasette.log"
    command = [sys.executable, "-m", "summarizer", "db", "serve", "--db", str(path)]
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until Datasette answers (a readiness wait, not a timing assertion)."""
    deadline = time.monotonic() + 600  # a hang guard, not a speed limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"datasette exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail("datasette did not answer within two minutes")


def get(base: str, path: str, **params: str) -> Any:
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=30) as response:
        return json.load(response)


def test_datasette_facets_search_and_canned_queries(served: str) -> None:
    positions = get(served, "/archive/positions.json")
    facets = {
        name: {r["value"]: r["count"] for r in facet["results"]}
        for name, facet in positions["facet_results"].items()
    }
    # The facets come from the generated metadata, not from the request.
    assert facets["stance"] == {"opposes": 1, "conditional": 1, "supports": 1}
    assert facets["actor"] == {"olaf-scholz": 2, "keir-starmer": 1}

    articles = get(served, "/archive/articles.json")
    sections = articles["facet_results"]["section"]["results"]
    assert {r["value"]: r["count"] for r in sections} == {"Politics": 1, "Europe": 1}

    found = get(served, "/archive/quotes.json", _search="truce")
    assert [row["text"] for row in found["rows"]] == ["Troops after a truce"]

    quotes = get(served, "/archive/quotes_by_actor.json", actor="Olaf Scholz")
    assert sorted(row["text"] for row in quotes["rows"]) == [
        "Troops after a truce",
        "Troops now are premature",
    ]
    stances = get(served, "/archive/stance_over_time.json", actor="Olaf Scholz")
    assert {(r["month"], r["stance"], r["articles"]) for r in stances["rows"]} == {
        ("2025-02", "opposes", 1),
        ("2025-02", "conditional", 1),
    }


def test_the_actor_page_renders_in_chromium(served: str, tmp_path: Path) -> None:
    shot = tmp_path / "actor.png"
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1600",
            f"--screenshot={shot}",
            "--dump-dom",
            f"{served}/archive/actors/olaf-scholz",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    page = Page(done.stdout)
    text = " ".join(" ".join(page.text).split())
    assert page.title == "archive: actors"
    assert "actors: olaf-scholz" in text
    assert "Olaf Scholz" in text
    # Datasette follows the foreign keys: his two positions are one click away.
    assert "Links from other tables" in text
    assert ("a", {"href": "/archive/positions?actor=olaf-scholz"}) in page.tags
    assert_is_a_real_screenshot(shot)
