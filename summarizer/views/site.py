"""The archive report built from the database: paged article tables, an actor index sorted by
surname, and a page per actor with their stance per article over time.

A folder of static pages that open offline, like the one-article report: CSS inline, no
scripts, a Content-Security-Policy that forbids loading anything, every string autoescaped.
Pages hold at most ``page_size`` articles, so an archive of any size stays browsable.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.db import ActorRow, actors, timeline
from summarizer.views.html import _env, _safe_href

if TYPE_CHECKING:  # imported through summarizer.db, which keeps pandas out of it
    from sqlite_utils import Database

__all__ = ["SiteStats", "write_site"]

STANCES = ("supports", "opposes", "conditional", "mixed", "neutral", "unclear")


@dataclass
class SiteStats:
    """What ``write_site`` wrote."""

    articles: int = 0
    article_pages: int = 0
    actor_pages: int = 0
    unnamed: int = 0


def write_site(
    db: Database,
    folder: Path,
    *,
    title: str = "Summary archive",
    page_size: int = 500,
    min_articles: int = 1,
) -> SiteStats:
    """Write ``index.html`` (and ``articles-N.html``), ``actors.html`` and
    ``actors/<id>.html`` into ``folder``.

    Args:
        db: An archive database (``summarizer.db.open_archive``).
        folder: Where the pages go; created if missing, pages in it overwritten.
        title: The heading of every page.
        page_size: Articles per page of the article table.
        min_articles: Actors with fewer articles get no page of their own (their articles
            are still listed); raise it for very large archives.
    """
    stats = SiteStats()
    (folder / "actors").mkdir(parents=True, exist_ok=True)
    everyone = actors(db)
    index = sorted((a for a in everyone if _is_named(a.name)), key=_sort_key)
    stats.unnamed = len(everyone) - len(index)
    with_page = {a.id for a in index if a.articles >= min_articles}
    page_of = _write_article_pages(db, folder, title, page_size, with_page, stats)
    (folder / "actors.html").write_text(
        _env()
        .get_template("site_actors.html.j2")
        .render(
            title=title,
            actors=index,
            with_page=with_page,
            unnamed=stats.unnamed,
            stances=STANCES,
            actor_file=actor_file,
        ),
        "utf-8",
    )
    template = _env().get_template("site_actor.html.j2")
    for actor_id in sorted(with_page):
        summary, entries = timeline(db, actor_id)
        items = [
            {**vars(entry), "href": _safe_href(entry.url), "page": page_of.get(entry.article)}
            for entry in entries
        ]
        html = template.render(
            title=title, actor=summary, entries=items, stances=STANCES, page_file=_page_file
        )
        (folder / "actors" / actor_file(actor_id)).write_text(html, "utf-8")
        stats.actor_pages += 1
    return stats


def _write_article_pages(
    db: Database, folder: Path, title: str, page_size: int, with_page: set[str], stats: SiteStats
) -> dict[str, int]:
    """The article table, ``page_size`` rows a page; returns each article's page."""
    total = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    pages = max(1, -(-total // page_size))
    engines = _engines(db)
    template = _env().get_template("site_articles.html.j2")
    page_of: dict[str, int] = {}
    for page in range(1, pages + 1):
        rows = _article_rows(db, page, page_size, with_page)
        page_of.update((row["key"], page) for row in rows)
        html = template.render(
            title=title,
            page=page,
            pages=pages,
            rows=rows,
            show_issue=any(row["issue"] for row in rows),
            engines=engines,
            total=total,
            page_file=_page_file,
        )
        (folder / _page_file(page)).write_text(html, "utf-8")
        stats.articles += len(rows)
    stats.article_pages = pages
    return page_of


def _page_file(page: int) -> str:
    return "index.html" if page == 1 else f"articles-{page}.html"


def actor_file(actor_id: str) -> str:
    """The file name of an actor's page: the id with anything but letters, digits and
    hyphens replaced."""
    return re.sub(r"[^\w-]", "_", actor_id) + ".html"


def _is_named(name: str) -> bool:
    """A name, not a fragment the engine took for a speaker ("its owner")."""
    return any(word[:1].isupper() for word in name.split())


def _sort_key(actor: ActorRow) -> tuple[str, str]:
    """People by surname, then first name; organisations, governments and groups by their
    whole name ("European Union" under E)."""
    folded = [_fold(w) for w in actor.name.split()]
    first = folded[-1] if folded and actor.kind in (None, "person") else " ".join(folded)
    return (first, " ".join(folded))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _engines(db: Database) -> list[tuple[str, int]]:
    """How the results were made, once for the page instead of on every row."""
    rows = db.execute(
        "SELECT COALESCE(engine || COALESCE(' · ' || model, ''), 'error'), COUNT(*) "
        "FROM articles GROUP BY 1 ORDER BY 2 DESC"
    )
    return [(str(label), int(count)) for label, count in rows]


def _article_rows(
    db: Database, page: int, page_size: int, with_page: set[str]
) -> list[dict[str, Any]]:
    rows = [
        dict(
            zip(
                ("key", "id", "title", "url", "source", "date", "issue", "ok", "message"),
                r,
                strict=True,
            )
        )
        for r in db.execute(
            "SELECT key, id, title, url, source, date, issue, ok, message FROM articles "
            "ORDER BY date IS NULL, date, record, key LIMIT ? OFFSET ?",
            [page_size, (page - 1) * page_size],
        )
    ]
    keys = [row["key"] for row in rows]
    people = _by_article(
        db,
        "SELECT p.article, p.actor, ac.name, p.stance FROM positions p "
        "JOIN actors ac ON ac.id = p.actor WHERE p.article IN ({}) ORDER BY p.id",
        keys,
    )
    flags = _by_article(
        db,
        "SELECT article, SUM(verified = 0), SUM(attribution = 'conflict'), "
        "SUM(attribution = 'unquoted') FROM quotes WHERE article IN ({}) GROUP BY article",
        keys,
    )
    for row in rows:
        row["href"] = _safe_href(row["url"])
        row["actors"] = [
            {"id": a, "name": n, "stance": s, "file": actor_file(a) if a in with_page else None}
            for _, a, n, s in people.get(row["key"], [])
            if _is_named(n)
        ]
        counts = flags.get(row["key"], [(None, 0, 0, 0)])[0]
        row["flags"] = [
            f"{count} {label}"
            for count, label in zip(
                counts[1:],
                ("not found in the text", "speaker conflicts", "not quotes"),
                strict=True,
            )
            if count
        ]
    return rows


def _by_article(db: Database, sql: str, keys: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for chunk in _chunks(keys, 500):
        for row in db.execute(sql.format(", ".join("?" * len(chunk))), chunk):
            grouped[row[0]].append(tuple(row))
    return grouped


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
