"""HTML reports: highlights, flags, archive index, streaming, escaping, and a real browser."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.schema import (
    ActorKind,
    MissedActor,
    Position,
    Provenance,
    Quote,
    Stance,
    SummaryResult,
)
from summarizer.views.html import archive_report, article_report, iter_archive_report, load_results

# The seed article's own typography, curly apostrophe included.
STARMER_QUOTE = "I’m prepared to consider committing British forces"
SEED = (Path(__file__).parent.parent / "examples" / "seed-article.txt").read_text("utf-8")

SCRIPT_PAYLOAD = (
    "<script>document.title='PWNED';"
    "document.body.appendChild(document.createElement('pwned-script'))</script>"
)
IMG_PAYLOAD = (
    "\"><img src=x onerror=\"document.title='PWNED';"
    "document.body.appendChild(document.createElement('pwned-img'))\">"
)
HOSTILE = [SCRIPT_PAYLOAD, IMG_PAYLOAD]


def quote(text: str, speaker: str | None = None, *, conflict: bool = False) -> Quote:
    """A quote checked against SEED the way the pipeline would."""
    start = SEED.find(text)
    if start < 0:
        return Quote(text=text, verified=False)
    return Quote(
        text=text,
        verified=True,
        start=start,
        end=start + len(text),
        speaker=speaker,
        attribution="conflict" if conflict else ("agrees" if speaker else "unknown"),
    )


def make_result(*, engine: str = "llm", title: str = "Starmer open to UK troops") -> SummaryResult:
    offline = engine == "offline"
    return SummaryResult(
        article_id="seed-1",
        title=title,
        issue="" if offline else "Should European troops go to Ukraine after a peace deal?",
        summary="" if offline else "European leaders met in Paris to discuss Ukraine.",
        positions=[
            Position(
                actor="Keir Starmer",
                kind=ActorKind.PERSON,
                role="UK Prime Minister",
                stance=Stance.UNCLEAR if offline else Stance.CONDITIONAL,
                position="" if offline else "Open to sending troops with a US backstop.",
                quotes=[quote(STARMER_QUOTE, "Keir Starmer")],
                statements=["he stressed that a US security backstop is necessary"],
            ),
            Position(
                actor="Antonio Costa",
                kind=ActorKind.PERSON,
                role="European Council President",
                stance=Stance.UNCLEAR if offline else Stance.SUPPORTS,
                position="" if offline else "Ukraine deserves peace through strength.",
                quotes=[
                    quote("It is a difficult situation for Europe", "Olaf Scholz", conflict=True),
                    quote("Peace through strength is the only way"),
                ],
            ),
        ],
        missed_actors=[
            MissedActor(
                actor="Olaf Scholz",
                role="German Chancellor",
                quotes=[quote("completely premature", "Olaf Scholz")],
            )
        ],
        provenance=Provenance(
            engine="offline" if offline else "llm",
            model=None if offline else "gpt-4o-mini",
            endpoint_host=None if offline else "api.openai.com",
            attempts=1,
            tool_version="0.1.0",
            article_sha256="0" * 64,
            created_at=datetime(2025, 2, 18, tzinfo=UTC),
        ),
    )


def hostile_article(payload: str) -> str:
    return f"{payload}\n\n{SEED}"


def hostile_result(payload: str) -> SummaryResult:
    """Every field that reaches the page carries the payload; verified quotes mark it in
    `hostile_article`, so it lands in highlight attributes too."""
    result = make_result(title=payload)
    result.issue = result.summary = payload
    result.provenance.model = payload
    for position in result.positions:
        position.actor = position.role = position.position = payload
        position.statements = [payload]
        for q in position.quotes:
            q.text = q.speaker = payload
            if q.verified:
                q.start, q.end = 0, len(payload)
    result.missed_actors[0].actor = payload
    return result


class Page(HTMLParser):
    """The parts of a page the tests look at: tags, attributes, marks and visible text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[dict[str, str | None]] = []
        self.mark_text: dict[int, str] = {}
        self.text: list[str] = []
        self.title = ""
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "mark":
            self.marks.append(dict(attrs))
            self.mark_text[len(self.marks) - 1] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "style" in self._open:
            return
        if "title" in self._open:
            self.title += data
        if "mark" in self._open:
            self.mark_text[len(self.marks) - 1] += data
        self.text.append(data)

    def has_tag(self, name: str) -> bool:
        return any(tag == name for tag, _ in self.tags)

    def event_handlers(self) -> list[str]:
        return [name for _, attrs in self.tags for name in attrs if name.startswith("on")]


# ---- one article --------------------------------------------------------------------------


