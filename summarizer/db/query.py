"""Ask the archive database: full-text search, the actor index, one actor's timeline.

Each returns plain dataclasses, so the CLI prints them as text, JSON or CSV and scripts use
them directly. Dates compare as text: ISO dates (``2025-03-01``) sort and filter correctly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from summarizer.db.identity import actor_key, slug
from summarizer.db.load import resolve_actors
from summarizer.errors import InputError

__all__ = [
    "TIMELINE_SQL",
    "ActorRow",
    "Hit",
    "TimelineEntry",
    "actor_timeline",
    "actors",
    "find_actor",
    "search",
    "timeline",
]

MARK = ("**", "**")
"""What a snippet puts around the words that matched."""

_KINDS = ("quote", "position", "article")


@dataclass(frozen=True)
class Hit:
    """One search result: a quote, a position or an article, with where and when."""

    kind: str
    rank: float
    snippet: str
    article: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    actor: str | None
    stance: str | None


@dataclass(frozen=True)
class ActorRow:
    """One actor in the index."""

    id: str
    name: str
    kind: str | None
    articles: int
    quotes: int
    stances: dict[str, int]
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """One article in an actor's timeline."""

    date: str | None
    source: str | None
    title: str | None
    url: str | None
    article: str
    role: str | None
    stance: str | None
    position: str | None
    quotes: list[str] = field(default_factory=list)


def _ready(db: Database) -> None:
    """Resolve actors if results were added since the last time (a batch killed mid-run)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'actors_resolved'").fetchone()
    if row is not None and row[0] != "1":
        resolve_actors(db)


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: every word must occur, in any order; a word ending
    in ``*`` is a prefix. Quotes and operators in the input are taken literally."""
    return " ".join(_terms(text))


def _terms(text: str) -> list[str]:
    words = re.findall(r"[\w*]+", text)
    terms = [
        f'"{w.rstrip("*")}"*' if w.endswith("*") and w.strip("*") else f'"{w.strip("*")}"'
        for w in words
        if w.strip("*")
    ]
    if not terms:
        raise InputError(f"nothing to search for in {text!r}; give one or more words.")
    return list(dict.fromkeys(terms))


def search(
    db: Database,
    query: str,
    *,
    actor: str | None = None,
    stance: str | None = None,
    since: str | None = None,
    until: str | None = None,
    source: str | None = None,
    kinds: tuple[str, ...] = _KINDS,
    limit: int = 20,
) -> list[Hit]:
    """Quotes, positions and articles matching ``query``, best first (bm25).

    Args:
        query: Words that must all occur (accents and case ignored).
        actor: Only what this actor said (a name as ``find_actor`` takes it).
        stance: Only positions with this stance (and quotes under them, articles with them).
        since, until: Only articles dated in this range (inclusive, compared as text).
        source: Only articles from this outlet (exact).
        kinds: Which of ``quote``, ``position``, ``article`` to search.
        limit: Most hits.

    Raises:
        InputError: An empty query, or an actor the archive does not know.
    """
    _ready(db)
    terms = _terms(query)
    params: dict[str, Any] = {
        "q": " ".join(terms),
        "limit": limit,
        "since": since,
        "until": until,
        "source": source,
        "stance": stance,
        "actor": find_actor(db, actor) if actor else None,
        "m0": MARK[0],
        "m1": MARK[1],
    }
    chosen = [kind for kind in _KINDS if kind in kinds]
    if not chosen:
        raise InputError("no kinds to search; use quote, position or article.")
    found: list[tuple[float, int, str]] = []  # (rank, row, kind)
    for kind in chosen:
        rare = [t for t in terms if not _more_than(db, kind, t, RANK_LIMIT)]
        sql = _best(kind, ranked=bool(rare))
        rows = db.execute(sql, {**params, "rank": " ".join(rare)}).fetchall()
        found += [(rank, row, kind) for row, rank in rows]
    best = sorted(found, key=lambda hit: (hit[0], -hit[1]))[:limit]  # ties: newest first
    return _hits(db, best, params)


def _hits(db: Database, best: list[tuple[float, int, str]], params: dict[str, Any]) -> list[Hit]:
    """The chosen rows, in their order, with snippets, articles and actors."""
    order = {(kind, row): n for n, (_, row, kind) in enumerate(best)}
    hits: list[tuple[int, Hit]] = []
    for kind in _KINDS:
        ranks = {row: rank for rank, row, k in best if k == kind}
        if ranks:
            shown = db.execute(_shown(kind), {**params, "rows": json.dumps(list(ranks))})
            hits += [(order[kind, row], Hit(kind, ranks[row], *rest)) for row, *rest in shown]
    return [hit for _, hit in sorted(hits, key=lambda pair: pair[0])]


RANK_LIMIT = 1000
"""A word in more than this many rows of a kind is not used to rank them, only to filter:
bm25 weighs a word by the rows it occurs in, and FTS5 counts them by reading every one, then
scores and sorts every row that holds the rarer words (about 4 µs a row). When every word is
that common, the kind is listed newest first."""


