"""The archive database: import is idempotent, actors merge by rule, search finds and filters."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.db import (
    actor_timeline,
    actors,
    add_line,
    fill_articles,
    import_lines,
    open_archive,
    resolve_actors,
    search,
)
from summarizer.db.identity import actor_key
from summarizer.db.query import TIMELINE_SQL
from summarizer.db.schema import FTS, SCHEMA_VERSION, optimize
from summarizer.errors import InputError
from summarizer.schema import Article
from tests.conftest import ROOT


def result_line(
    record_id: str, positions: list[dict[str, Any]], *, sha: str | None = None, **extra: Any
) -> str:
    """A batch output line as `summarizer batch` writes it (old or new contract shapes)."""
    provenance = {
        "engine": "llm",
        "model": "m",
        "tool_version": "t",
        "article_sha256": sha or f"{abs(hash(record_id)):064d}",
        "created_at": "2025-01-01T00:00:00Z",
    }
    line = {
        "id": record_id,
        "record": 1,
        "line": 1,
        "ok": True,
        "cached": False,
        "issue": "Troops?",
        "summary": "S.",
        "positions": positions,
        "provenance": provenance,
        **extra,
    }
    return json.dumps(line, ensure_ascii=False)


def position(
    actor: str,
    *,
    stance: str = "opposes",
    quotes: tuple[str, ...] = (),
    role: str = "",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "actor": actor,
        "kind": "person",
        "role": role,
        "stance": stance,
        "position": f"{actor} takes a view on troops.",
        "quotes": [{"text": q, "verified": True, "start": 0, "end": len(q)} for q in quotes],
        **extra,
    }


ERROR = json.dumps(
    {
        "id": "e1",
        "record": 3,
        "line": 3,
        "ok": False,
        "error": "LLMError",
        "message": "HTTP 500",
        "attempts": 6,
    }
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def counts(path: Path) -> dict[str, int]:
    db = open_archive(path)
    return {t: db[t].count for t in ("articles", "actors", "positions", "quotes", "statements")}


# ---- import ---------------------------------------------------------------------------------


def test_importing_twice_duplicates_nothing(db_path: Path) -> None:
    lines = [
        result_line("a1", [position("Olaf Scholz", quotes=("No troops now",))]),
        result_line("a2", [position("Keir Starmer", stance="supports")]),
        ERROR,
    ]
    stats = import_lines(open_archive(db_path), lines, source="out.jsonl")
    first = counts(db_path)
    import_lines(open_archive(db_path), lines, source="out.jsonl")

    assert (stats.results, stats.errors) == (2, 1)
    assert (
        counts(db_path)
        == first
        == {"articles": 3, "actors": 2, "positions": 2, "quotes": 1, "statements": 0}
    )


def test_the_detected_language_of_a_result_lands_in_the_articles_table(db_path: Path) -> None:
    line = json.loads(result_line("a1", [position("Olaf Scholz")]))
    line["provenance"]["language"] = "de"  # results record it in provenance since issue 14
    import_lines(open_archive(db_path), [json.dumps(line)], source="out.jsonl")

    db = open_archive(db_path)
    assert [r["language"] for r in db.query("select language from articles")] == ["de"]


def test_a_result_replaces_the_error_line_of_an_earlier_run(db_path: Path) -> None:
    db = open_archive(db_path)
    import_lines(db, [ERROR], source="run1")
    import_lines(db, [result_line("e1", [position("Olaf Scholz")])], source="run2")

    rows = list(db.execute("SELECT id, ok FROM articles"))
    assert rows == [("e1", 1)]


def test_old_and_new_result_shapes_both_import(db_path: Path) -> None:
    old = result_line("old", [position("Olaf Scholz", statements=["He said no."])])
    new = result_line(
        "new",
        [
            position(
                "Olaf Scholz",
                statements=[{"id": "S1", "text": "He said no.", "start": 3, "end": 14}],
                evidence=["Q1"],
                supported=True,
                origin="model",
                quotes=(),
            )
            | {
                "quotes": [
                    {
                        "id": "Q1",
                        "text": "No",
                        "verified": True,
                        "start": 0,
                        "end": 2,
                        "origin": "engine",
                        "attribution": "agrees",
                    }
                ]
            }
        ],
        language="de",
    )
    db = open_archive(db_path)
    import_lines(db, [old, new], source="out.jsonl")

    statements = list(db.execute("SELECT statement_id, text, start FROM statements ORDER BY id"))
    assert statements == [("S1", "He said no.", 3), (None, "He said no.", None)]
    assert list(db.execute("SELECT quote_id, origin, attribution FROM quotes")) == [
        ("Q1", "engine", "agrees")
    ]
    assert list(
        db.execute("SELECT evidence, supported, origin FROM positions WHERE article LIKE 'new#%'")
    ) == [('["Q1"]', 1, "model")]
    assert list(db.execute("SELECT language FROM articles ORDER BY id")) == [("de",), (None,)]


def test_archive_metadata_fills_only_the_matching_article(db_path: Path) -> None:
    text = "Scholz said “no troops”."
    sha = hashlib.sha256(text.encode()).hexdigest()
    db = open_archive(db_path)
    import_lines(db, [result_line("a1", [position("Scholz")], sha=sha)], source="out")
    filled = fill_articles(
        db,
        [
            ("a1", Article(text=text, date="2025-03-01", source="Daily", url="https://x.org/1")),
            ("a1", Article(text="an edited text", date="2030-01-01")),
        ],
    )

    assert filled == 1
    assert list(db.execute("SELECT date, source, url, text FROM articles")) == [
        ("2025-03-01", "Daily", "https://x.org/1", text)
    ]
    # Re-importing the result line keeps what the archive gave.
    import_lines(db, [result_line("a1", [position("Scholz")], sha=sha)], source="out")
    assert list(db.execute("SELECT date FROM articles")) == [("2025-03-01",)]


def assert_full_text_matches_the_tables(db: Any) -> None:
    """FTS5 checks each index against its table (rank 1: the content too) or raises."""
    for table in FTS:
        db.execute(f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)")


def test_full_text_index_follows_replaced_and_filled_rows(db_path: Path) -> None:
    text = "The summit in Paris ended late."
    sha = hashlib.sha256(text.encode()).hexdigest()
    db = open_archive(db_path)
    import_lines(db, [ERROR], source="run1")
    first = result_line(
        "a1", [position("Olaf Scholz", quotes=("Troops now are premature",))], sha=sha
    )
    import_lines(db, [first], source="run1")
    again = result_line("a1", [position("Olaf Scholz", quotes=("A ceasefire first",))], sha=sha)
    import_lines(db, [again, result_line("e1", [position("Keir Starmer")])], source="run2")
    fill_articles(db, [("a1", Article(text=text, title="Summit diary"))])
    fill_articles(db, [("a1", Article(text=text, title="Summit diary, updated"))])

    assert search(db, "premature") == []
    assert [h.kind for h in search(db, "ceasefire")] == ["quote"]
    assert [h.title for h in search(db, "paris", kinds=("article",))] == ["Summit diary, updated"]
    assert len(search(db, "paris", actor="Olaf Scholz", kinds=("article",))) == 1
    assert search(db, "paris", actor="Keir Starmer", kinds=("article",)) == []
    assert_full_text_matches_the_tables(db)


def test_db_reindex_mends_an_index_edited_around(db_path: Path) -> None:
    db = open_archive(db_path)
    import_lines(
        db, [result_line("a1", [position("Olaf Scholz", quotes=("No troops",))])], source="o"
    )
    db.execute("UPDATE quotes SET text = 'A ceasefire first'")  # by hand, past the writer
    db.conn.commit()

    done = CliRunner().invoke(cli, ["db", "reindex", "--db", str(db_path)])

    assert done.exit_code == 0, done.output
    assert [h.kind for h in search(db, "ceasefire")] == ["quote"]
    assert_full_text_matches_the_tables(db)


def test_db_optimize_compacts_and_keeps_every_answer(db_path: Path) -> None:
    db = open_archive(db_path)
    for run in range(20):  # re-runs replace rows: free pages and a full-text segment each
        lines = [
            result_line(
                f"a{n}",
                [position("Olaf Scholz", quotes=(f"Troops in round {run} of {n}",))],
                sha=f"{n:064d}",
            )
            for n in range(30)
        ]
        import_lines(db, lines, source=f"run{run}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    free_before = db.execute("PRAGMA freelist_count").fetchone()[0]
    hits = [(h.kind, h.article, h.snippet) for h in search(db, "troops round", limit=100)]
    db.close()

    done = CliRunner().invoke(cli, ["db", "optimize", "--db", str(db_path)])

    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"optimized {db_path}: ")
    assert " MB -> " in done.output
    db = open_archive(db_path)
    assert free_before > 0
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM sqlite_stat1").fetchone()[0] > 0
    assert_full_text_matches_the_tables(db)
    assert [(h.kind, h.article, h.snippet) for h in search(db, "troops round", limit=100)] == hits
    assert counts(db_path)["quotes"] == 30


def test_db_optimize_reports_the_size_it_saved(db_path: Path) -> None:
    db = open_archive(db_path)
    long_quote = "Troops now would be premature. " * 40
    for quotes in ((long_quote,), ()):  # the second run drops the quotes: free pages
        lines = [
            result_line(f"a{n}", [position("Olaf Scholz", quotes=quotes)], sha=f"{n:064d}")
            for n in range(50)
        ]
        import_lines(db, lines, source="run")

    before, after = optimize(db)

    assert after < before
    assert after == db_path.stat().st_size  # the write-ahead log is checkpointed away


def test_a_version_1_archive_loses_its_triggers_and_keeps_its_index(db_path: Path) -> None:
    db = open_archive(db_path)
    import_lines(
        db, [result_line("a1", [position("Olaf Scholz", quotes=("No troops",))])], source="o"
    )
    db.execute(
        'CREATE TRIGGER "quotes_au" AFTER UPDATE ON "quotes" BEGIN '
        "INSERT INTO quotes_fts(rowid, text) VALUES (new.rowid, new.text); END"
    )
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.conn.commit()
    db.close()

    db = open_archive(db_path)
    assert list(db.execute("SELECT value FROM meta WHERE key = 'schema_version'")) == [
        (str(SCHEMA_VERSION),)
    ]
    assert list(db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")) == []
    import_lines(
        db, [result_line("a1", [position("Olaf Scholz", quotes=("Troops later",))])], source="o"
    )
    assert [h.snippet for h in search(db, "troops", kinds=("quote",))] == ["**Troops** later"]
    assert_full_text_matches_the_tables(db)


def test_a_bad_line_is_an_input_error_naming_the_line(db_path: Path) -> None:
    lines = [result_line("a1", [position("Olaf Scholz")]) + "\n", "{not json\n"]
    with pytest.raises(InputError, match=r"out\.jsonl:2: not JSON"):
        import_lines(open_archive(db_path), lines, source="out.jsonl")


def test_a_torn_last_line_is_skipped(db_path: Path) -> None:
    lines = [result_line("a1", [position("Olaf Scholz")]) + "\n", '{"id": "a2", "iss']
    stats = import_lines(open_archive(db_path), lines, source="out.jsonl")
    assert (stats.results, stats.torn) == (1, True)


def test_not_a_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello")
    with pytest.raises(InputError, match="not a summarizer database"):
        open_archive(path)


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from summarizer.db import import_lines, load, open_archive

    real = load._insert
    def insert(db, table, records, **kwargs):
        records = list(records)
        if table == "quotes" and any(r["article"].startswith("a2#") for r in records):
            os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction, after positions went in
        return real(db, table, records, **kwargs)
    load._insert = insert

    lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
    import_lines(open_archive(sys.argv[1]), lines[:1], source="out")
    import_lines(open_archive(sys.argv[1]), lines, source="out")
    """
)


