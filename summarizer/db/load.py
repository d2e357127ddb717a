"""Put batch results into the archive database: import output files, add results as they come.

Every article has a stable key, its record id plus the first 16 hex digits of the article's
sha256 (``a1#3f2c…``), or ``a1#error`` for an error line. Writing an article replaces its rows
(article, positions, quotes, statements) in one transaction, so importing a file twice,
re-running a batch, or resuming one after ``kill -9`` never duplicates a row, and an
interrupted write leaves the database as it was before it.

Lines are read tolerantly: reported statements as strings or as ``{id, text, start, end}``,
quotes and positions with or without ``id``/``origin``/``evidence``/``supported``, a result
with or without ``language``; what a line lacks is NULL.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, TypeVar

from sqlite_utils import Database

from summarizer.db.identity import ActorName, Mention, actor_key, resolve_keys, slug, surname
from summarizer.db.schema import FTS, TABLES, extra_columns
from summarizer.errors import InputError

if TYPE_CHECKING:  # at run time, pydantic only where articles are read (not a writer process)
    from summarizer.schema import Article

__all__ = [
    "ArticleFields",
    "ArticleRows",
    "Filling",
    "ImportStats",
    "add_line",
    "article_key",
    "check_extra_fields",
    "fill_articles",
    "import_lines",
    "prepare",
    "resolve_actors",
    "write_rows",
]

T = TypeVar("T")
_CHILDREN = ("statements", "quotes", "positions")
_PEOPLE = (None, "person", "group")
# The offline engine calls a lone surname a group at times: match those too.
_PERSON = "COALESCE(kind, 'person') IN ('person', 'group')"
_BULK = 500
_METADATA = frozenset({"title", "url", "source", "date", "language", "text"})
_ARTICLE_COLUMNS = frozenset([*TABLES["articles"], "rowid", "oid", "_rowid_"])
_JSON = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every value written (``json.dumps`` with options makes one per call)."""


@dataclass
class ImportStats:
    """What an import did."""

    results: int = 0
    errors: int = 0
    positions: int = 0
    quotes: int = 0
    filled: int = 0
    torn: bool = False

    def summary(self) -> str:
        text = (
            f"{self.results} results ({self.positions} positions, {self.quotes} quotes) "
            f"and {self.errors} error lines"
        )
        text += f"; archive metadata for {self.filled} articles" if self.filled else ""
        return text + ("; skipped a torn last line" if self.torn else "")


def article_key(record_id: str, article_sha256: str | None) -> str:
    """The article's primary key: record id and text hash, stable across runs."""
    return f"{record_id}#{article_sha256[:16] if article_sha256 else 'error'}"


def text_sha256(text: str) -> str:
    """As the pipeline hashes an article (provenance ``article_sha256``)."""
    return hashlib.sha256(text.encode()).hexdigest()


class ArticleFields(NamedTuple):
    """What the database takes from an input article; an ``Article`` has the same fields."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    date: str | None = None


@dataclass
class ArticleRows:
    """One article's rows, ready to write."""

    article: dict[str, Any]
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)


def import_lines(
    db: Database,
    lines: Iterable[str],
    *,
    source: str,
    chunk: int = 500,
    missing_only: bool = False,
) -> ImportStats:
    """Import a batch output's lines (online or Batch API), ``chunk`` articles per transaction.

    With ``missing_only``, lines whose article is already in the database are skipped (a
    resumed ``batch --db`` catches up on lines written before the database was named).

    Raises:
        InputError: A line is not JSON or not a result or error line (names the line).
    """
    stats = ImportStats()
    present = {k for (k,) in db.execute("SELECT key FROM articles")} if missing_only else set()
    pending: list[ArticleRows] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = _parse(raw, source, number)
        except InputError:
            if raw.endswith("\n"):
                raise
            stats.torn = True  # the last line of a run killed mid-write: the batch redoes it
            continue
        rows = _rows(line, imported_from=source)
        if rows.article["key"] not in present:
            pending.append(rows)
        if len(pending) >= chunk:
            _write(db, pending, stats)
            pending = []
    _write(db, pending, stats)
    resolve_actors(db)
    return stats


