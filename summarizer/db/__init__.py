"""The archive as a database: results in SQLite, actors merged across articles, searchable.

Sits below batch and views: it reads result lines and articles, and imports only schema,
errors, config and the attribution engine's name rules.
"""

from summarizer.db import _imports  # noqa: F401  (first: sqlite-utils without pandas)
from summarizer.db.load import (
    ImportStats,
    add_line,
    check_extra_fields,
    fill_articles,
    import_lines,
    resolve_actors,
)
from summarizer.db.query import (
    ActorRow,
    Hit,
    TimelineEntry,
    actor_timeline,
    actors,
    find_actor,
    search,
    timeline,
)
from summarizer.db.schema import SCHEMA_VERSION, open_archive

__all__ = [
    "SCHEMA_VERSION",
    "ActorRow",
    "Hit",
    "ImportStats",
    "TimelineEntry",
    "actor_timeline",
    "actors",
    "add_line",
    "check_extra_fields",
    "fill_articles",
    "find_actor",
    "import_lines",
    "open_archive",
    "resolve_actors",
    "search",
    "timeline",
]