def test_kill_9_mid_write_leaves_the_database_consistent(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(
        result_line("a1", [position("Olaf Scholz", quotes=("One",))])
        + "\n"
        + result_line("a2", [position("Keir Starmer", quotes=("Two",))])
        + "\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(db_path), str(out)], cwd=ROOT, check=False
    )
    assert done.returncode == -signal.SIGKILL

    db = open_archive(db_path)
    assert list(db.execute("PRAGMA integrity_check")) == [("ok",)]
    assert [r[0] for r in db.execute("SELECT id FROM articles")] == ["a1"]
    assert db["positions"].count == 1  # a2's positions were rolled back with its quotes

    import_lines(db, out.read_text(encoding="utf-8").splitlines(), source="out")
    assert counts(db_path) == {
        "articles": 2,
        "actors": 2,
        "positions": 2,
        "quotes": 2,
        "statements": 0,
    }


def test_add_line_carries_the_article(db_path: Path) -> None:
    db = open_archive(db_path)
    article = Article(text="Body.", id="a1", date="2025-01-02", source="Wire", title="T")
    line = result_line("a1", [position("Olaf Scholz")])
    add_line(db, line, article=article, source="batch")
    add_line(db, line, article=article, source="batch")
    assert list(db.execute("SELECT id, date, source, text FROM articles")) == [
        ("a1", "2025-01-02", "Wire", "Body.")
    ]


# ---- identity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("German Chancellor Olaf Scholz", "olaf scholz"),
        ("Olaf Scholz, the German chancellor", "olaf scholz"),
        ("Donald J. Trump", "donald trump"),
        ("Secretary of State John Kerry", "john kerry"),
        ("Joel Pollak of Breitbart California", "joel pollak"),
        ("Pedro Sánchez", "pedro sanchez"),
        ("Scholz", "scholz"),
        ("Bundeskanzlerin Angela Merkel", "angela merkel"),
    ],
    ids=["role", "apposition", "initial", "of-role", "of-outlet", "accent", "surname", "german"],
)
def test_actor_key(name: str, key: str) -> None:
    assert actor_key(name).key == key


