"""Start-up: commands that need no model never load the openai SDK, and heavy imports wait
until a command uses them (issue 15).

Each command runs in a fresh interpreter, since this one has long imported everything; the
child reports which of the watched modules it loaded.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import summarizer
from summarizer.cli import cli
from tests.conftest import ROOT, SEED

WATCHED = [
    "openai",
    "pydantic",
    "jinja2",
    "tiktoken",
    "trafilatura",
    "lxml",
    "httpx2",
    "rich",
    "summarizer.attribution.engine",
    "summarizer.pipeline",
]

# Run `summarizer ARGS` here, then print the watched modules this process loaded.
CHILD = """
import json, sys
from summarizer.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="summarizer")
except SystemExit as exit:
    if exit.code:
        raise
print("\\n" + json.dumps([name for name in {watched!r} if name in sys.modules]))
"""


def loaded_by(*args: str, cwd: Path) -> set[str]:
    """The watched modules that `summarizer ARGS` loads, run in a fresh interpreter."""
    code = CHILD.format(watched=WATCHED)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the seed article and the offline batch output over it."""
    folder = tmp_path_factory.mktemp("startup")
    record = {"id": "seed", "text": SEED.read_text(encoding="utf-8")}
    (folder / "archive.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    args = ["batch", "archive.jsonl", "-o", "out.jsonl", "--offline", "--no-cache", "-q"]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return folder


def test_help_loads_no_command_and_nothing_heavy(files: Path) -> None:
    assert loaded_by("--help", cwd=files) == set()


ENGINE = {"pydantic", "summarizer.attribution.engine", "summarizer.pipeline"}
PROMPT = {*ENGINE, "jinja2", "tiktoken"}
NO_MODEL = [
    (["schema"], {"pydantic"}),
    (["templates", "list"], {"pydantic", "jinja2"}),
    (["report", "out.jsonl", "-o", "report.html"], {"pydantic", "jinja2", "rich"}),
    (["summarize", str(SEED), "--offline"], {*ENGINE, "rich"}),
    (["render", str(SEED)], PROMPT),
    (["tokens", str(SEED)], PROMPT),
    (["estimate", "archive.jsonl", "--no-cache"], {*PROMPT, "rich"}),
]


@pytest.mark.parametrize(("args", "allowed"), NO_MODEL, ids=[args[0] for args, _ in NO_MODEL])
def test_commands_that_need_no_model_load_only_what_they_use(
    files: Path, args: list[str], allowed: set[str]
) -> None:
    loaded = loaded_by(*args, cwd=files)
    assert "openai" not in loaded
    assert loaded <= allowed, f"summarizer {' '.join(args)} loaded {sorted(loaded - allowed)}"


def test_import_summarizer_loads_no_dependency() -> None:
    code = "import json, sys, summarizer; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(json.loads(done.stdout)) & set(WATCHED) == set()


def test_every_name_in_all_resolves_in_a_fresh_process() -> None:
    code = (
        "import summarizer\n"
        "from summarizer import *\n"
        "missing = [n for n in summarizer.__all__ if n not in globals()]\n"
        "assert not missing, missing\n"
        "assert set(summarizer.__all__) <= set(dir(summarizer))\n"
        "try:\n"
        "    summarizer.no_such_name\n"
        "except AttributeError as exc:\n"
        "    print(exc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "module 'summarizer' has no attribute 'no_such_name'"


def test_lazy_names_match_the_imports_type_checkers_read() -> None:
    """summarizer/__init__.py names each public name twice: under TYPE_CHECKING for mypy and
    IDEs, and in the table that loads it. The two must agree."""
    tree = ast.parse((ROOT / "summarizer" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    typed = {
        alias.name: str(node.module)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == summarizer._LAZY
    assert set(typed) | {"__version__"} == set(summarizer.__all__)
    for name, module in typed.items():
        assert getattr(summarizer, name) is getattr(importlib.import_module(module), name)


def test_help_lists_each_command_as_its_own_help_would() -> None:
    """`summarizer --help` shows a sentence from the group's table for commands not loaded yet:
    it must read exactly as the command's own help, shortened the same way, at any width."""
    ctx = click.Context(cli)
    for name, (_, sentence) in cli.lazy.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.name == name
        stand_in = click.Command(name, help=sentence)
        for limit in range(20, 160, 7):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_a_loaded_command_lists_the_same_as_a_lazy_one() -> None:
    code = (
        "from click.testing import CliRunner\n"
        "from summarizer.cli import cli\n"
        "lazy = CliRunner().invoke(cli, ['--help'], terminal_width=100).output\n"
        "cli.get_command(None, 'summarize')\n"
        "print(lazy == CliRunner().invoke(cli, ['--help'], terminal_width=100).output)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_a_mistyped_command_is_still_matched_against_every_command() -> None:
    code = (
        "from click.testing import CliRunner\n"
        "from summarizer.cli import cli\n"
        "print(CliRunner().invoke(cli, ['summ', '--help']).output)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "No such command 'summ'. Did you mean 'summarize'?" in done.stdout
