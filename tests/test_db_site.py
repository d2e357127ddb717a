"""The archive report built from the database: dates, sources and links shown, actors by
surname, fragments left out, pages for large archives, hostile text inert in Chromium."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.db import import_lines, open_archive
from summarizer.views.site import write_site
from tests.test_db import position, result_line
from tests.test_report import IMG_PAYLOAD, SCRIPT_PAYLOAD, Page, open_in_chromium


def build(path: Path, *, hostile: str = "Bridge vote") -> None:
    db = open_archive(path)
    import_lines(
        db,
        [
            result_line(
                "a1",
                [
                    position("Olaf Scholz", stance="opposes", quotes=(hostile,)),
                    position("Anna Zimmer", stance="supports"),
                    position("its owner", stance="unclear"),
                ],
                sha="1" * 64,
                issue="",
            ),
            result_line("a2", [position("Scholz", stance="supports")], sha="2" * 64, issue=""),
            result_line(
                "a3",
                [
                    position("Bea Adler", stance="mixed"),
                    {**position("European Union", stance="supports"), "kind": "organisation"},
                ],
                sha="3" * 64,
                issue="",
            ),
        ],
        source="out.jsonl",
    )
    db.execute(
        "UPDATE articles SET date = '2025-0' || substr(id, 2) || '-01', source = 'Wire', "
        "url = 'https://news.example/' || id, title = :t",
        {"t": hostile},
    )
    db.execute("UPDATE articles SET url = 'javascript:alert(1)' WHERE id = 'a3'")
    db.conn.commit()


def test_pages_show_dates_sources_links_and_actors_by_surname(tmp_path: Path) -> None:
    build(tmp_path / "a.db")
    site = tmp_path / "site"
    stats = write_site(open_archive(tmp_path / "a.db"), site, page_size=2)

    assert (stats.articles, stats.article_pages) == (3, 2)
    first = Page((site / "index.html").read_text("utf-8"))
    text = " ".join(first.text)
    assert "2025-01-01" in text
    assert "Wire" in text
    assert ("a", {"href": "https://news.example/a1", "rel": "noreferrer"}) in first.tags
    assert ("a", {"href": "articles-2.html"}) in first.tags
    assert "Issue" not in text  # no article has one: no empty column
    assert "its owner" not in text
    second = (site / "articles-2.html").read_text("utf-8")
    assert "javascript:" not in second

    index = " ".join(Page((site / "actors.html").read_text("utf-8")).text)
    names = ("Bea Adler", "European Union", "Olaf Scholz", "Anna Zimmer")
    order = [index.index(name) for name in names]
    assert order == sorted(order)  # Adler, European Union, Scholz, Zimmer: people by surname
    assert "1 unnamed speakers" in index

    scholz = Page((site / "actors" / "olaf-scholz.html").read_text("utf-8"))
    spans = [attrs.get("class") for tag, attrs in scholz.tags if tag == "span"]
    assert spans[:2] == ["opposes", "supports"]  # the stance strip, oldest first
    assert ("a", {"class": "muted", "href": "../index.html#a2#" + "2" * 16}) in scholz.tags


def test_hostile_text_stays_text_in_chromium(tmp_path: Path) -> None:
    payload = SCRIPT_PAYLOAD + IMG_PAYLOAD
    build(tmp_path / "a.db", hostile=payload)
    site = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["db", "report", "--db", str(tmp_path / "a.db"), "-o", str(site)]
    )
    assert result.exit_code == 0, result.output

    for page in (site / "index.html", site / "actors" / "olaf-scholz.html"):
        dom, _ = open_in_chromium(page, tmp_path)
        assert not dom.has_tag("pwned-script")
        assert not dom.has_tag("pwned-img")
        assert not dom.has_tag("script")
        assert dom.event_handlers() == []
        assert payload in "".join(dom.text)