def test_surnames_join_the_full_name_across_articles_but_namesakes_stay_apart(
    db_path: Path,
) -> None:
    db = open_archive(db_path)
    import_lines(
        db,
        [
            result_line("a1", [position("German Chancellor Olaf Scholz")]),
            result_line("a2", [position("Scholz")]),
            result_line("a3", [position("Joe Biden")]),
            result_line("a4", [position("Hunter Biden")]),
            result_line("a5", [position("Biden")]),
        ],
        source="out",
    )

    by_article = dict(db.execute("SELECT substr(article, 1, 2), actor FROM positions"))
    assert by_article == {
        "a1": "olaf-scholz",
        "a2": "olaf-scholz",
        "a3": "joe-biden",
        "a4": "hunter-biden",
        "a5": "biden",  # equally likely to be either: left alone
    }


def test_each_import_resolves_the_surnames_it_touched_against_the_whole_archive(
    db_path: Path,
) -> None:
    db = open_archive(db_path)
    import_lines(db, [result_line("a1", [position("Scholz")])], source="out")
    import_lines(db, [result_line("a2", [position("Keir Starmer")])], source="out")
    assert actors_by_article(db)["a1"] == "scholz"  # no full name yet
    assert list(db.execute("SELECT surname FROM unresolved")) == []

    # A full name in a later import is under "scholz": a1's mention moves to it.
    import_lines(db, [result_line("a3", [position("Olaf Scholz")])], source="out")
    assert actors_by_article(db) == {"a1": "olaf-scholz", "a2": "keir-starmer", "a3": "olaf-scholz"}

    # a3 replaced without him: what it no longer says is touched too, and a1 stands alone.
    sha = f"{abs(hash('a3')):064d}"
    import_lines(db, [result_line("a3", [position("Keir Starmer")], sha=sha)], source="out")
    assert actors_by_article(db) == {"a1": "scholz", "a2": "keir-starmer", "a3": "keir-starmer"}

    # The same answers as resolving everything over again, in any order.
    before = actors_by_article(db)
    resolve_actors(db, everything=True)
    assert actors_by_article(db) == before
    assert list(db.execute("SELECT id FROM actors ORDER BY id")) == [("keir-starmer",), ("scholz",)]