def test_verified_quotes_are_highlighted_at_their_offsets_with_the_speaker() -> None:
    page = Page(article_report(make_result(), SEED))

    by_text = {page.mark_text[i]: mark for i, mark in enumerate(page.marks)}
    starmer = by_text[STARMER_QUOTE]
    assert starmer["data-speaker"] == starmer["title"] == "Keir Starmer"
    costa = by_text["It is a difficult situation for Europe"]
    assert costa["title"] == "Antonio Costa · engine says: Olaf Scholz"
    assert "conflict" in (costa["class"] or "")
    scholz = by_text["completely premature"]
    assert "missed" in (scholz["class"] or "")
    assert "".join(page.text).count(SEED.split("\n")[0]) == 1  # the article text, unchanged


def test_actor_cards_carry_stance_position_and_flags() -> None:
    text = " ".join("".join(Page(article_report(make_result(), SEED)).text).split())

    assert "Keir Starmer conditional" in text
    assert "Open to sending troops with a US backstop." in text
    assert "“Peace through strength is the only way” ✗ not found in article" in text
    assert "“It is a difficult situation for Europe” ⚠ engine says: Olaf Scholz" in text
    assert "Olaf Scholz German Chancellor ⚠ quoted in the article, left out of the summary" in text
    assert "1 quote not found in the article" in text


def test_provenance_is_at_the_bottom() -> None:
    text = "".join(Page(article_report(make_result(), SEED)).text)

    assert text.index("Provenance") > text.index("Antonio Costa")
    for value in ("gpt-4o-mini", "api.openai.com", "0" * 64, "2025-02-18T00:00:00+00:00"):
        assert value in text


@pytest.mark.parametrize(
    ("url", "linked"),
    [("https://example.org/news/1?a=1&b=2", True), ("javascript:alert(1)", False)],
    ids=["https", "javascript"],
)
def test_source_url_is_shown_and_linked_only_when_http(url: str, linked: bool) -> None:
    html = article_report(make_result().model_copy(update={"url": url}), SEED)

    assert url in "".join(Page(html).text)
    assert ('href="https://example.org/news/1?a=1&amp;b=2"' in html) is linked
    assert 'href="javascript' not in html


def test_offline_result_explains_missing_stances() -> None:
    text = "".join(Page(article_report(make_result(engine="offline"), SEED)).text)

    assert "Stances need an LLM" in text
    assert "unclear" not in text


def test_overlapping_quotes_keep_the_text_whole_and_name_both_speakers() -> None:
    result = make_result()
    result.positions[0].quotes = [quote("completely premature", "Olaf Scholz", conflict=True)]
    result.positions[1].quotes = [quote("peacekeepers “completely", "Antonio Costa")]
    result.missed_actors = []

    page = Page(article_report(result, SEED))

    marked = [page.mark_text[i] for i in range(len(page.marks))]
    assert marked == ["peacekeepers “", "completely", " premature"]
    shared = page.marks[1]
    assert "Keir Starmer · engine says: Olaf Scholz" in (shared["title"] or "")
    assert "Antonio Costa" in (shared["title"] or "")
    assert SEED.split("\n")[-1] in "".join(page.text)


def test_quotes_with_offsets_outside_the_text_are_listed_but_not_highlighted() -> None:
    result = make_result()
    result.positions[0].quotes[0].start = len(SEED) + 5
    result.positions[0].quotes[0].end = len(SEED) + 50

    page = Page(article_report(result, SEED))

    assert STARMER_QUOTE not in page.mark_text.values()
    assert f"“{STARMER_QUOTE}”" in "".join(page.text)


def test_quotes_whose_offsets_do_not_match_the_text_are_not_highlighted() -> None:
    page = Page(article_report(make_result(), "Another text entirely. " + SEED))

    text = " ".join("".join(page.text).split())
    assert page.marks == []
    assert "3 quotes could not be highlighted" in text
    assert f"“{STARMER_QUOTE}” ✓ verified, speaker confirmed ⚠ not highlighted" in text


def test_the_page_is_self_contained() -> None:
    html = article_report(make_result(), SEED)
    page = Page(html)

    assert not page.has_tag("script")
    assert not page.has_tag("link")
    assert not page.has_tag("img")
    assert "http://" not in html
    assert "https://" not in html
    assert "default-src 'none'" in html


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img"])
def test_untrusted_text_is_escaped(payload: str) -> None:
    page = Page(article_report(hostile_result(payload), hostile_article(payload)))

    assert not page.has_tag("script")
    assert not page.has_tag("img")
    assert page.event_handlers() == []
    assert page.title == payload
    assert "".join(page.text).count(payload) >= 8
    assert page.marks[0]["title"] == f"{payload}; {payload} · engine says: {payload}"


# ---- a batch archive ----------------------------------------------------------------------

ERROR_RECORD = {"id": "a-7", "error": "LLMError", "message": "timed out", "attempts": 3}


