"""Tests for summarizer.sources.archive: every format, field mapping, one record per record."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.sources.archive import Fields, Record, count_records, iter_records
from summarizer.sources.extract import MAX_FILE_BYTES

PAGE = """<!DOCTYPE html><html><head><title>Ferry strike ends</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry strike ends</h1>
<p>The ferry workers' strike ended on Friday after the union accepted a pay offer of four per
cent, the company said in a statement released late in the afternoon.</p>
<p>“It is a fair deal for everyone,” said union leader Tom Reyes.</p>
</article></body></html>"""


def _jsonl(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


def _by_line(records: list[Record]) -> dict[int | None, Record]:
    return {r.line: r for r in records}


def test_jsonl_good_records(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "news.jsonl",
        json.dumps({"id": 17, "text": "First story.", "title": "One", "date": "2024-01-02"}),
        json.dumps({"body": "Second story.", "url": "https://x.example/2"}),
        json.dumps({"content": "Third."}),
        json.dumps({"article": "Fourth."}),
    )

    records = list(iter_records(path))

    assert [r.number for r in records] == [1, 2, 3, 4]
    assert [r.id for r in records] == ["17", "news.jsonl:2", "news.jsonl:3", "news.jsonl:4"]
    assert [r.article.text for r in records if r.article] == [
        "First story.",
        "Second story.",
        "Third.",
        "Fourth.",
    ]
    first = records[0].article
    assert first is not None
    assert (first.id, first.title, first.date) == ("17", "One", "2024-01-02")
    assert records[1].article is not None
    assert records[1].article.url == "https://x.example/2"


def test_jsonl_every_bad_record_keeps_its_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "bad.jsonl",
        json.dumps({"id": "ok-1", "text": "Fine."}),  # 1
        "",  # 2: blank lines are not records
        '{"id": "x", "text": "unterminated',  # 3
        json.dumps(["not", "an", "object"]),  # 4
        json.dumps({"id": "no-text", "headline": "Missing body"}),  # 5
        json.dumps({"id": "empty", "text": "   "}),  # 6
        json.dumps({"id": "null", "text": None}),  # 7
        json.dumps({"id": "number", "text": 42}),  # 8
        b'{"id": "latin1", "text": "caf\xe9"}',  # 9: not UTF-8
        json.dumps({"id": "surrogate", "text": "bad \udc80 byte"}),  # 10
        json.dumps(
            {"id": "nav", "text": "<html><body><nav><a href=/>Home</a></nav></body></html>"}
        ),
        json.dumps({"id": "ok-2", "text": "Also fine."}),  # 12
    )

    records = list(iter_records(path))

    assert count_records(path) == len(records) == 11
    assert [r.number for r in records] == list(range(1, 12))
    expected = {
        3: "malformed JSON",
        4: "expected a JSON object, got a list",
        5: "no text field",
        6: "'text' field is empty",
        7: "'text' field is empty",
        8: "'text' field is not text (it is int)",
        9: "not valid UTF-8",
        10: "not valid UTF-8",
        11: "HTML with no article text",
    }
    lines = _by_line(records)
    for line, message in expected.items():
        error = lines[line].error
        assert error is not None, line
        assert message in str(error), (line, str(error))
        assert error.line == line
        assert error.source == str(path)
        assert str(error).startswith(f"{path}:{line}: ")
        assert lines[line].article is None
    assert [r.id for r in records if r.article] == ["ok-1", "ok-2"]
    assert lines[5].id == "no-text"
    assert lines[3].id == "bad.jsonl:3"


def test_html_field_is_extracted(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        json.dumps({"id": "p", "html": PAGE, "url": "https://x.example/ferry"}),
        json.dumps({"id": "q", "text": PAGE, "title": "Archive title"}),
    )

    first, second = (r.article for r in iter_records(path))

    assert first is not None
    assert second is not None
    assert "“It is a fair deal for everyone,” said union leader Tom Reyes." in first.text
    assert "Home" not in first.text
    assert first.title == "Ferry strike ends"
    assert first.url == "https://x.example/ferry"
    assert second.title == "Archive title"  # the archive's own fields win over the page's


def test_field_mapping(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "m.jsonl",
        json.dumps(
            {"guid": "a1", "story": "Mapped text.", "headline": "H", "published": 2024, "link": "u"}
        ),
        json.dumps({"guid": "a2", "text": "Only default field."}),
    )
    fields = Fields(id="guid", text=("story",), title="headline", date="published", url="link")

    first, second = iter_records(path, fields=fields)

    assert first.article is not None
    assert (first.id, first.article.text, first.article.title) == ("a1", "Mapped text.", "H")
    assert (first.article.date, first.article.url) == ("2024", "u")
    assert second.error is not None
    assert "looked for 'story'" in str(second.error)


def test_fields_accepts_a_single_text_name() -> None:
    assert Fields(text="story").text == ("story",)  # type: ignore[arg-type]


def test_csv_records_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,title,body\r\n"  # 1: header, with a BOM
        b'a,One,"First line\r\nsecond line, with a comma"\r\n'  # 2-3
        b'b,Two,"bad "quote" here"\r\n'  # 4
        b"c,Three\r\n"  # 5
        b"\r\n"  # 6: blank
        b"d,Four,\r\n"  # 7
        b"e,Five,caf\xe9\r\n"  # 8
        b",Six,No id here\r\n"  # 9
    )

    records = list(iter_records(path))

    assert count_records(path) == len(records) == 6
    lines = _by_line(records)
    assert lines[2].article is not None
    assert lines[2].article.text == "First line\nsecond line, with a comma"
    assert lines[2].article.title == "One"
    assert "bad CSV" in str(lines[4].error)
    assert "has 2 fields but the header has 3" in str(lines[5].error)
    assert "'body' field is empty" in str(lines[7].error)
    assert "not valid UTF-8" in str(lines[8].error)
    assert lines[9].id == "news.csv:9"
    assert [r.line for r in records] == [2, 4, 5, 7, 8, 9]
    for record in records:
        if record.error is not None:
            assert record.error.line == record.line


def test_tsv_and_long_fields(tmp_path: Path) -> None:
    long_text = "word " * 60_000  # 300 kB, over csv's default field limit
    path = tmp_path / "news.tsv"
    path.write_text(f"id\ttext\n1\t{long_text}\n", encoding="utf-8")

    (record,) = iter_records(path)

    assert record.article is not None
    assert record.article.text == long_text.strip()


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"text": "Zipped."}) + "\n")

    assert count_records(path) == 1
    assert [r.id for r in iter_records(path)] == ["news.jsonl.gz:1"]


def _gzipped(path: Path, header: str, rows: list[str]) -> bytes:
    """Write rows (varied text, so the file stays big when compressed) and return its bytes."""
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(header)
        out.writelines(rows)
    return path.read_bytes()


def test_a_file_that_is_not_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl.gz"
    path.write_text(json.dumps({"text": "Not compressed at all."}) + "\n")

    assert count_records(path) is None  # unknown: reading the records reports the damage
    with pytest.raises(InputError, match="not a valid gzip file") as caught:
        list(iter_records(path))
    assert caught.value.source == str(path)


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_truncated_gzip_yields_what_it_can_then_raises(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"news.{suffix}.gz"
    texts = [
        f"Story {n}: " + " ".join(str(n * k * 7919 % 100003) for k in range(60)) for n in range(400)
    ]
    if suffix == "jsonl":
        data = _gzipped(path, "", [json.dumps({"text": t}) + "\n" for t in texts])
    else:
        data = _gzipped(path, "text\n", [f"{t}\n" for t in texts])
    path.write_bytes(data[: len(data) // 2])

    read: list[Record] = []
    with pytest.raises(InputError, match="not a valid gzip file, or truncated"):
        read.extend(iter_records(path))  # extend keeps what came before the error
    assert count_records(path) is None  # the count must not stop the records before the damage
    assert 0 < len(read) < len(texts)
    assert all(r.article is not None for r in read)
    assert [r.article.text for r in read if r.article] == texts[: len(read)]


def test_format_dir_on_a_file_is_an_input_error(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "news.jsonl", json.dumps({"text": "One."}))

    with pytest.raises(InputError, match="--format dir needs a folder"):
        iter_records(path, format="dir")
    with pytest.raises(InputError, match="--format dir needs a folder"):
        count_records(path, format="dir")


def test_directory_is_sorted_recursive_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "z.md").write_text("# Zed\n\nMarkdown story.")
    (tmp_path / "a.txt").write_text("Text story.")
    (tmp_path / "c.html").write_text(PAGE)
    (tmp_path / "d.txt").write_bytes(b"")
    (tmp_path / "notes.csv").write_text("ignored")
    (tmp_path / ".hidden" / "x.txt").write_text("ignored")
    (tmp_path / ".DS_Store.txt").write_text("ignored")

    records = list(iter_records(tmp_path))

    assert count_records(tmp_path) == len(records) == 4
    assert [r.id for r in records] == ["a.txt", "c.html", "d.txt", "b/z.md"]
    assert [r.number for r in records] == [1, 2, 3, 4]
    assert all(r.line is None for r in records)
    html = records[1].article
    assert html is not None
    assert html.title == "Ferry strike ends"
    assert html.id == "c.html"
    assert records[2].error is not None
    assert records[2].error.source == str(tmp_path / "d.txt")
    assert "empty" in str(records[2].error)


def test_stdin_jsonl_and_csv() -> None:
    jsonl = io.BytesIO(b'{"text": "From stdin."}\nnot json\n')
    records = list(iter_records("-", stdin=jsonl))

    assert [r.id for r in records] == ["<stdin>:1", "<stdin>:2"]
    assert records[1].error is not None
    assert str(records[1].error).startswith("<stdin>:2: malformed JSON")
    assert not jsonl.closed  # the caller's stream stays open
    assert count_records("-") is None

    csv_in = io.BytesIO(b"id,text\nk,CSV from stdin.\n")
    (record,) = iter_records("-", format="csv", stdin=csv_in)
    assert record.article is not None
    assert (record.id, record.article.text) == ("k", "CSV from stdin.")
    assert not csv_in.closed


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.jsonl", "no such file or folder"), ("archive.xml", "unknown archive format")],
    ids=["missing", "unknown-format"],
)
def test_unusable_archive_raises_at_once(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    if name.endswith(".xml"):
        path.write_text("<a/>")

    with pytest.raises(InputError, match=message):
        iter_records(path)


def test_empty_archives(tmp_path: Path) -> None:
    for name in ("e.jsonl", "e.csv"):
        path = tmp_path / name
        path.write_bytes(b"")
        assert list(iter_records(path)) == []
        assert count_records(path) == 0


def test_memory_stays_flat_on_a_large_archive(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = "A sentence of a typical news article, repeated to make it long. " * 40
    with path.open("w", encoding="utf-8") as out:
        for i in range(10_000):  # about 26 MB of records
            out.write(json.dumps({"id": i, "text": body}) + "\n")

    tracemalloc.start()
    try:
        seen = sum(1 for record in iter_records(path) if record.article is not None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert seen == 10_000
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_csv_without_a_text_column_fails_at_the_header(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("id,headline,story\n1,One,First story.\n2,Two,Second story.\n")

    with pytest.raises(InputError) as caught:
        list(iter_records(path))

    message = str(caught.value)
    assert message.startswith(f"{path}:1: no text column")
    assert "'id', 'headline', 'story'" in message
    assert "--text-field" in message
    assert [r.article.text for r in iter_records(path, fields=Fields(text=("story",))) if r.article]


def test_a_record_over_the_article_limit_is_an_error_record(tmp_path: Path) -> None:
    huge = "Word. " * (MAX_FILE_BYTES // 6 + 10)  # just over the limit for one article file
    path = _jsonl(
        tmp_path / "news.jsonl",
        json.dumps({"id": "small", "text": "A small story."}),
        json.dumps({"id": "huge", "text": huge}),
    )

    small, big = iter_records(path)

    assert small.article is not None
    assert big.article is None
    assert big.id == "huge"
    assert isinstance(big.error, InputError)
    assert "over the 20 MiB limit for one article" in str(big.error)
    assert big.error.line == 2


def test_malformed_json_says_at_column_once(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "news.jsonl", '{"text": "unterminated')

    (record,) = iter_records(path)

    # json's own message ends in "at" ("Invalid control character at"): one "at" is enough.
    assert "at at" not in str(record.error)
    assert "malformed JSON: Invalid control character at column 23." in str(record.error)


def test_an_archive_in_a_legacy_encoding_is_read_with_encoding(tmp_path: Path) -> None:
    text = "Hélène Martin a déclaré que le coût était trop élevé."
    path = tmp_path / "news.csv"
    path.write_bytes(f"id,text\n1,{text}\n".encode("cp1252"))

    (unread,) = iter_records(path)
    (read,) = iter_records(path, encoding="cp1252")

    assert "--encoding" in str(unread.error)
    assert read.article is not None
    assert read.article.text == text


def test_a_folder_says_which_files_had_their_encoding_guessed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain UTF-8 story about the bridge.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("Hélène a dit que le coût était élevé.".encode("latin-1"))
    notes: list[str] = []

    records = list(iter_records(tmp_path, notify=notes.append))

    assert [r.article.text for r in records if r.article][1] == (
        "Hélène a dit que le coût était élevé."
    )
    assert len(notes) == 1
    assert "b.txt" in notes[0]


def test_a_given_utf8_encoding_still_drops_the_csv_bom(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text\r\n1,Story.\r\n")

    (record,) = iter_records(path, encoding="utf-8")

    assert record.id == "1"