def test_a_write_leaves_its_surnames_for_the_next_resolution(db_path: Path) -> None:
    db = open_archive(db_path)
    line = result_line("a1", [position("Olaf Scholz"), position("Starmer"), position("Merkel")])
    add_line(db, line, article=None, source="batch")  # as a batch writes: resolved at its end
    assert sorted(db.execute("SELECT surname FROM unresolved")) == [
        ("merkel",),
        ("scholz",),
        ("starmer",),
    ]
    assert resolve_actors(db) == 0  # no full name for a lone surname here
    assert list(db.execute("SELECT surname FROM unresolved")) == []
    assert list(db.execute("SELECT value FROM meta WHERE key = 'actors_resolved'")) == [("1",)]


@pytest.mark.parametrize("killed", [False, True])
def test_a_version_3_archive_gets_the_unresolved_surnames(db_path: Path, killed: bool) -> None:
    db = open_archive(db_path)
    lines = [result_line("a1", [position("Scholz")]), result_line("a2", [position("Olaf Scholz")])]
    if killed:  # a batch killed before it resolved actors: its lines are written, no more
        for line in lines:
            add_line(db, line, article=None, source="batch")
    else:
        import_lines(db, lines, source="out")
    db.execute("DROP TABLE unresolved")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.conn.commit()
    db.close()

    db = open_archive(db_path)
    pending = list(db.execute("SELECT surname FROM unresolved"))
    assert pending == ([("scholz",)] if killed else [])  # every lone surname, if unresolved
    resolve_actors(db)
    assert actors_by_article(db) == {"a1": "olaf-scholz", "a2": "olaf-scholz"}


def actors_by_article(db: Any) -> dict[str, str]:
    return dict(db.execute("SELECT substr(article, 1, 2), actor FROM positions"))