_WHERE_ARTICLE = (
    "(:since IS NULL OR a.date >= :since) AND (:until IS NULL OR a.date <= :until || '~') "
    "AND (:source IS NULL OR a.source = :source)"
)
_WHERE_POSITION = "(:actor IS NULL OR p.actor = :actor) AND (:stance IS NULL OR p.stance = :stance)"
_ACTOR_QUOTES = (
    "SELECT q.rowid FROM positions p JOIN quotes q ON q.position = p.id WHERE p.actor = :actor"
)
_ACTOR_POSITIONS = "SELECT rowid FROM positions WHERE actor = :actor"
_ACTOR_ARTICLES = (
    "SELECT a.rowid FROM positions p JOIN articles a ON a.key = p.article WHERE p.actor = :actor"
)


def _said_by(table: str, rows: str) -> str:
    """The actor filter as a set of the index's rows, made once from the actor's positions
    and checked before any join: an actor is in few rows, a common word in most. (The ``+``
    keeps SQLite from handing the set to FTS5 as lookups, one full query each.)"""
    return f"(:actor IS NULL OR +{table}.rowid IN ({rows}))"


# kind: (FTS table, snippet column, joins, filters, actor and stance columns)
_PARTS = {
    "quote": (
        "quotes_fts",
        0,
        "JOIN quotes q ON q.rowid = quotes_fts.rowid JOIN positions p ON p.id = q.position "
        "JOIN actors ac ON ac.id = p.actor JOIN articles a ON a.key = q.article",
        f"{_said_by('quotes_fts', _ACTOR_QUOTES)} AND {_WHERE_ARTICLE} AND {_WHERE_POSITION}",
        "ac.name AS actor, p.stance AS stance",
    ),
    "position": (
        "positions_fts",
        2,
        "JOIN positions p ON p.rowid = positions_fts.rowid JOIN actors ac ON ac.id = p.actor "
        "JOIN articles a ON a.key = p.article",
        f"{_said_by('positions_fts', _ACTOR_POSITIONS)} AND {_WHERE_ARTICLE} AND {_WHERE_POSITION}",
        "ac.name AS actor, p.stance AS stance",
    ),
    "article": (
        "articles_fts",
        1,
        "JOIN articles a ON a.rowid = articles_fts.rowid",
        f"{_said_by('articles_fts', _ACTOR_ARTICLES)} AND {_WHERE_ARTICLE} "
        "AND (:actor IS NULL AND :stance IS NULL OR EXISTS "
        f"(SELECT 1 FROM positions p WHERE p.article = a.key AND {_WHERE_POSITION}))",
        "NULL AS actor, NULL AS stance",
    ),
}


def _best(kind: str, *, ranked: bool) -> str:
    """A kind's best rows (rowid, rank), before any snippet is made (a snippet of a long
    article costs more than finding it). Ranked: FTS5 hands over the rows that hold the rarer
    words (``:rank``) best first; each is checked against the set of rows that hold every
    word, then joined and filtered, until ``:limit`` pass. Otherwise the newest rows that
    hold every word, until ``:limit`` pass the filters (rank 0, after the ranked ones). The
    ``+`` keeps SQLite from handing a set of rows to FTS5 as lookups, one query each."""
    table, _, joins, where, _ = _PARTS[kind]
    if not ranked:
        return (
            f"SELECT {table}.rowid, 0.0 FROM {table} {joins} WHERE {table} MATCH :q "
            f"AND {where} ORDER BY {table}.rowid DESC LIMIT :limit"
        )
    return (
        f"SELECT {table}.rowid, {table}.rank FROM {table} {joins} WHERE {table} MATCH :rank "
        f"AND +{table}.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH :q) "
        f"AND {where} ORDER BY {table}.rank LIMIT :limit"
    )


def _shown(kind: str) -> str:
    """The chosen rows of a kind (``:rows``, a JSON list of rowids) with their snippet,
    article and actor, read from the index newest first until all are found."""
    table, column, joins, _, who = _PARTS[kind]
    snippet = f"snippet({table}, {column}, :m0, :m1, '…', 16)"
    if kind == "article":
        snippet = f"COALESCE({snippet}, a.title)"
    return (
        f"SELECT {table}.rowid, {snippet}, a.key, a.title, a.date, a.source, a.url, {who} "
        f"FROM {table} {joins} WHERE {table} MATCH :q "
        f"AND +{table}.rowid IN (SELECT value FROM json_each(:rows)) "
        f"ORDER BY {table}.rowid DESC LIMIT json_array_length(:rows)"
    )


def _more_than(db: Database, kind: str, query: str, count: int) -> bool:
    """Whether more than ``count`` rows of a kind match: a walk of at most ``count`` entries
    of the index in rowid order, so it costs the same however common the word is."""
    table = _PARTS[kind][0]
    row = db.execute(
        f"SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT 1 OFFSET ?", [query, count]
    ).fetchone()
    return row is not None


