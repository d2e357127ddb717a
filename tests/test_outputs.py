"""The output file: lines as promised, torn tails repaired, done records found again."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.batch.results import (
    OutputFile,
    error_line,
    open_lines,
    record_key,
    result_line,
    write_atomic,
)
from summarizer.errors import InputError, LLMError
from summarizer.sources.archive import Record, RecordRef


def test_lines_are_json_with_id_record_and_line() -> None:
    ok = json.loads(result_line(RecordRef(3, 7, "a1"), '{"issue": "Q?"}', cached=True))
    assert ok == {"id": "a1", "record": 3, "line": 7, "ok": True, "cached": True, "issue": "Q?"}
    bad = json.loads(
        error_line(RecordRef(2, None, "x/y.txt"), LLMError("HTTP 503", status=503), attempts=6)
    )
    assert bad == {
        "id": "x/y.txt",
        "record": 2,
        "line": None,
        "ok": False,
        "error": "LLMError",
        "message": "HTTP 503",
        "attempts": 6,
        "reason": "http",
        "status": 503,
    }
    quoted = json.loads(error_line(RecordRef(1, 1, 'id "q"'), InputError("empty"), attempts=0))
    assert quoted["id"] == 'id "q"'


def test_reopening_repairs_a_torn_tail_and_knows_what_is_done(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "out.jsonl"
    whole = [result_line(RecordRef(n, n, f"a{n}"), "{}", cached=False) for n in range(1, 4)]
    path.write_text("\n".join(whole) + "\n" + whole[0][:20], encoding="utf-8")
    with caplog.at_level(logging.INFO), OutputFile(path) as out:
        assert out.repaired
        assert out.done == {record_key(RecordRef(n, n, f"a{n}")) for n in range(1, 4)}
        out.write(result_line(RecordRef(4, 4, "a4"), "{}", cached=False))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a1", "a2", "a3", "a4"]
    assert "torn last line" in caplog.text


def test_a_single_torn_line_is_cut_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a1", "rec', encoding="utf-8")
    with OutputFile(path) as out:
        assert out.repaired
        assert out.done == set()
    assert path.read_bytes() == b""


def test_retry_errors_drops_error_lines(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    lines = [
        result_line(RecordRef(1, 1, "a1"), "{}", cached=False),
        error_line(RecordRef(2, 2, "a2"), LLMError("HTTP 500", status=500), attempts=6),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with OutputFile(path, retry_errors=True) as out:
        assert out.dropped_errors == 1
        assert out.done == {record_key(RecordRef(1, 1, "a1"))}
    assert path.read_text(encoding="utf-8") == lines[0] + "\n"


def test_the_same_id_at_two_positions_is_two_records() -> None:
    assert record_key(RecordRef(1, 1, "dup")) != record_key(RecordRef(2, 2, "dup"))


def test_a_record_is_keyed_and_labelled_by_its_place_alone() -> None:
    record = Record(3, 7, "a1", error=InputError("empty"))
    place = RecordRef(3, 7, "a1")
    assert record_key(record) == record_key(place)
    assert error_line(record, InputError("empty"), attempts=0) == error_line(
        place, InputError("empty"), attempts=0
    )


def test_a_folder_file_is_done_by_its_path_whatever_its_number(tmp_path: Path) -> None:
    # Adding a.txt to a folder renumbers b.txt and c.txt; they are still done.
    path = tmp_path / "out.jsonl"
    lines = [
        result_line(RecordRef(n, None, name), "{}", cached=False)
        for n, name in ((1, "b.txt"), (2, "c.txt"))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with OutputFile(path) as out:
        assert record_key(RecordRef(2, None, "b.txt")) in out.done
        assert record_key(RecordRef(3, None, "c.txt")) in out.done
        assert record_key(RecordRef(1, None, "a.txt")) not in out.done
    assert record_key(RecordRef(1, None, "x.txt")) == record_key(RecordRef(9, None, "x.txt"))
    assert record_key(RecordRef(1, None, "x.txt")) != record_key(RecordRef(1, 1, "x.txt"))


def test_an_output_that_is_a_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; name a file inside it") as caught:
        OutputFile(tmp_path)
    assert caught.value.source == str(tmp_path)


def test_an_output_that_cannot_be_opened_is_a_one_line_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(
        InputError, match=r"cannot open the output file: File exists \(.*file\)\.$"
    ) as caught:
        OutputFile(blocker / "out.jsonl")
    assert caught.value.source == str(blocker / "out.jsonl")
    assert "\n" not in str(caught.value)


# ---- write_atomic, open_lines ------------------------------------------------------------


def test_write_atomic_replaces_the_file_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("the good page from the last run", encoding="utf-8")

    def failing() -> Iterator[str]:
        yield "<html>half"
        raise InputError("bad line", source="out.jsonl", line=7)

    with pytest.raises(InputError, match="bad line"):
        write_atomic(out, failing())

    assert out.read_text(encoding="utf-8") == "the good page from the last run"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no partial file left
    write_atomic(out, ["<html>", "whole</html>"])
    assert out.read_text(encoding="utf-8") == "<html>whole</html>"


def test_write_atomic_names_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "report.html"

    with pytest.raises(InputError, match=r"the folder .*missing' does not exist") as info:
        write_atomic(out, ["x"])

    assert info.value.source == str(out)
    assert not (tmp_path / "missing").exists()


def test_open_lines_fails_on_entry_and_decodes_each_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_lines(str(tmp_path / "nope.jsonl")).__enter__()
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"a": 1}\n\xff\n')

    with open_lines(str(path)) as lines:
        assert next(lines) == '{"a": 1}\n'
        with pytest.raises(InputError, match=r"out.jsonl:2: not UTF-8"):
            next(lines)