def test_co_speakers_decide_between_namesakes(db_path: Path) -> None:
    db = open_archive(db_path)
    import_lines(
        db,
        [
            result_line("a1", [position("Joe Biden"), position("Kamala Harris")]),
            result_line("a2", [position("Hunter Biden"), position("Abbe Lowell")]),
            result_line("a3", [position("Biden"), position("Kamala Harris")]),
        ],
        source="out",
    )
    assert (
        dict(
            db.execute(
                "SELECT substr(article, 1, 2), actor FROM positions WHERE actor_key LIKE '%biden'"
            )
        )["a3"]
        == "joe-biden"
    )


# ---- queries --------------------------------------------------------------------------------


@pytest.fixture
def archive(db_path: Path) -> Path:
    db = open_archive(db_path)
    import_lines(
        db,
        [
            result_line(
                "a1",
                [
                    position(
                        "German Chancellor Olaf Scholz",
                        stance="opposes",
                        quotes=("Troops in Ukraine are premature",),
                    )
                ],
                sha="1" * 64,
            ),
            result_line(
                "a2",
                [
                    position(
                        "Scholz", stance="conditional", quotes=("Troops only after a ceasefire",)
                    ),
                    position(
                        "Pedro Sánchez", stance="supports", quotes=("Europe must send troops",)
                    ),
                ],
                sha="2" * 64,
            ),
        ],
        source="out",
    )
    db.execute("UPDATE articles SET date = '2025-02-17', source = 'Wire' WHERE id = 'a1'")
    db.execute("UPDATE articles SET date = '2025-03-03', source = 'Daily' WHERE id = 'a2'")
    db.conn.commit()
    return db_path


def test_search_ranks_and_filters(archive: Path) -> None:
    db = open_archive(archive)
    quotes = search(db, "troops", kinds=("quote",))
    assert {h.actor for h in quotes} == {"Olaf Scholz", "Pedro Sánchez"}
    assert all("**troops**" in h.snippet.lower() for h in quotes)

    by_scholz = search(db, "troops", kinds=("quote",), actor="Scholz")
    assert sorted(h.date or "" for h in by_scholz) == ["2025-02-17", "2025-03-03"]
    assert [
        h.stance
        for h in search(db, "troops", kinds=("quote",), since="2025-03-01", stance="supports")
    ] == ["supports"]
    assert [h.source for h in search(db, "premature", source="Wire", kinds=("quote",))] == ["Wire"]
    by_sanchez = search(db, "troops", actor="Sánchez")
    assert {(h.kind, h.actor) for h in by_sanchez} == {
        ("quote", "Pedro Sánchez"),
        ("position", "Pedro Sánchez"),
    }
    assert search(db, "premature", source="Daily") == []


def test_search_ignores_accents(archive: Path) -> None:
    hits = search(open_archive(archive), "sanchez", kinds=("position",))
    assert [h.actor for h in hits] == ["Pedro Sánchez"]


def test_actors_and_timeline(archive: Path) -> None:
    db = open_archive(archive)
    index = {row.name: row for row in actors(db)}
    assert index["Olaf Scholz"].articles == 2
    assert index["Olaf Scholz"].stances == {"opposes": 1, "conditional": 1}
    assert (index["Olaf Scholz"].first_seen, index["Olaf Scholz"].last_seen) == (
        "2025-02-17",
        "2025-03-03",
    )
    summary, timeline = actor_timeline(db, "Olaf Scholz")
    assert summary.quotes == 2
    assert [(e.date, e.stance) for e in timeline] == [
        ("2025-02-17", "opposes"),
        ("2025-03-03", "conditional"),
    ]


# ---- CLI ------------------------------------------------------------------------------------


