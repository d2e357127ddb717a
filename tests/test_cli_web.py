"""The editor's commands: URLs, HTML reports, archive reports and house-style templates.

The model is a FakeLLM handed to the command as click's context object
(``invoke(..., obj=Injected(client=fake))``), the one seam between the command and the
pipeline, so tests can read the requests; one test instead runs the command untouched against
``summarizer.testing.fakeserver``. Pages come from a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from summarizer.cli import Injected, cli
from summarizer.config import Settings
from summarizer.pipeline.run import summarize
from summarizer.sources.fetch import fetch_article
from summarizer.templates import default_prompts_dir
from summarizer.testing import FakeLLM
from summarizer.testing.fakeserver import FakeServer
from summarizer.views.html import article_report
from tests.conftest import ROOT, SEED
from tests.pages import ARTICLE, NO_ARTICLE, QUOTE_WORDS, Handler, send, serve
from tests.test_report import Page, assert_is_a_real_screenshot, open_in_chromium

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

ENDPOINT = ["--base-url", "http://127.0.0.1:9/v1"]  # never called: the FakeLLM answers
HOUSE_STYLE = ROOT / "examples" / "house-style"
QUOTE = QUOTE_WORDS

ANSWER = {
    "issue": "Should the town build a second river crossing?",
    "summary": "The council rejected the bridge plan after a four-hour debate.",
    "positions": [
        {
            "actor": "Ruth Obi",
            "kind": "person",
            "role": "councillor",
            "stance": "opposes",
            "position": "The bridge would lead nowhere and is not worth paying for.",
            "quotes": [QUOTE],
        }
    ],
}

ROUTES: dict[str, Handler] = {
    "/article": send(200, ARTICLE),
    "/missing": send(404, b"<h1>Not Found</h1>"),
    "/report.pdf": send(200, b"%PDF-1.7\n...", "application/pdf"),
    "/no-article": send(200, NO_ARTICLE),
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(ROUTES) as url:
        yield url


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def fake() -> FakeLLM:
    """A FakeLLM for the CLI (pass ``obj=Injected(client=fake)``): the command runs for real
    up to the model call."""
    return FakeLLM(default=lambda request: ANSWER)


def _one_line_error(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return str(result.stderr)


# ---- pages from the web -------------------------------------------------------------------


def test_library_path_from_url_to_report(base_url: str) -> None:
    """What the command does, through the public functions: fetch, summarise, report."""
    article = fetch_article(f"{base_url}/article")
    result = summarize(article, settings=Settings(), client=FakeLLM([ANSWER]))

    assert result.title == "Council rejects bridge plan"
    assert result.positions[0].quotes[0].verified
    page = Page(article_report(result, article.text))
    assert [page.mark_text[i] for i in range(len(page.marks))] == [QUOTE]


def test_summarize_url_prints_the_result(runner: CliRunner, base_url: str, fake: FakeLLM) -> None:
    result = runner.invoke(
        cli, ["summarize", f"{base_url}/article", *ENDPOINT], obj=Injected(client=fake)
    )

    assert result.exit_code == 0, result.stderr
    assert "Should the town build a second river crossing?" in result.stdout
    assert "Ruth Obi" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert "second river crossing" in fake.requests[0].messages[-1]["content"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "the server answered HTTP 404"),
        ("/report.pdf", "is application/pdf, not a web page"),
        ("/no-article", "no article text found in the HTML"),
    ],
    ids=["404", "pdf", "no-article"],
)
def test_url_errors_are_one_line_before_any_model_call(
    runner: CliRunner, base_url: str, fake: FakeLLM, path: str, message: str
) -> None:
    result = runner.invoke(
        cli, ["summarize", f"{base_url}{path}", *ENDPOINT], obj=Injected(client=fake)
    )

    stderr = _one_line_error(result)
    assert f"{base_url}{path}" in stderr
    assert message in stderr
    assert fake.requests == []


def test_render_and_tokens_accept_urls(runner: CliRunner, base_url: str) -> None:
    rendered = runner.invoke(cli, ["render", f"{base_url}/article"])
    assert rendered.exit_code == 0, rendered.stderr
    assert '("Council rejects bridge plan")' in rendered.stdout
    assert f"“{QUOTE},” said councillor Ruth Obi." in rendered.stdout

    counted = runner.invoke(cli, ["tokens", f"{base_url}/article"])
    assert counted.exit_code == 0, counted.stderr
    assert json.loads(counted.stdout)["article_tokens"] > 50


def test_urls_are_accepted_with_the_scheme_in_capitals(runner: CliRunner, base_url: str) -> None:
    url = base_url.replace("http://", "HTTP://", 1) + "/article"

    rendered = runner.invoke(cli, ["render", url])

    assert rendered.exit_code == 0, rendered.stderr
    assert f"“{QUOTE},” said councillor Ruth Obi." in rendered.stdout


# ---- --format html ------------------------------------------------------------------------


def test_format_html_writes_a_self_contained_report(
    runner: CliRunner, base_url: str, fake: FakeLLM, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    args = ["summarize", f"{base_url}/article", *ENDPOINT, "--format", "html", "-o", str(out)]

    result = runner.invoke(cli, args, obj=Injected(client=fake))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    html = out.read_text("utf-8")
    page = Page(html)
    assert page.title == "Council rejects bridge plan"
    assert [page.marks[0]["data-speaker"], page.mark_text[0]] == ["Ruth Obi", QUOTE]
    assert "drew a crowd of residents" in "".join(page.text)  # the article itself
    assert not any(page.has_tag(tag) for tag in ("script", "link", "img", "iframe"))
    url = f"{base_url}/article"
    source = f'<p class="source"><a href="{url}" rel="noopener noreferrer">{url}</a></p>'
    assert source in html  # the page it came from, as a link for the reader
    assert "http://" not in html.replace(source, "")  # and nothing is loaded from anywhere
    assert "https://" not in html
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no partial file left


def test_url_to_html_report_over_http_with_no_test_seam(
    runner: CliRunner, base_url: str, tmp_path: Path
) -> None:
    """The whole command as a user runs it: a page server, and a fake OpenAI-compatible one."""
    out = tmp_path / "report.html"
    with FakeServer() as server:
        args = ["summarize", f"{base_url}/article", "--base-url", server.base_url]
        result = runner.invoke(cli, [*args, "--format", "html", "-o", str(out)])
        calls = server.stats.by_outcome

    assert result.exit_code == 0, result.stderr
    assert calls == {"ok": 1}
    page = Page(out.read_text("utf-8"))
    assert page.title == "Council rejects bridge plan"
    assert QUOTE in "".join(page.mark_text.values())


def test_format_html_needs_an_output_file(runner: CliRunner, fake: FakeLLM) -> None:
    args = ["summarize", str(SEED), *ENDPOINT, "--format", "html"]
    result = runner.invoke(cli, args, obj=Injected(client=fake))

    assert result.exit_code == 2
    assert "--format html writes a file: add -o FILE" in result.stderr
    assert fake.requests == []


def test_report_from_a_url_opens_in_chromium(
    runner: CliRunner, base_url: str, fake: FakeLLM, tmp_path: Path
) -> None:
    """The editor's path end to end: a URL in, a page a colleague can open in a browser."""
    out = tmp_path / "report.html"
    args = ["summarize", f"{base_url}/article", *ENDPOINT, "--format", "html", "-o", str(out)]
    assert runner.invoke(cli, args, obj=Injected(client=fake)).exit_code == 0
    assert len(fake.requests) == 1

    dom, shot = open_in_chromium(out, tmp_path)

    assert dom.title == "Council rejects bridge plan"
    assert QUOTE in [dom.mark_text[i] for i in range(len(dom.marks))]
    assert_is_a_real_screenshot(shot)


