"""Cassettes hold no secrets, and every cassette belongs to a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CASSETTES, ROOT, SECRET_HEADERS

CASSETTE_FILES = sorted(CASSETTES.rglob("*.yaml"))
KEY_LIKE = re.compile(r"sk-(?!local-no-key)[A-Za-z0-9_-]{16,}|Bearer\s+\S+", re.I)


def test_there_are_cassettes() -> None:
    assert len(CASSETTE_FILES) >= 3


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.stem)
def test_no_secrets_in_cassette(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for header in SECRET_HEADERS:
        assert not re.search(rf"^\s*{header}:", text, re.I | re.M), f"{header} in {path}"
    assert not KEY_LIKE.search(text), f"key-like string in {path}"


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.stem)
def test_cassette_is_used_by_a_test(path: Path) -> None:
    module = ROOT / "tests" / f"{path.parent.name}.py"
    assert module.exists(), f"{path} has no test module"
    assert f"def {path.stem}(" in module.read_text(encoding="utf-8"), f"{path} is unused"
