"""Datasette metadata for an archive database: facets, full-text search, canned queries.

Datasette itself is an optional extra (``pip install "summarizer[datasette]"``); this module
only writes the metadata it reads, so it needs nothing beyond the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["datasette_metadata"]

QUOTES_BY_ACTOR = """
SELECT date, source, title, url, stance, text, verified, attribution
FROM quotes_view WHERE actor = :actor ORDER BY date
""".strip()

STANCE_OVER_TIME = """
SELECT substr(date, 1, 7) AS month, stance, COUNT(*) AS articles
FROM positions_view WHERE actor = :actor
GROUP BY month, stance ORDER BY month, stance
""".strip()


def datasette_metadata(
    database: str, *, title: str = "Summary archive", extra: Sequence[str] = ()
) -> dict[str, Any]:
    """Metadata for ``datasette serve``: which columns to facet and search, and two canned
    queries, "quotes by actor" and "stance over time".

    Args:
        database: The database's name in Datasette (the file name without ``.db``).
        title: The site's heading.
        extra: The articles table's columns for mapped archive fields: faceted too.
    """
    return {
        "title": title,
        "description": "Who said what, where and when: summaries made by summarizer.",
        "databases": {
            database: {
                "tables": {
                    "articles": {
                        "label_column": "title",
                        "facets": ["source", {"date": "date"}, "ok", *extra],
                        "sort_desc": "date",
                        "fts_table": "articles_fts",
                    },
                    "actors": {"label_column": "name", "facets": ["kind"], "sort": "name"},
                    "positions": {
                        "label_column": "actor_name",
                        "facets": ["stance", "actor", "kind"],
                        "fts_table": "positions_fts",
                    },
                    "quotes": {
                        "facets": ["verified", "attribution"],
                        "fts_table": "quotes_fts",
                    },
                    "quotes_view": {"facets": ["actor", "stance", "source"]},
                    "positions_view": {"facets": ["actor", "stance", "source", {"date": "date"}]},
                },
                "queries": {
                    "quotes_by_actor": {
                        "title": "Quotes by actor",
                        "description": "Every quote an actor gave, by date (actor: full name).",
                        "sql": QUOTES_BY_ACTOR,
                    },
                    "stance_over_time": {
                        "title": "Stance over time",
                        "description": "How many articles gave the actor each stance, by month.",
                        "sql": STANCE_OVER_TIME,
                    },
                },
            }
        },
    }