# ---- summarizer report --------------------------------------------------------------------


def _batch_output(path: Path, base_url: str) -> Path:
    """A batch run's JSONL, made with the FakeLLM: two results and an error record."""
    article = fetch_article(f"{base_url}/article")
    fake = FakeLLM([ANSWER])
    lines = [
        summarize(article, settings=Settings(), client=fake).model_dump_json(),
        summarize(SEED.read_text("utf-8"), settings=Settings(), client=fake).model_dump_json(),
        json.dumps({"id": "broken.html", "error": "InputError", "message": "no article"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_report_builds_an_archive_page(runner: CliRunner, base_url: str, tmp_path: Path) -> None:
    results = _batch_output(tmp_path / "out.jsonl", base_url)
    out = tmp_path / "archive.html"

    result = runner.invoke(cli, ["report", str(results), "-o", str(out), "--title", "Week 9"])

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out}\n"
    page = Page(out.read_text("utf-8"))
    text = " ".join("".join(page.text).split())
    assert page.title == "Week 9"
    assert "Council rejects bridge plan" in text
    assert "What is at stake in: Paris, France" in text  # the second, echo-drafted result
    assert "broken.html" in text
    assert "no article" in text
    assert text.count("Ruth Obi") >= 2  # in the table and in the actor index
    assert not page.has_tag("script")


def test_report_reads_stdin(runner: CliRunner, base_url: str, tmp_path: Path) -> None:
    results = _batch_output(tmp_path / "out.jsonl", base_url)
    out = tmp_path / "archive.html"

    result = runner.invoke(cli, ["report", "-", "-o", str(out)], input=results.read_bytes())

    assert result.exit_code == 0, result.stderr
    assert "Council rejects bridge plan" in out.read_text("utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing.jsonl: no such file"),
        (b'{"issue": "Q?"}\n', "out.jsonl:1: neither a summary result nor an error record"),
        (b"\n\nnot json\n", "out.jsonl:3: not JSON"),
        (b'{"id": "a", "error": "E"}\n\xff\xfe\n', "out.jsonl:2: not UTF-8"),
    ],
    ids=["missing", "not-a-result", "not-json", "not-utf8"],
)
def test_report_bad_input_is_one_line_and_leaves_no_file(
    runner: CliRunner, tmp_path: Path, content: bytes | None, message: str
) -> None:
    results = tmp_path / ("missing.jsonl" if content is None else "out.jsonl")
    if content is not None:
        results.write_bytes(content)
    out = tmp_path / "archive.html"

    result = runner.invoke(cli, ["report", str(results), "-o", str(out)])

    assert message in _one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [] if content is None else ["out.jsonl"]
    )


