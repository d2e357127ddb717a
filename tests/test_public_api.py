"""The public surface: __all__ complete and sorted (httpx's test_exported_members)."""

from __future__ import annotations

import summarizer


def test_all_is_sorted_and_complete() -> None:
    exported = summarizer.__all__
    assert exported == sorted(exported)
    public = {name for name in dir(summarizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(summarizer, name)).__name__ == "module"}
    assert public - modules - {"annotations"} <= set(exported) | {"__version__"}
    for name in exported:
        assert hasattr(summarizer, name), name