def find_actor(db: Database, name: str) -> str:
    """The id of the actor ``name`` means: its key, else the one actor with that surname or
    a name containing it.

    Raises:
        InputError: No actor, or several, fit the name; the message lists some to choose from.
    """
    _ready(db)
    key = actor_key(name).key
    if db.execute("SELECT 1 FROM actors WHERE id = ?", [slug(key)]).fetchone():
        return slug(key)
    rows = db.execute(
        "SELECT id, name FROM actors WHERE id LIKE ? ESCAPE '\\' OR name LIKE ? "
        "ORDER BY id LIMIT 11",
        [f"%-{_like(slug(key))}", f"%{_like(name.strip())}%"],
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    if not rows:
        raise InputError(
            f"no actor called {name!r} in the archive; `summarizer actors` lists them."
        )
    names = ", ".join(row[1] for row in rows[:10])
    raise InputError(f"{name!r} fits several actors: {names}; give the full name.")


def _like(text: str) -> str:
    return re.sub(r"([%_\\])", r"\\\1", text)


def actors(
    db: Database, *, limit: int | None = None, min_articles: int = 1, only: str | None = None
) -> list[ActorRow]:
    """The actor index, most articles first: articles, quotes, stances, first and last seen
    (``only``: just the actor with this id)."""
    _ready(db)
    rows = db.execute(
        f"""
        SELECT ac.id, ac.name, ac.kind, COUNT(DISTINCT p.article) AS n_articles,
               SUM((SELECT COUNT(*) FROM quotes q WHERE q.position = p.id)),
               json_group_array(p.stance), MIN(a.date), MAX(a.date)
        FROM positions p
        JOIN actors ac ON ac.id = p.actor
        JOIN articles a ON a.key = p.article
        {"WHERE p.actor = :only" if only is not None else ""}
        GROUP BY ac.id HAVING n_articles >= :min ORDER BY n_articles DESC, ac.name LIMIT :limit
        """,
        {"min": min_articles, "limit": -1 if limit is None else limit, "only": only},
    ).fetchall()
    result = []
    for actor_id, name, kind, count, quotes, stances, first, last in rows:
        tally: dict[str, int] = {}
        for stance in json.loads(stances):
            if stance:
                tally[stance] = tally.get(stance, 0) + 1
        result.append(ActorRow(actor_id, name, kind, count, quotes, tally, first, last))
    return result


def actor_timeline(db: Database, name: str) -> tuple[ActorRow, list[TimelineEntry]]:
    """One actor's articles by date: outlet, stance, position, quotes, links.

    Raises:
        InputError: See ``find_actor``.
    """
    return timeline(db, find_actor(db, name))


TIMELINE_SQL = """
        SELECT a.date, a.source, a.title, a.url, a.key, p.role, p.stance, p.position,
               (SELECT json_group_array(text) FROM
                (SELECT q.text FROM quotes q WHERE q.position = p.id ORDER BY q.rowid))
        FROM positions p INDEXED BY timeline_positions
        JOIN articles a INDEXED BY timeline_articles ON a.key = p.article
        WHERE p.actor = ? ORDER BY a.date IS NULL, a.date, a.key
"""
"""One actor's timeline, every column from the covering indexes in ``schema.TIMELINE`` (named:
SQLite would otherwise look each article up by its primary key and read its row, a page of
the largest table per article, and most of them in no cache at 100,000 articles)."""


def timeline(db: Database, actor_id: str) -> tuple[ActorRow, list[TimelineEntry]]:
    """``actor_timeline`` for an actor id (as ``actors`` gives it)."""
    rows = db.execute(TIMELINE_SQL, [actor_id]).fetchall()
    entries = [
        TimelineEntry(
            date=date,
            source=source,
            title=title,
            url=url,
            article=key,
            role=role,
            stance=stance,
            position=position,
            quotes=json.loads(quotes),
        )
        for date, source, title, url, key, role, stance, position, quotes in rows
    ]
    return _summary(db, actor_id, entries), entries


def _summary(db: Database, actor_id: str, entries: list[TimelineEntry]) -> ActorRow:
    """The actor's row in the index (as ``actors`` counts it), from their timeline: one
    query fewer, and a third of the time at 100,000 articles."""
    found = db.execute("SELECT name, kind FROM actors WHERE id = ?", [actor_id]).fetchone()
    name, kind = found if found else (actor_id, None)
    stances: dict[str, int] = {}
    for entry in entries:
        if entry.stance:
            stances[entry.stance] = stances.get(entry.stance, 0) + 1
    dates = [entry.date for entry in entries if entry.date is not None]
    return ActorRow(
        id=actor_id,
        name=name,
        kind=kind,
        articles=len({entry.article for entry in entries}),
        quotes=sum(len(entry.quotes) for entry in entries),
        stances=stances,
        first_seen=min(dates, default=None),
        last_seen=max(dates, default=None),
    )
