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


def test_readme_configuration_table_lists_every_setting() -> None:
    from summarizer.config import ENV_PREFIX, Settings
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    env_names = {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL"}
    for field in Settings.model_fields:
        name = env_names.get(field, ENV_PREFIX + field.upper())
        assert f"`{name}`" in readme, f"{name} is missing from the README's configuration table"