def add_line(
    db: Database,
    line: str,
    *,
    article: Article | ArticleFields | None,
    source: str,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write one batch output line as it completes, with the input article's metadata, text
    and mapped extra fields. Actors are resolved across the archive later
    (``resolve_actors``)."""
    write_rows(db, [prepare(line, article=article, source=source, extra=extra)])


def prepare(
    line: str,
    *,
    article: Article | ArticleFields | None,
    source: str,
    extra: Mapping[str, Any] | None = None,
) -> ArticleRows:
    """The rows one output line becomes, with the article's text and metadata, and the
    archive fields the user mapped (``extra``: column name to value), if given.

    Raises:
        InputError: The line is not a result or error line.
    """
    rows = _rows(_parse(line, source, None), imported_from=source)
    if article is not None:
        _apply_article(rows.article, article, extra)
    return rows


def write_rows(db: Database, batch: list[ArticleRows], stats: ImportStats | None = None) -> None:
    """Write prepared articles in one transaction, replacing their earlier rows."""
    _write(db, batch, stats or ImportStats())


Filling: TypeAlias = (
    "tuple[str, Article | ArticleFields]"
    " | tuple[str, Article | ArticleFields, Mapping[str, Any] | None]"
)
"""What ``fill_articles`` takes for one article."""


def fill_articles(db: Database, articles: Iterable[Filling], *, only_missing: bool = False) -> int:
    """Add the archive's metadata, text and mapped extra fields to imported articles, matched
    on record id and the text's sha256 (so a changed article never lends its text to an old
    result); ``only_missing``: only to articles that have no text yet.

    Args:
        articles: ``(record id, article)`` or ``(record id, article, extra fields)``.
    """
    filled = 0
    for chunk in _chunks(list(articles), _BULK):
        rows = []
        for record_id, article, *extra in chunk:
            row: dict[str, Any] = {"key": article_key(record_id, text_sha256(article.text))}
            _apply_article(row, article, extra[0] if extra else None)
            rows.append(row)
        filled += _fill(db, rows, only_missing=only_missing)
    return filled


def _fill(db: Database, rows: list[dict[str, Any]], *, only_missing: bool) -> int:
    columns = ["text", "title", "url", "source", "date", *_extra_columns(db, rows)]
    assignments = ", ".join(f'"{c}" = COALESCE(?, "{c}")' for c in columns)
    condition = "key = ? AND text IS NULL" if only_missing else "key = ?"
    keys = json.dumps([row["key"] for row in rows])
    with db.atomic():
        _index(db, keys, delete=True, tables=("articles",))
        cursor = db.conn.executemany(
            f"UPDATE articles SET {assignments} WHERE {condition}",
            ([*(row.get(c) for c in columns), row["key"]] for row in rows),
        )
        _index(db, keys, tables=("articles",))
    return cursor.rowcount


def _apply_article(
    row: dict[str, Any],
    article: Article | ArticleFields,
    extra: Mapping[str, Any] | None = None,
) -> None:
    row["text"] = article.text
    for name in ("title", "url", "source", "date"):
        value = getattr(article, name)
        if value is not None:
            row[name] = value
    for name, value in (extra or {}).items():
        row[name] = (
            json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
        )


def check_extra_fields(names: Iterable[str]) -> None:
    """Mapped archive fields become columns of the articles table under their own names.

    Raises:
        InputError: A name the table has already, or one SQLite cannot take as a column.
    """
    for name in names:
        folded = name.strip().lower()
        if folded in _ARTICLE_COLUMNS:
            raise InputError(
                f"--extra-field {name!r}: the articles table has a {folded!r} column already; "
                "the archive's title, date, url and source go there with --title-field, "
                "--date-field, --url-field and --source-field."
            )
        if not folded or '"' in name or folded.startswith("sqlite_"):
            raise InputError(
                f"--extra-field {name!r} cannot be a column name; name a field that has no "
                "double quote and does not start with 'sqlite_'."
            )


def _parse(raw: str, source: str, number: int | None) -> dict[str, Any]:
    try:
        line = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON ({exc.msg}); is this a `summarizer batch` output file?",
            source=source,
            line=number,
        ) from None
    if (
        not isinstance(line, dict)
        or "id" not in line
        or ("provenance" not in line and "error" not in line)
    ):
        raise InputError(
            "not a result or error line of `summarizer batch` (it needs an id, and provenance "
            "or error).",
            source=source,
            line=number,
        )
    return line


def _rows(line: Mapping[str, Any], *, imported_from: str) -> ArticleRows:
    provenance = line.get("provenance")
    ok = isinstance(provenance, dict) and "error" not in line
    sha = provenance.get("article_sha256") if ok and isinstance(provenance, dict) else None
    key = article_key(str(line["id"]), sha)
    rows = ArticleRows(_article_row(line, key, ok, imported_from))
    if not ok:
        return rows
    names = [
        actor_key(str(p.get("actor", "")), kind=p.get("kind"), role=p.get("role"))
        for p in line.get("positions") or []
    ]
    for index, (position, name) in enumerate(zip(line.get("positions") or [], names, strict=True)):
        name_key = _within_article(name, names, position.get("kind"))
        _add_position(rows, key, index, position, name, name_key)
    return rows


def _article_row(line: Mapping[str, Any], key: str, ok: bool, imported_from: str) -> dict[str, Any]:
    provenance = line.get("provenance") if ok else None
    prov = provenance if isinstance(provenance, dict) else {}
    return {
        "key": key,
        "id": str(line["id"]),
        "record": line.get("record"),
        "title": line.get("title"),
        "url": line.get("url"),
        "language": line.get("language") or prov.get("language"),
        "ok": int(ok),
        "issue": line.get("issue"),
        "summary": line.get("summary"),
        "error": None if ok else line.get("error"),
        "message": None if ok else line.get("message"),
        "engine": prov.get("engine"),
        "model": prov.get("model"),
        "article_sha256": prov.get("article_sha256"),
        "template_sha256": prov.get("template_sha256"),
        "created_at": prov.get("created_at"),
        "provenance": _JSON.encode(prov) if prov else None,
        "missed_actors": _json_or_none(line.get("missed_actors")),
        "imported_from": imported_from,
    }


def _within_article(name: ActorName, names: list[ActorName], kind: Any) -> str:
    """A surname alone joins the one full name with that surname in the same article."""
    if not name.surname_only or kind not in _PEOPLE:
        return name.key
    fuller = {n.key for n in names if not n.surname_only and surname(n.key) == name.key}
    return fuller.pop() if len(fuller) == 1 else name.key


def _add_position(
    rows: ArticleRows,
    key: str,
    index: int,
    position: Mapping[str, Any],
    name: ActorName,
    name_key: str,
) -> None:
    position_id = f"{key}/p{index + 1}"
    actor_id = slug(name_key)
    rows.actors.setdefault(
        actor_id, {"id": actor_id, "name": name.display, "kind": position.get("kind")}
    )
    supported = position.get("supported")
    rows.positions.append(
        {
            "id": position_id,
            "article": key,
            "actor": actor_id,
            "actor_key": name_key,
            "actor_name": position.get("actor"),
            "kind": position.get("kind"),
            "role": position.get("role") or None,
            "stance": position.get("stance"),
            "position": position.get("position"),
            "evidence": _json_or_none(position.get("evidence")),
            "supported": None if supported is None else int(bool(supported)),
            "origin": position.get("origin"),
        }
    )
    for number, quote in enumerate(position.get("quotes") or [], 1):
        rows.quotes.append(_quote_row(quote, f"{position_id}/q{number}", position_id, key))
    for number, statement in enumerate(position.get("statements") or [], 1):
        rows.statements.append(
            _statement_row(statement, f"{position_id}/s{number}", position_id, key)
        )


def _quote_row(quote: Any, row_id: str, position_id: str, key: str) -> dict[str, Any]:
    quote = quote if isinstance(quote, dict) else {"text": str(quote)}
    verified = quote.get("verified")
    return {
        "id": row_id,
        "position": position_id,
        "article": key,
        "quote_id": quote.get("id"),
        "text": quote.get("text"),
        "start": quote.get("start"),
        "end": quote.get("end"),
        "verified": None if verified is None else int(bool(verified)),
        "speaker": quote.get("speaker"),
        "attribution": quote.get("attribution"),
        "origin": quote.get("origin"),
    }


def _statement_row(statement: Any, row_id: str, position_id: str, key: str) -> dict[str, Any]:
    item = statement if isinstance(statement, dict) else {"text": str(statement)}
    return {
        "id": row_id,
        "position": position_id,
        "article": key,
        "statement_id": item.get("id"),
        "text": item.get("text"),
        "start": item.get("start"),
        "end": item.get("end"),
    }


def _json_or_none(value: Any) -> str | None:
    return None if value in (None, []) else _JSON.encode(value)


def _write(db: Database, batch: list[ArticleRows], stats: ImportStats) -> None:
    """Replace each article's rows and their full-text entries, the whole batch in one
    transaction with one statement per table (per-article calls, sqlite-utils' per-call
    introspection and FTS5 triggers each cost more than SQLite's own writing)."""
    latest = {rows.article["key"]: rows for rows in batch}  # a key twice: the later line wins
    if not latest:
        return
    # A result replaces the error line of an earlier run.
    errors = [article_key(r.article["id"], None) for r in latest.values() if r.article["ok"]]
    extra = _extra_columns(db, [rows.article for rows in latest.values()])
    touched = {
        surname(p["actor_key"])
        for rows in latest.values()
        for p in rows.positions
        if p["kind"] in _PEOPLE
    }
    with db.atomic():
        touched |= _delete(db, [*latest, *errors], errors)
        _upsert_articles(db, [rows.article for rows in latest.values()], extra)
        actors = {a["id"]: a for rows in latest.values() for a in rows.actors.values()}
        _insert(db, "actors", actors.values(), ignore=True)
        for table in ("positions", "quotes", "statements"):
            _insert(db, table, (r for rows in latest.values() for r in getattr(rows, table)))
        _index(db, _JSON.encode(list(latest)))
        # Whose people changed: resolve_actors looks at these surnames again, and only them.
        db.execute(
            "INSERT OR IGNORE INTO unresolved (surname) SELECT value FROM json_each(?)",
            [_JSON.encode(sorted(touched))],
        )
        db.execute("UPDATE meta SET value = '0' WHERE key = 'actors_resolved'")
    for rows in latest.values():
        stats.results += rows.article["ok"]
        stats.errors += 1 - rows.article["ok"]
        stats.positions += len(rows.positions)
        stats.quotes += len(rows.quotes)


def _delete(db: Database, keys: list[str], errors: list[str]) -> set[str]:
    """Take out the rows and full-text entries of the articles these keys name, if present
    (in a batch, most are new: one lookup for all, instead of a delete per key and table),
    and the article rows of the ``errors`` keys (results replace them). Returns the surnames
    of the people whose positions were taken out."""
    present = [
        [key]
        for (key,) in db.execute(
            "SELECT key FROM articles WHERE key IN (SELECT value FROM json_each(?))",
            [_JSON.encode(keys)],
        )
    ]
    if not present:
        return set()
    encoded = _JSON.encode([key for [key] in present])
    removed = {
        surname(key)
        for (key,) in db.execute(
            f"SELECT DISTINCT actor_key FROM positions WHERE {_PERSON} "
            "AND article IN (SELECT value FROM json_each(?))",
            [encoded],
        )
    }
    _index(db, encoded, delete=True)
    for table in _CHILDREN:
        db.conn.executemany(f"DELETE FROM {table} WHERE article = ?", present)
    db.conn.executemany("DELETE FROM articles WHERE key = ?", [[key] for key in errors])
    return removed


def _index(
    db: Database, keys: str, *, delete: bool = False, tables: Iterable[str] = tuple(FTS)
) -> None:
    """Add the full-text entries of these articles' rows (a JSON list of keys), or with
    ``delete`` take them out (FTS5 needs the indexed values to remove an entry)."""
    for table in tables:
        columns = FTS[table]
        names = ", ".join(columns)
        column = "key" if table == "articles" else "article"
        into, what = (
            (f"{table}_fts({table}_fts, rowid, {names})", f"'delete', rowid, {names}")
            if delete
            else (f"{table}_fts(rowid, {names})", f"rowid, {names}")
        )
        db.execute(
            f"INSERT INTO {into} SELECT {what} FROM {table} "
            f"WHERE {column} IN (SELECT value FROM json_each(?))",
            [keys],
        )


def _upsert_articles(db: Database, rows: list[dict[str, Any]], extra: list[str]) -> None:
    """Insert or update article rows. Metadata a line lacks (it never has the text) keeps
    what an earlier import or the archive gave; the result's own fields are replaced."""
    columns = [*TABLES["articles"], *extra]
    names = ", ".join(f'"{c}"' for c in columns)
    kept = _METADATA.union(extra)
    updates = ", ".join(
        f'"{c}" = COALESCE(excluded."{c}", articles."{c}")'
        if c in kept
        else f'"{c}" = excluded."{c}"'
        for c in columns
        if c != "key"
    )
    db.conn.executemany(
        f"INSERT INTO articles ({names}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT(key) DO UPDATE SET {updates}",
        ([row.get(c) for c in columns] for row in rows),
    )


def _extra_columns(db: Database, rows: list[dict[str, Any]]) -> list[str]:
    """The articles table's columns for mapped archive fields: those the table has, and new
    ones these rows bring (typed by their first value), added before the write."""
    known = set(TABLES["articles"])
    have = extra_columns(db)
    new: dict[str, Any] = {}
    for row in rows:
        for name, value in row.items():
            if name not in known and name not in have and new.get(name) is None:
                new[name] = value
    for name, value in new.items():
        column_type = value.__class__ if isinstance(value, int | float) else str
        db.table("articles").add_column(name, column_type)
    return have + list(new)


def _insert(
    db: Database, table: str, records: Iterable[dict[str, Any]], *, ignore: bool = False
) -> None:
    """Plain INSERTs of rows whose columns the schema fixes. sqlite-utils' insert_all
    inspects and converts every value, which here cost more than SQLite's own writing."""
    columns = list(TABLES[table])
    names = ", ".join(f'"{c}"' for c in columns)
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    db.conn.executemany(
        f"{verb} INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
        map(itemgetter(*columns), records),
    )


def resolve_actors(db: Database, *, everything: bool = False) -> int:
    """Give every surname-only person the actor the archive says they are (identity.py).

    Every mention of a surname whose people were written since the last time (the
    ``unresolved`` table; with ``everything``, of every surname) is decided again from the
    whole archive, so the answer does not depend on the order articles came in: a new
    "Olaf Scholz" can change who "Scholz" is in any article, and is written under
    "scholz". Returns how many (article, name) pairs were joined to a full name.
    """
    with db.atomic():  # the write lock first: no writer adds a surname half way
        pending = [s for (s,) in db.execute("DELETE FROM unresolved RETURNING surname")]
        chosen = _resolve(db, None if everything else pending)
        db.execute("UPDATE meta SET value = '1' WHERE key = 'actors_resolved'")
    return len(chosen)


def _resolve(db: Database, surnames: list[str] | None) -> dict[tuple[str, str], str]:
    """Resolve the mentions of these surnames (None: all) and move them to their actors."""
    if surnames is not None and not surnames:
        return {}
    wanted = "" if surnames is None else "AND actor_key IN (SELECT value FROM json_each(?))"
    arguments = [] if surnames is None else [_JSON.encode(surnames)]
    rows = db.execute(
        f"SELECT article, actor_key, COALESCE(role, ''), actor, actor_name FROM positions "
        f"WHERE {_PERSON} AND instr(actor_key, ' ') = 0 {wanted}",
        arguments,
    ).fetchall()
    full_keys = _full_keys(db, None if surnames is None else set(surnames))
    mentions = [Mention(article, key, role) for article, key, role, _, _ in rows]
    namesakes = Counter(surname(k) for k in full_keys)
    ambiguous = [m for m in mentions if namesakes[m.key] > 1]
    roles, neighbours, article_keys = _context(db, ambiguous, full_keys)
    chosen = resolve_keys(
        mentions, full_keys, roles=roles, neighbours=neighbours, article_keys=article_keys
    )
    moves: list[tuple[str, str, str]] = []
    new_actors: dict[str, dict[str, Any]] = {}
    for article, key, _, current, name in rows:
        target = slug(chosen.get((article, key), key))
        if target != current:
            moves.append((target, article, key))
            display = actor_key(name or key).display
            new_actors.setdefault(target, {"id": target, "name": display, "kind": "person"})
    _insert(db, "actors", new_actors.values(), ignore=True)
    db.conn.executemany("UPDATE positions SET actor = ? WHERE article = ? AND actor_key = ?", moves)
    db.execute("DELETE FROM actors WHERE id NOT IN (SELECT actor FROM positions)")
    return chosen


def _full_keys(db: Database, surnames: set[str] | None) -> dict[str, int]:
    """Full-name person keys (of these surnames; None: all) and their article counts."""
    if surnames is None:
        return dict(
            db.execute(
                f"SELECT actor_key, COUNT(DISTINCT article) FROM positions "
                f"WHERE {_PERSON} AND instr(actor_key, ' ') > 0 GROUP BY actor_key"
            ).fetchall()
        )
    # The distinct keys come from the index on actor_key alone; the rows of the few that
    # share a wanted surname are read after.
    keys = [
        key
        for (key,) in db.execute(
            "SELECT DISTINCT actor_key FROM positions WHERE instr(actor_key, ' ') > 0"
        )
        if surname(key) in surnames
    ]
    return dict(
        db.execute(
            f"SELECT actor_key, COUNT(DISTINCT article) FROM positions WHERE {_PERSON} "
            "AND actor_key IN (SELECT value FROM json_each(?)) GROUP BY actor_key",
            [_JSON.encode(keys)],
        ).fetchall()
    )


def _context(
    db: Database, ambiguous: list[Mention], full_keys: Mapping[str, int]
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]], dict[str, list[str]]]:
    """Roles and co-speakers of the full names a surname could belong to, and who else
    speaks in the articles of those surnames."""
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    neighbours: dict[str, Counter[str]] = defaultdict(Counter)
    article_keys: dict[str, list[str]] = defaultdict(list)
    if not ambiguous:
        return roles, neighbours, article_keys
    wanted = {m.key for m in ambiguous}
    candidates = [k for k in full_keys if surname(k) in wanted]
    for chunk in _chunks(candidates, 500):
        marks = ", ".join("?" * len(chunk))
        for key, role in db.execute(
            f"SELECT actor_key, lower(role) FROM positions WHERE actor_key IN ({marks}) "
            "AND role IS NOT NULL",
            chunk,
        ):
            roles[key][role] += 1
        for key, other, count in db.execute(
            f"SELECT a.actor_key, b.actor_key, COUNT(*) FROM positions a "
            f"JOIN positions b ON a.article = b.article AND a.actor_key != b.actor_key "
            f"WHERE a.actor_key IN ({marks}) GROUP BY 1, 2",
            chunk,
        ):
            neighbours[key][other] += count
    for chunk in _chunks(sorted({m.article for m in ambiguous}), 500):
        marks = ", ".join("?" * len(chunk))
        for article, key in db.execute(
            f"SELECT article, actor_key FROM positions WHERE article IN ({marks})", chunk
        ):
            article_keys[article].append(key)
    return roles, neighbours, article_keys


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