def test_report_failure_keeps_the_previous_page(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_text('{"id": "a", "error": "E"}\nnot json\n')
    out = tmp_path / "archive.html"
    out.write_text("yesterday's report")

    result = runner.invoke(cli, ["report", str(tmp_path / "out.jsonl"), "-o", str(out)])

    assert result.exit_code == 1
    assert out.read_text() == "yesterday's report"


def test_report_of_a_directory_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["report", str(tmp_path), "-o", str(tmp_path / "a.html")])
    assert "is a directory" in _one_line_error(result)


def test_report_warns_about_an_empty_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_text("")
    out = tmp_path / "archive.html"

    result = runner.invoke(cli, ["report", str(tmp_path / "out.jsonl"), "-o", str(out)])

    assert result.exit_code == 0
    assert "holds no results" in result.stderr
    assert out.exists()


# ---- summarizer templates -----------------------------------------------------------------

DEFAULTS = sorted(p.name for p in default_prompts_dir().glob("*.j2"))


def _listing(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[1] for line in stdout.splitlines()}


def test_templates_list_defaults(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "list"])

    assert result.exit_code == 0, result.stderr
    assert _listing(result.stdout) == dict.fromkeys(DEFAULTS, "default")


@pytest.mark.parametrize("how", ["flag", "env"])
def test_templates_list_marks_house_templates(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["templates", "list"]
    if how == "flag":
        args += ["--prompts", str(HOUSE_STYLE)]
    else:
        monkeypatch.setenv("SUMMARIZER_PROMPTS_DIR", str(HOUSE_STYLE))

    result = runner.invoke(cli, args)

    assert result.exit_code == 0, result.stderr
    listing = _listing(result.stdout)
    assert listing.pop("positions.system.j2") == "house"
    assert listing.pop("positions.user.j2") == "house"
    assert set(listing.values()) == {"default"}


def test_templates_list_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "list", "--json", "--prompts", str(HOUSE_STYLE)])

    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {
        "name": "positions.system.j2",
        "origin": "house",
        "path": str(HOUSE_STYLE / "positions.system.j2"),
    }


def test_templates_show_prints_the_source_in_use(runner: CliRunner) -> None:
    default = runner.invoke(cli, ["templates", "show", "positions.system"])
    house = runner.invoke(
        cli, ["templates", "show", "positions.system.j2", "--prompts", str(HOUSE_STYLE)]
    )

    assert default.stdout == (default_prompts_dir() / "positions.system.j2").read_text()
    assert house.stdout == (HOUSE_STYLE / "positions.system.j2").read_text()
    assert house.stderr.startswith("house: ")


def test_templates_show_unknown_name_lists_the_available(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "show", "summary"])
    assert "summary: template not found. Available: positions.system.j2" in _one_line_error(result)


def test_templates_with_a_missing_folder_say_how_to_make_one(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "list", "--prompts", "no/such/folder"])
    assert "summarizer templates init DIR" in _one_line_error(result)


