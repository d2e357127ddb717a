"""The command line: one-line errors, render/tokens/schema, and one recorded end-to-end run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from summarizer.cli import Injected, cli
from summarizer.schema import SummaryResult
from summarizer.testing import FakeLLM
from tests.conftest import SEED
from tests.test_pipeline_split import fake_model

ENDPOINT = ["--base-url", "http://127.0.0.1:9/v1"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.txt", "missing.txt: no such file"),
        (lambda p: p, "is a directory"),
        (lambda p: _write(p / "empty.txt", b"  \n"), "empty.txt: the input is blank"),
        (lambda p: _write(p / "bin.txt", b"\x89PNG\0\0\0"), "bin.txt: looks like a PNG image"),
        (lambda p: _write(p / "nul.txt", b"text\0with NUL bytes"), "nul.txt: "),
    ],
    ids=["missing", "directory", "empty", "binary", "nul-bytes"],
)
def test_bad_input_is_one_line_and_exit_1(
    runner: CliRunner, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    result = runner.invoke(cli, ["summarize", str(path), *ENDPOINT])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output + result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_no_endpoint_falls_back_to_offline_and_says_so(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["summarize", str(SEED)])
    assert result.exit_code == 0, result.stderr
    note = result.stderr.strip()
    assert "\n" not in note
    assert "offline" in note
    assert "OPENAI_API_KEY" in note
    assert "--base-url" in note
    assert "Olaf Scholz" in result.stdout
    assert "completely premature" in result.stdout


def test_offline_flag_makes_no_call_even_with_an_endpoint(runner: CliRunner) -> None:
    args = ["summarize", str(SEED), "--offline", "--format", "json", *ENDPOINT]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert SummaryResult.model_validate_json(result.stdout).provenance.engine == "offline"


def test_render_prints_messages_and_token_counts(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(SEED), "--max-actors", "5"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("=== system (")
    assert "=== user (" in result.stdout
    assert "at most 5" in result.stdout
    assert "Keir Starmer" in result.stdout
    assert "prompt" in result.stderr
    assert "tokens" in result.stderr


def test_render_reads_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", "-"], input="A short article from stdin.")
    assert result.exit_code == 0
    assert "A short article from stdin." in result.stdout


def test_tokens_reports_budget(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tokens", str(SEED), "--model", "gpt-4o-mini"])
    payload = json.loads(result.stdout)
    assert payload["context_window"] == 128_000
    assert 400 < payload["article_tokens"] < payload["prompt_tokens"]
    assert payload["fits"] is True
    assert payload["parts"] == payload["calls"] == 1
    assert payload["part_prompt_tokens"] == [payload["prompt_tokens"]]


def test_tokens_over_budget_is_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CONTEXT_WINDOW", "1000")
    result = runner.invoke(cli, ["tokens", str(SEED)])
    assert result.exit_code == 1
    assert "1000-token context window" in result.stderr


def test_bad_setting_is_config_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MAX_ACTORS", "many")
    result = runner.invoke(cli, ["render", str(SEED)])
    assert result.exit_code == 1
    assert "SUMMARIZER_MAX_ACTORS" in result.stderr


def test_schema_is_json_schema_of_result(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    schema = json.loads(result.stdout)
    assert schema == SummaryResult.model_json_schema()


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert {"summarize", "render", "batch", "report", "db"} <= set(names)
    for name in names:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, f"{name} --help has no example"
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert command.help


def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["summarize"])
    assert result.exit_code == 2


def _archive(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": SEED.read_text(encoding="utf-8")}, {"id": "b", "text": ""}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_batch_without_endpoint_stops_at_once(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(_archive(tmp_path)), "-o", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert "No LLM endpoint configured" in result.stderr
    assert not out.exists()


def test_batch_offline_needs_no_endpoint(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    args = ["batch", str(_archive(tmp_path)), "-o", str(out), "--offline", "--quiet"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["ok"] for line in lines) == [False, True]


def test_help_does_not_load_ray() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from summarizer.cli import cli; "
        "CliRunner().invoke(cli, ['--help']); CliRunner().invoke(cli, ['batch', '--help']); "
        "print('ray' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_ray_options_without_via_ray_are_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    args = ["batch", str(_archive(tmp_path)), "-o", str(tmp_path / "o.jsonl"), "--offline"]
    result = runner.invoke(cli, [*args, "--ray-address", "auto"])
    assert result.exit_code == 2
    assert "go with --via ray" in result.stderr


def test_estimate_prints_tokens_and_cost(runner: CliRunner, tmp_path: Path) -> None:
    args = ["estimate", str(_archive(tmp_path)), "--model", "gpt-4o-mini", "--no-cache"]
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert (figures["records"], figures["articles"], figures["bad_records"]) == (2, 1, 1)
    assert figures["input_tokens"] > 400
    assert figures["cost_usd"] is not None


def test_batch_dry_run_sends_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["batch", str(_archive(tmp_path)), "-o", str(out), "--dry-run", "--no-cache"]
    result = runner.invoke(cli, [*args, "--price-in", "1", "--price-out", "2", "--model", "x"])
    assert result.exit_code == 0, result.stderr
    assert "1 to send" in result.stdout
    assert "$" in result.stdout
    assert not out.exists()


# ---- articles too long for one call: render and tokens show the split summarize makes ----


@pytest.fixture
def too_long_for_one_call(monkeypatch: pytest.MonkeyPatch) -> int:
    """A window the seed article needs two calls for (its prompt with the evidence and the
    schema that JSON mode adds is ~2,000 tokens)."""
    monkeypatch.setenv("SUMMARIZER_CONTEXT_WINDOW", "2200")
    monkeypatch.setenv("SUMMARIZER_MAX_OUTPUT_TOKENS", "256")
    return 2200


def _summarize_with_fake(runner: CliRunner) -> FakeLLM:
    fake = FakeLLM(default=fake_model)
    args = ["summarize", str(SEED), *ENDPOINT, "--format", "json"]
    result = runner.invoke(cli, args, obj=Injected(client=fake))
    assert result.exit_code == 0, result.stderr
    assert SummaryResult.model_validate_json(result.stdout).provenance.parts == 2
    return fake


def test_tokens_counts_the_parts_summarize_makes(
    runner: CliRunner, too_long_for_one_call: int
) -> None:
    result = runner.invoke(cli, ["tokens", str(SEED)])

    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["fits"] is False
    assert payload["parts"] == 2
    assert payload["calls"] == 3  # two parts and the reduce call
    assert len(payload["part_prompt_tokens"]) == 2
    assert sum(payload["part_prompt_tokens"]) == payload["prompt_tokens"]
    assert all(n + 256 <= too_long_for_one_call for n in payload["part_prompt_tokens"])
    assert payload["context_window"] == too_long_for_one_call
    fake = _summarize_with_fake(runner)
    assert len(fake.requests) == payload["calls"]


def test_render_shows_every_part_as_summarize_sends_it(
    runner: CliRunner, too_long_for_one_call: int
) -> None:
    result = runner.invoke(cli, ["render", str(SEED)])

    assert result.exit_code == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("=== ")]
    assert [h.split(" (")[0] for h in headers] == [
        "=== part 1 of 2: system",
        "=== part 1 of 2: user",
        "=== part 2 of 2: system",
        "=== part 2 of 2: user",
    ]
    assert "2 parts, prompts " in result.stderr
    assert "1 reduce call" in result.stderr
    fake = _summarize_with_fake(runner)
    sent = [r.messages[-1]["content"] for r in fake.requests if r.schema_name == "Draft"]
    assert len(sent) == 2
    assert all(content in result.stdout for content in sent)


@pytest.mark.parametrize("command", ["render", "tokens"])
def test_render_and_tokens_without_splitting_are_one_line(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    too_long_for_one_call: int,
    command: str,
) -> None:
    monkeypatch.setenv("SUMMARIZER_MAX_PARTS", "1")

    result = runner.invoke(cli, [command, str(SEED)])

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "2200-token context window" in result.stderr


# ---- -o into a folder that does not exist -------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["summarize", str(SEED), "--offline"],
        ["summarize", str(SEED), "--offline", "--format", "html"],
        ["report", "-"],
    ],
    ids=["summarize", "summarize-html", "report"],
)
def test_output_into_a_missing_folder_is_one_line_with_a_hint(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "no-such-folder" / "out.html"

    result = runner.invoke(cli, [*command, "-o", str(out)], input="")

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {out}: cannot write the file: the folder ")
    assert "does not exist; create it first" in result.stderr
    assert "Could not open file" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_folder_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["summarize", str(SEED), "--offline", "-o", str(tmp_path)])

    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {tmp_path}: cannot write the file: it is a folder; name a file inside it.\n"
    )


def test_output_into_a_missing_folder_fails_before_any_call(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The endpoint is closed (port 9): reaching it would be a connection error, not this one.
    out = tmp_path / "no-such-folder" / "x.txt"
    result = runner.invoke(cli, ["summarize", str(SEED), *ENDPOINT, "-o", str(out)])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert "cannot connect" not in result.stderr
    assert not out.parent.exists()


def test_batch_refuses_to_write_into_its_own_input(runner: CliRunner, tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    archive.write_text('{"id": "1", "text": "Mayor Ann Lee said: “We will build it.”"}\n')
    before = archive.read_text()
    result = runner.invoke(cli, ["batch", str(archive), "--offline", "-o", str(archive), "-q"])
    assert result.exit_code == 1
    assert "the output is the input archive" in result.stderr
    assert archive.read_text() == before


def test_live_status_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from summarizer import llm
    from summarizer.cli._common import live_status

    with live_status(enabled=True):  # pytest's stderr is no terminal
        assert llm._watcher.get() is None

    shown: list[str] = []
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.setattr("rich.status.Status.update", lambda self, text: shown.append(text))
    with live_status(enabled=True):
        watcher = llm._watcher.get()
        assert watcher is not None
        watcher(llm.StreamProgress("local-medium", 3.0, 42))
    assert len(shown) == 1
    assert shown[0].startswith("local-medium · ")
    assert shown[0].endswith(" · 42 tokens")
    with live_status(enabled=False):  # offline: nothing to wait for
        assert llm._watcher.get() is None


# ---- issue 11: one line, the right line ---------------------------------------------------

FRENCH = (
    "Hélène Martin, maire de la commune, a déclaré : « Le coût des travaux dépasse nos "
    "prévisions. » Elle a ajouté que le conseil déciderait mardi."
)


def test_a_latin1_article_is_read_intact_and_the_guess_is_said(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path / "article.txt", FRENCH.encode("latin-1"))

    # render prints the prompt, article text included, and calls nothing.
    guessed = runner.invoke(cli, ["render", str(path)])
    given = runner.invoke(cli, ["render", str(path), "--encoding", "latin-1"])
    offline = runner.invoke(cli, ["summarize", str(path), "--offline", "--format", "json"])

    assert guessed.exit_code == 0, guessed.stderr
    assert FRENCH in guessed.stdout  # not Hélčne, not coűt
    note = f"note: {path}: not UTF-8 and no charset declared; assumed cp1252."
    assert guessed.stderr.splitlines()[0].startswith(note)
    assert given.exit_code == 0, given.stderr
    assert FRENCH in given.stdout
    assert "assumed" not in given.stderr
    assert offline.exit_code == 0, offline.stderr
    assert offline.stderr.splitlines() == [guessed.stderr.splitlines()[0]]


def test_an_unknown_encoding_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path / "article.txt", FRENCH.encode())
    result = runner.invoke(cli, ["summarize", str(path), "--offline", "--encoding", "klingon"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "unknown encoding 'klingon'" in result.stderr


def test_bad_input_without_an_endpoint_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["summarize", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'missing.txt'}: no such file; check the path.\n"


def test_summarize_checks_house_templates_before_falling_back(
    runner: CliRunner, tmp_path: Path
) -> None:
    prompts = tmp_path / "house"
    prompts.mkdir()
    (prompts / "positions.user.j2").write_text("{{ outlet }}", encoding="utf-8")

    result = runner.invoke(cli, ["summarize", str(SEED), "--prompts", str(prompts)])

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "'outlet' is undefined" in result.stderr
    assert result.stdout == ""


def test_a_batch_where_nothing_succeeded_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "headline": "no text"}\n{"id": "b", "text": ""}\n')
    out = tmp_path / "out.jsonl"

    result = runner.invoke(cli, ["batch", str(path), "-o", str(out), "--offline", "--quiet"])

    assert result.exit_code == 1
    assert "batch failed, no record succeeded: 2 written (0 ok" in result.stderr
    assert len(out.read_text().splitlines()) == 2


def test_a_csv_without_a_text_column_stops_at_the_header(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("id,headline,story\n" + "".join(f"{n},T{n},Story {n}.\n" for n in range(50)))
    out = tmp_path / "out.jsonl"

    result = runner.invoke(cli, ["batch", str(path), "-o", str(out), "--offline"])

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"error: {path}:1: no text column" in result.stderr
    assert "'id', 'headline', 'story'" in result.stderr
    assert not out.exists() or out.read_text() == ""


def test_templates_init_speaks_command_line_to_the_command_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "house"
    assert runner.invoke(cli, ["templates", "init", str(folder)]).exit_code == 0

    again = runner.invoke(cli, ["templates", "init", str(folder)])

    assert again.exit_code == 1
    assert "pass --force to replace them" in again.stderr
    assert "force=True" not in again.stderr


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("file:///etc/passwd", "file:///etc/passwd: only http:// and https:// addresses can be "
         "fetched; pass the file's path (/etc/passwd) instead."),
        ("ftp://example.org/a.txt", "ftp://example.org/a.txt: only http:// and https://"),
        ("https://", "https://: the address has no host name; check it."),
    ],
    ids=["file", "ftp", "no-host"],
)  # fmt: skip
def test_addresses_that_cannot_be_fetched_are_named_as_given(
    runner: CliRunner, address: str, message: str
) -> None:
    result = runner.invoke(cli, ["summarize", address, "--offline"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {message}\n" or message in result.stderr
    assert result.stderr.count("\n") == 1
    assert ".;" not in result.stderr


def test_a_model_with_no_known_price_says_so(runner: CliRunner, tmp_path: Path) -> None:
    args = ["estimate", str(_archive(tmp_path)), "--model", "local-medium", "--no-cache"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "price unknown" in result.stdout
    assert "$0.00" not in result.stdout


@pytest.mark.parametrize("command", [["estimate"], ["batch", "--dry-run", "-o", "-"]])
def test_estimates_check_the_house_templates_first(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    prompts = tmp_path / "house"
    prompts.mkdir()
    (prompts / "positions.system.j2").write_text("{% if %}", encoding="utf-8")
    name, *rest = command
    args = [name, str(_archive(tmp_path)), *rest, "--prompts", str(prompts), "--no-cache"]

    result = runner.invoke(cli, args)

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "syntax error" in result.stderr