def test_cli_import_search_actors_actor(tmp_path: Path) -> None:
    seed = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    archive_file = tmp_path / "in.jsonl"
    archive_file.write_text(
        json.dumps({"id": "s1", "text": seed, "date": "2025-02-17", "source": "Wire"}) + "\n",
        encoding="utf-8",
    )
    out, db = tmp_path / "out.jsonl", str(tmp_path / "a.db")
    runner = CliRunner()
    ran = runner.invoke(cli, ["batch", str(archive_file), "-o", str(out), "--offline", "--quiet"])
    assert ran.exit_code == 0, ran.output

    for _ in range(2):
        done = runner.invoke(
            cli, ["db", "import", str(out), "--archive", str(archive_file), "--db", db]
        )
        assert done.exit_code == 0, done.output
    found = runner.invoke(cli, ["search", "premature", "--db", db, "--format", "json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)
    assert hits[0]["actor"] == "Olaf Scholz"
    assert (hits[0]["date"], hits[0]["source"]) == ("2025-02-17", "Wire")

    index = runner.invoke(cli, ["actors", "--db", db, "--format", "csv"])
    assert index.output.splitlines()[0].startswith("id,name,kind,articles,quotes")
    timeline = runner.invoke(cli, ["actor", "Scholz", "--db", db])
    assert "“completely premature”" in timeline.output


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["actors", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1
    assert missing.output.count("\n") == 1
    assert "no such database" in missing.output


def test_batch_db_writes_each_result_and_catches_up_on_resume(tmp_path: Path) -> None:
    seed = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    archive_file = tmp_path / "in.jsonl"
    rows = [
        {
            "id": f"s{n}",
            "text": seed.replace("Paris", f"Paris {n}"),
            "date": f"2025-02-1{n}",
            "source": "Wire",
        }
        for n in range(3)
    ]
    archive_file.write_text(
        "".join(json.dumps(r) + "\n" for r in rows) + '{"id": "bad"\n', encoding="utf-8"
    )
    out, db = tmp_path / "out.jsonl", tmp_path / "a.db"
    # A first run without --db does two records; the --db run must catch up on them.
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]), encoding="utf-8")
    runner = CliRunner()
    args = ["batch", str(archive_file), "-o", str(out), "--offline", "--quiet"]
    assert (
        runner.invoke(cli, ["batch", str(first), "-o", str(out), "--offline", "-q"]).exit_code == 0
    )
    for _ in range(2):
        ran = runner.invoke(cli, [*args, "--db", str(db)])
        assert ran.exit_code == 0, ran.output

    database = open_archive(db)
    assert database["articles"].count == 4  # three results and the bad record's error
    assert list(database.execute("SELECT date, source FROM articles WHERE id = 's2'")) == [
        ("2025-02-12", "Wire")
    ]
    assert {row.name: row.articles for row in actors(database)}["Olaf Scholz"] == 3
    # The records done before --db came in got their text as the archive was read again.
    assert list(database.execute("SELECT id FROM articles WHERE ok AND text IS NULL")) == []


