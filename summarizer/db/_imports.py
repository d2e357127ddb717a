"""Import sqlite-utils without the pandas and numpy it does not need here.

sqlite-utils imports pandas and numpy whenever they are installed (the ``ray`` extra brings
them), only to add their scalar types to the map it uses to choose column types for Python
values. This package never lets sqlite-utils choose a column type from a pandas or numpy
value: its tables are declared with Python types and its rows are written with plain SQL.
That import cost 0.4-0.8 s of CPU, most of what ``batch --db`` added to a 1,000-article batch
(README, "Measured"). Hidden while sqlite-utils is first imported, and only if not imported
already, they import normally afterwards (``tests/test_db.py`` checks both).

Imported first by ``summarizer/db/__init__.py``, so before any module of the package imports
sqlite-utils.
"""

from __future__ import annotations

import sys

__all__ = ["import_sqlite_utils"]

_UNUSED = ("pandas", "numpy")


def import_sqlite_utils() -> None:
    """Import sqlite-utils once, with pandas and numpy hidden if nothing imported them yet.

    A module set to ``None`` in ``sys.modules`` makes its import raise ``ImportError``, which
    sqlite-utils catches as "not installed". The entries are removed again at once, so a
    later ``import pandas`` finds the real package. (Another thread importing pandas during
    those few milliseconds would get the ``ImportError``: the import happens when the
    archive is first opened, before a batch starts its work.)
    """
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _UNUSED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


import_sqlite_utils()