def test_templates_init_copies_the_defaults_and_will_not_overwrite(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "house"

    first = runner.invoke(cli, ["templates", "init", str(folder)])

    assert first.exit_code == 0, first.stderr
    assert first.stdout.split() == [str(folder / name) for name in DEFAULTS]
    assert f"--prompts {folder}" in first.stderr
    (folder / "positions.system.j2").write_text("Our own.")

    again = runner.invoke(cli, ["templates", "init", str(folder)])

    assert "already has positions.system.j2" in _one_line_error(again)
    assert "--force" in again.stderr
    assert (folder / "positions.system.j2").read_text() == "Our own."

    forced = runner.invoke(cli, ["templates", "init", str(folder), "--force"])

    assert forced.exit_code == 0
    assert (folder / "positions.system.j2").read_text() == (
        default_prompts_dir() / "positions.system.j2"
    ).read_text()


def test_templates_init_defaults_to_the_prompts_setting(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUMMARIZER_PROMPTS_DIR", str(tmp_path / "house"))

    result = runner.invoke(cli, ["templates", "init"])

    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "house").iterdir()) == DEFAULTS


def test_templates_init_without_a_folder_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "init"])
    assert result.exit_code == 2
    assert "templates init DIRECTORY" in result.stderr


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Fine.\n{% if %}\n", "positions.system.j2:2: syntax error"),
        ("Fine.\nFine.\nOutlet: {{ outlet }}\n", "positions.system.j2:3: 'outlet' is undefined"),
        (
            "Fine.\n{{ article.__class__.__mro__[1].__subclasses__() }}\n",
            "positions.system.j2:2: blocked by the sandbox: access to attribute '__class__'",
        ),
        (
            "{{ cycler.__init__.__globals__.os.system('touch pwned') }}\n",
            "positions.system.j2:1: blocked by the sandbox",
        ),
    ],
    ids=["syntax", "undefined", "python-internals", "os-via-globals"],
)
def test_broken_house_template_is_one_line_with_file_and_line(
    runner: CliRunner, tmp_path: Path, source: str, message: str
) -> None:
    (tmp_path / "positions.system.j2").write_text(source)

    result = runner.invoke(cli, ["render", str(SEED), "--prompts", str(tmp_path)])

    assert f"{tmp_path / message}" in _one_line_error(result)
    assert not Path("pwned").exists()


# ---- house style: the example folder ------------------------------------------------------


def test_house_style_writes_german_with_at_most_five_actors_without_code() -> None:
    """examples/house-style overrides one template; the request changes, the code does not."""
    fake = FakeLLM()
    settings = Settings.from_env({"SUMMARIZER_PROMPTS_DIR": str(HOUSE_STYLE)})

    result = summarize(SEED.read_text("utf-8"), settings=settings, client=fake)

    system, user = (m["content"] for m in fake.requests[0].messages)
    assert "Du schreibst auf Deutsch" in system
    assert "höchstens 5:" in system
    assert "in English" not in system
    assert user.endswith("Zitate unverändert.")  # a closing reminder after the article
    assert "<article>\n" + SEED.read_text("utf-8").strip() + "\n</article>" in user
    assert (
        result.provenance.template_sha256
        != summarize(
            SEED.read_text("utf-8"), settings=Settings(), client=FakeLLM()
        ).provenance.template_sha256
    )


def test_house_style_keeps_the_schema_for_json_mode() -> None:
    """A server without json_schema gets the schema in the prompt: the house copy keeps it."""
    fake = FakeLLM(reject_json_schema=True)
    settings = Settings(prompts_dir=HOUSE_STYLE)

    summarize(SEED.read_text("utf-8"), settings=settings, client=fake)

    assert fake.requests[-1].mode == "json_object"
    assert "diesem JSON-Schema entsprechen" in fake.requests[-1].messages[0]["content"]


def test_house_style_through_the_cli(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(SEED), "--prompts", str(HOUSE_STYLE)])

    assert result.exit_code == 0, result.stderr
    assert "Du schreibst auf Deutsch" in result.stdout


# ---- help ---------------------------------------------------------------------------------


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_command_and_subcommand_has_help_with_an_example(runner: CliRunner) -> None:
    names = list(_commands(cli))
    assert ("templates", "init") in names
    assert ("report",) in names
    for name in names:
        result = runner.invoke(cli, [*name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, f"{' '.join(name)} --help has no example"