def test_words_too_common_to_rank_are_listed_newest_first(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.db import query

    db = open_archive(archive)
    ranked = search(db, "troops", kinds=("quote",))
    monkeypatch.setattr(query, "RANK_LIMIT", 1)
    newest = search(db, "troops", kinds=("quote",))

    assert all(h.rank < 0 for h in ranked)
    assert [h.rank for h in newest] == [0.0, 0.0, 0.0]
    assert [h.actor for h in newest] == ["Pedro Sánchez", "Olaf Scholz", "Olaf Scholz"]
    assert sorted(h.snippet for h in newest) == sorted(h.snippet for h in ranked)


BATCH_KILL_SCRIPT = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from summarizer.batch.cache import NullCache
    from summarizer.batch.runner import offline_engine, run_batch
    from summarizer.config import Settings

    settings = Settings(concurrency=1)
    engine = offline_engine(settings)
    done = 0

    async def dying(article, client):
        global done
        done += 1
        if done == 4:  # some lines are in the output; the writer may not have caught up
            os.kill(os.getpid(), signal.SIGKILL)
        return await engine(article, client)

    asyncio.run(run_batch(sys.argv[1], sys.argv[2], settings=settings, engine=dying,
                          cache=NullCache(), progress=False, db=sys.argv[3]))
    """
)


def test_batch_db_killed_with_sigkill_resumes_to_a_complete_database(tmp_path: Path) -> None:
    seed = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    archive_file = tmp_path / "in.jsonl"
    archive_file.write_text(
        "".join(
            json.dumps(
                {"id": f"s{n}", "text": seed.replace("Paris", f"Paris {n}"), "source": "Wire"}
            )
            + "\n"
            for n in range(6)
        ),
        encoding="utf-8",
    )
    out, db = tmp_path / "out.jsonl", tmp_path / "a.db"
    killed = subprocess.run(
        [sys.executable, "-c", BATCH_KILL_SCRIPT, str(archive_file), str(out), str(db)],
        cwd=ROOT,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert 0 < len(out.read_text(encoding="utf-8").splitlines()) < 6  # killed part way

    resumed = CliRunner().invoke(
        cli, ["batch", str(archive_file), "-o", str(out), "--offline", "-q", "--db", str(db)]
    )
    assert resumed.exit_code == 0, resumed.output

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    database = open_archive(db)
    assert sorted(r[0] for r in database.execute("SELECT id FROM articles")) == [
        f"s{n}" for n in range(6)
    ]
    assert list(database.execute("SELECT id FROM articles WHERE text IS NULL")) == []
    assert database["positions"].count == sum(len(line["positions"]) for line in lines)
    assert list(database.execute("PRAGMA integrity_check")) == [("ok",)]


# ---- mapped archive fields ------------------------------------------------------------------


def test_mapped_archive_fields_land_in_the_articles_table(tmp_path: Path) -> None:
    seed = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    rows: list[dict[str, Any]] = [
        {"id": "s0", "section": "Politics", "words": 420, "tags": ["eu", "nato"]},
        {"id": "s1", "section": "Europe", "words": 380, "author": "A. Writer"},
        {"id": "s2", "words": 510},  # no section: NULL, not an error
    ]
    archive_file = tmp_path / "in.jsonl"
    archive_file.write_text(
        "".join(json.dumps({**r, "text": seed.replace("Paris", r["id"])}) + "\n" for r in rows),
        encoding="utf-8",
    )
    first = tmp_path / "first.jsonl"  # s0 done before --db came in: its fields arrive on resume
    first.write_text(archive_file.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    mapped = ["--extra-field", "section", "--extra-field", "words", "--extra-field", "tags"]
    ran = runner.invoke(cli, ["batch", str(first), "-o", str(out), "--offline", "-q"])
    assert ran.exit_code == 0, ran.output
    batch_db, import_db = tmp_path / "batch.db", tmp_path / "import.db"
    batch = ["batch", str(archive_file), "-o", str(out), "--offline", "-q", *mapped]
    load = ["db", "import", str(out), "--archive", str(archive_file), *mapped]
    for _ in range(2):  # and again: nothing doubles
        ran = runner.invoke(cli, [*batch, "--db", str(batch_db)])
        assert ran.exit_code == 0, ran.output
        ran = runner.invoke(cli, [*load, "--db", str(import_db)])
        assert ran.exit_code == 0, ran.output

    expected = [
        ("s0", "Politics", 420, '["eu", "nato"]', "integer"),
        ("s1", "Europe", 380, None, "integer"),
        ("s2", None, 510, None, "integer"),
    ]
    for path in (batch_db, import_db):
        db = open_archive(path)
        got = db.execute(
            "SELECT id, section, words, tags, typeof(words) FROM articles ORDER BY id"
        ).fetchall()
        assert got == expected
        assert "author" not in db["articles"].columns_dict  # only what was mapped
        assert_full_text_matches_the_tables(db)


def test_mapped_fields_are_faceted_in_datasette(tmp_path: Path) -> None:
    db_path = tmp_path / "a.db"
    db = open_archive(db_path)
    text = "Scholz spoke."
    line = result_line(
        "a1", [position("Olaf Scholz")], sha=hashlib.sha256(text.encode()).hexdigest()
    )
    add_line(db, line, article=Article(text=text), source="out", extra={"section": "Politics"})
    db.close()

    done = CliRunner().invoke(cli, ["db", "serve", "--db", str(db_path), "--metadata-only"])
    assert done.exit_code == 0, done.output
    metadata = json.loads((tmp_path / "a.db.datasette.json").read_text(encoding="utf-8"))
    facets = metadata["databases"]["a"]["tables"]["articles"]["facets"]
    assert "section" in facets


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--db", "DB", "--extra-field", "date"], 1, "has a 'date' column already"),
        (["--db", "DB", "--extra-field", 'a"b'], 1, "cannot be a column name"),
        (["--extra-field", "section"], 2, "add --db FILE"),
    ],
    ids=["taken", "quote", "no-db"],
)
def test_bad_extra_fields_are_one_line(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    archive_file = tmp_path / "in.jsonl"
    archive_file.write_text('{"id": "a", "text": "Words."}\n', encoding="utf-8")
    args = [str(tmp_path / "a.db") if a == "DB" else a for a in args]
    ran = CliRunner().invoke(
        cli, ["batch", str(archive_file), "-o", str(tmp_path / "o.jsonl"), "--offline", *args]
    )
    assert ran.exit_code == code
    assert message in ran.output
    assert "Traceback" not in ran.output
    assert not (tmp_path / "o.jsonl").exists()


def test_a_timeline_counts_its_actor_as_the_index_does(archive: Path) -> None:
    db = open_archive(archive)
    for row in actors(db):
        summary, _ = actor_timeline(db, row.name)
        assert summary == row


def test_a_timeline_keeps_each_positions_quotes_in_their_order(db_path: Path) -> None:
    db = open_archive(db_path)
    quotes = ("Zebras first", "Apples second", "Middle third")
    import_lines(db, [result_line("a1", [position("Olaf Scholz", quotes=quotes)])], source="o")

    _, timeline = actor_timeline(db, "Olaf Scholz")

    assert [e.quotes for e in timeline] == [list(quotes)]


def test_the_timeline_reads_only_its_covering_indexes(archive: Path) -> None:
    db = open_archive(archive)

    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {TIMELINE_SQL}", ["olaf-scholz"])]

    searches = [step for step in plan if step.startswith("SEARCH")]
    assert len(searches) == 3
    assert all("USING COVERING INDEX timeline_" in step for step in searches), plan


def test_a_version_2_archive_gets_the_timeline_indexes(db_path: Path) -> None:
    db = open_archive(db_path)
    import_lines(
        db, [result_line("a1", [position("Olaf Scholz", quotes=("No troops",))])], source="o"
    )
    for index in ("timeline_positions", "timeline_articles", "timeline_quotes"):
        db.execute(f"DROP INDEX {index}")
    db.execute('CREATE INDEX "idx_positions_actor" ON "positions" ("actor")')
    db.execute('CREATE INDEX "idx_quotes_position" ON "quotes" ("position")')
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.conn.commit()
    db.close()

    db = open_archive(db_path)

    indexes = {
        name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    assert {"timeline_positions", "timeline_articles", "timeline_quotes"} <= indexes
    assert not {"idx_positions_actor", "idx_quotes_position"} & indexes
    assert [e.quotes for e in actor_timeline(db, "Olaf Scholz")[1]] == [["No troops"]]


def test_a_batch_api_output_imports_like_an_online_one(tmp_path: Path) -> None:
    from summarizer.testing.fakeserver import FakeServer
    from tests.batchstub import BatchStub, forward_to
    from tests.test_batchapi import write_archive

    archive_file, out, db = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "a.db"
    write_archive(archive_file)
    runner = CliRunner()
    with FakeServer() as fake, BatchStub(forward_to(fake.base_url)) as stub:
        via = ["--via", "batch-api", "--base-url", stub.base_url, "--poll-interval", "0.01"]
        model = ["--model", "fake-model", "--mode", "json_schema", "--no-cache", "-q"]
        ran = runner.invoke(cli, ["batch", str(archive_file), "-o", str(out), *via, *model])
    assert ran.exit_code == 0, ran.output
    for _ in range(2):
        done = runner.invoke(
            cli, ["db", "import", str(out), "--archive", str(archive_file), "--db", str(db)]
        )
        assert done.exit_code == 0, done.output

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    database = open_archive(db)
    assert database["articles"].count == len(lines)
    assert database["positions"].count == sum(len(line.get("positions", [])) for line in lines)
    assert list(database.execute("SELECT id FROM articles WHERE ok AND text IS NULL")) == []
    hits = search(database, "hospitals funded", kinds=("quote",))
    assert {h.actor for h in hits} == {"Maria Lopez"}


def test_db_import_extra_fields_need_the_archive(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(result_line("a1", [position("Olaf Scholz")]) + "\n", encoding="utf-8")
    ran = CliRunner().invoke(
        cli, ["db", "import", str(out), "--db", str(tmp_path / "a.db"), "--extra-field", "x"]
    )
    assert ran.exit_code == 2
    assert "add --archive INPUT" in ran.output
    assert not (tmp_path / "a.db").exists()


# ---- sqlite-utils without pandas ------------------------------------------------------------

IMPORTS = textwrap.dedent(
    """
    import json, sys
    if sys.argv[1] == "pandas first":
        import pandas
    import summarizer.db
    import sqlite_utils.db
    seen = {"pandas": "pandas" in sys.modules, "numpy": "numpy" in sys.modules,
            "sqlite-utils has pandas": sqlite_utils.db.pd is not None}
    import pandas, numpy  # afterwards they import as usual
    seen["imported"] = [pandas.__name__, numpy.__name__]
    from summarizer.db import import_lines, open_archive
    db = open_archive(sys.argv[2])
    import_lines(db, [sys.argv[3]], source="out")
    seen["articles"] = db["articles"].count
    print(json.dumps(seen))
    """
)


@pytest.mark.skipif(
    importlib.util.find_spec("pandas") is None, reason="pandas is not installed here"
)
@pytest.mark.parametrize("order", ["summarizer first", "pandas first"])
def test_sqlite_utils_is_imported_without_pandas_and_pandas_still_imports(
    tmp_path: Path, order: str
) -> None:
    line = result_line("a1", [position("Olaf Scholz")])
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, order, str(tmp_path / "a.db"), line],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout)
    first = order == "pandas first"  # then it is not hidden: sqlite-utils finds it as before
    assert seen == {
        "pandas": first,
        "numpy": first,
        "sqlite-utils has pandas": first,
        "imported": ["pandas", "numpy"],
        "articles": 1,
    }