def test_archive_has_a_row_per_record_and_an_actor_index() -> None:
    offline = make_result(engine="offline", title="Offline run")
    page = Page(archive_report([make_result(), ERROR_RECORD, offline]))
    text = " ".join("".join(page.text).split())

    rows = [attrs.get("id") for tag, attrs in page.tags if tag == "tr" and attrs.get("id")]
    assert rows == ["a1", "a2", "a3"]
    assert "LLMError timed out" in text
    assert "after 3 attempts" in text
    assert "2 articles summarised, 1 error." in text
    assert "✗ 1 quote not found" in text
    index = text[text.index("Actors across the archive") :]
    costa, starmer = index.index("Antonio Costa ·"), index.index("Keir Starmer ·")
    assert costa < starmer < index.index("Olaf Scholz · German Chancellor")
    assert "#1 Starmer open to UK troops supports" in index
    assert "#3 Offline run" in index
    assert f"“{STARMER_QUOTE}”" in index
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and attrs.get("href")]
    assert "#a1" in links
    assert "#a3" in links


def test_archive_index_merges_spellings_of_one_actor() -> None:
    other = make_result(title="Second article")
    other.positions[0].actor = "  keir   STARMER "
    other.positions[0].role = "Prime Minister"

    text = "".join(Page(archive_report([make_result(), other])).text)

    index = text[text.index("Actors across the archive") :]
    assert index.count("Keir Starmer") == 1
    assert "UK Prime Minister; Prime Minister" in index


def test_archive_streams_one_record_at_a_time() -> None:
    taken: list[int] = []

    def records() -> Iterator[SummaryResult]:
        for n in range(3):
            taken.append(n)
            yield make_result(title=f"Article {n}")

    pieces = iter_archive_report(records())
    head, first = next(pieces), next(pieces)

    assert "<table" in head
    assert "Article 0" in first
    assert taken == [0]
    assert "</html>" in "".join(pieces)
    assert taken == [0, 1, 2]


def test_archive_escapes_untrusted_text() -> None:
    error = {"id": SCRIPT_PAYLOAD, "error": IMG_PAYLOAD, "message": SCRIPT_PAYLOAD, "attempts": 1}
    page = Page(archive_report([hostile_result(SCRIPT_PAYLOAD), error], title=IMG_PAYLOAD))

    assert not page.has_tag("script")
    assert not page.has_tag("img")
    assert page.event_handlers() == []
    assert SCRIPT_PAYLOAD in "".join(page.text)


def test_load_results_reads_results_and_error_records() -> None:
    lines = io.StringIO(f"{make_result().model_dump_json()}\n\n{json.dumps(ERROR_RECORD)}\n")

    records = list(load_results(lines, source="out.jsonl"))

    assert isinstance(records[0], SummaryResult)
    assert records[1] == ERROR_RECORD


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "out.jsonl:2: not JSON"),
        ('{"id": "x"}', "out.jsonl:2: neither"),
        ('{"issue": "x"}', "out.jsonl:2: neither .*: summary: Field required"),
    ],
    ids=["not-json", "not-a-result", "names-the-field"],
)
def test_load_results_names_the_bad_line(line: str, message: str) -> None:
    lines = [json.dumps(ERROR_RECORD), line]

    with pytest.raises(InputError, match=message):
        list(load_results(lines, source="out.jsonl"))


# ---- in a real browser --------------------------------------------------------------------


def chromium() -> str:
    """The browser to test with; skip without it locally, fail without it in CI."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is required in CI: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium); not in CI")


def open_in_chromium(page: Path, tmp_path: Path) -> tuple[Page, Path]:
    """Load a file in headless Chromium, offline; return the DOM after load and a screenshot."""
    shot = tmp_path / f"{page.stem}.png"
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,1600",
        f"--screenshot={shot}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return Page(done.stdout), shot


def assert_is_a_real_screenshot(shot: Path) -> None:
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1280, 1600)
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes


def test_browser_harness_notices_a_script_that_runs(tmp_path: Path) -> None:
    """The check below is only worth something if a running payload would show up in it."""
    control = tmp_path / "control.html"
    control.write_text(f"<html><head><title>x</title></head><body>{SCRIPT_PAYLOAD}</body></html>")

    dom, _ = open_in_chromium(control, tmp_path)

    assert dom.title == "PWNED"
    assert dom.has_tag("pwned-script")


@pytest.mark.parametrize("kind", ["article", "archive"])
def test_hostile_report_renders_as_text_in_chromium(kind: str, tmp_path: Path) -> None:
    payload = SCRIPT_PAYLOAD + IMG_PAYLOAD
    if kind == "article":
        html = article_report(hostile_result(payload), hostile_article(payload))
    else:
        error = {"id": payload, "error": payload, "message": payload, "attempts": 2}
        html = archive_report([hostile_result(payload), make_result(), error], title=payload)
    report = tmp_path / f"{kind}.html"
    report.write_text(html, "utf-8")

    dom, shot = open_in_chromium(report, tmp_path)

    assert dom.title == payload
    assert not dom.has_tag("pwned-script")
    assert not dom.has_tag("pwned-img")
    assert not dom.has_tag("script")
    assert not dom.has_tag("img")
    assert dom.event_handlers() == []
    assert "".join(dom.text).count(payload) >= 3
    assert_is_a_real_screenshot(shot)
