"""Stream the articles of an archive: JSON Lines, CSV/TSV, a folder of files, or stdin.

Every input record becomes exactly one :class:`Record`, in input order: an article, or the
:class:`~summarizer.errors.InputError` that explains why the record is unusable, with its line
number. Nothing is read ahead, so memory stays flat however large the archive is.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

from summarizer.errors import InputError
from summarizer.schema import Article
from summarizer.sources.extract import (
    HTML_SUFFIXES,
    MAX_FILE_BYTES,
    article_from_text,
    check_encoding,
    extract_html,
    looks_like_html,
    read_article,
)

__all__ = [
    "DIR_SUFFIXES",
    "Fields",
    "Format",
    "Input",
    "Record",
    "RecordRef",
    "article_from_row",
    "count_records",
    "iter_records",
]

Format = Literal["jsonl", "csv", "tsv", "dir"]

DIR_SUFFIXES = frozenset({".txt", ".md", ".markdown"} | HTML_SUFFIXES)
_SUFFIX_FORMATS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
}
# Articles (and HTML pages) in CSV cells are far longer than csv's 128 KiB default field limit.
_CSV_FIELD_LIMIT = MAX_FILE_BYTES
_SURROGATE = re.compile("[\ud800-\udfff]")
_STDIN = "<stdin>"
_Opener = Callable[[], contextlib.AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True, slots=True)
class Fields:
    """Which field of a record holds what.

    ``text`` is a list of candidates: the first one the record has is used. The other fields
    are optional in every record. ``extra`` names further fields to carry along as they are
    (``Record.extra``), for the archive database's articles table.
    """

    id: str = "id"
    text: tuple[str, ...] = ("text", "body", "content", "article", "html")
    title: str = "title"
    date: str = "date"
    url: str = "url"
    source: str = "source"
    language: str = "language"  # an ISO 639-1 code; detected per article when absent
    extra: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("text", "extra"):
            if isinstance(getattr(self, name), str):  # one name where a list was expected
                object.__setattr__(self, name, (getattr(self, name),))


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where a record stands in its input: what its output line carries to be joined back,
    and what a resumed run knows it by.

    Attributes:
        number: 1-based position among the input's records.
        line: 1-based line where the record starts; None for files in a folder.
        id: The id field, else ``<file>:<line>``, else the file's path within the folder.
    """

    number: int
    line: int | None
    id: str


@dataclass(frozen=True, slots=True)
class Record(RecordRef):
    """One input record: where it stands (a :class:`RecordRef`), and an article or the reason
    it cannot be used.

    Attributes:
        article: The article, when the record is usable.
        error: Why the record is unusable, with source and line.
        extra: The ``Fields.extra`` fields the record has, by name; None when none are asked
            for or the record has none of them.
    """

    article: Article | None = None
    error: InputError | None = None
    extra: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Input:
    """An archive and how to read it: what a command hands to the run that reads it.

    Attributes:
        source: A .jsonl/.ndjson/.csv/.tsv file (optionally .gz), a folder of .txt/.md/.html
            files, or ``-`` for stdin.
        format: Overrides the format guessed from the suffix.
        fields: Which field of a record holds what.
        encoding: The archive's (or each file's) encoding; see :func:`iter_records`.
    """

    source: str | os.PathLike[str]
    format: Format | None = None
    fields: Fields = Fields()
    encoding: str | None = None

    @classmethod
    def of(cls, source: Input | str | os.PathLike[str]) -> Input:
        """``source`` itself when it is an Input, else its path read with the defaults."""
        return source if isinstance(source, Input) else cls(source)

    def records(self, *, notify: Callable[[str], None] | None = None) -> Iterator[Record]:
        """The archive's records (see :func:`iter_records`)."""
        return iter_records(
            self.source,
            format=self.format,
            fields=self.fields,
            encoding=self.encoding,
            notify=notify,
        )

    def count(self) -> int | None:
        """How many records :meth:`records` yields (see :func:`count_records`)."""
        return count_records(self.source, format=self.format)


def iter_records(
    source: str | os.PathLike[str],
    *,
    format: Format | None = None,
    fields: Fields | None = None,
    stdin: BinaryIO | None = None,
    encoding: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Iterator[Record]:
    """Stream the records of an archive, one Record per input record, in input order.

    Args:
        source: A .jsonl/.ndjson/.csv/.tsv file (optionally .gz), a folder of .txt/.md/.html
            files (read recursively, in sorted order), or ``-`` for stdin.
        format: Overrides the format guessed from the suffix; stdin defaults to ``jsonl``.
        fields: Field names to read; :class:`Fields` defaults otherwise.
        stdin: The binary stream to read for ``-`` (default ``sys.stdin.buffer``).
        encoding: The archive's (or each file's) encoding; by default JSON Lines and CSV are
            read as UTF-8, and each file of a folder is decoded as ``decode_bytes`` decides.
        notify: Receives one line for each file of a folder whose encoding was guessed.

    Raises:
        InputError: The archive itself cannot be read (missing, unknown format, ``dir`` for
            a file, a CSV header with no text column); a damaged .gz raises it while
            iterating, after the records read before the damage. Problems with single
            records are yielded as error records instead.
        ConfigError: ``encoding`` is not a codec Python knows.
    """
    fields = fields or Fields()
    fmt = _detect_format(source, format)
    if encoding is not None:
        check_encoding(encoding)
    if fmt == "dir":
        return _iter_dir(Path(source), encoding, notify)
    name, display = _names(source)
    opener = functools.partial(_opened, source, stdin)
    if fmt == "jsonl":
        return _iter_jsonl(opener, name, display, fields, encoding or "UTF-8")
    delimiter = "\t" if fmt == "tsv" else ","
    return _iter_csv(opener, name, display, fields, delimiter=delimiter, encoding=encoding)


def count_records(source: str | os.PathLike[str], *, format: Format | None = None) -> int | None:
    """How many records :func:`iter_records` will yield, for progress totals; None for stdin
    and for a damaged .gz (whose records before the damage are still read: the reading
    reports the damage, after them).

    Counts without parsing JSON or extracting HTML (CSV is tokenised, since quoted fields may
    span lines).
    """
    if os.fspath(source) == "-":
        return None
    fmt = _detect_format(source, format)
    if fmt == "dir":
        return sum(1 for _ in _walk(Path(source)))
    try:
        with _opened(source, None) as stream:
            if fmt == "jsonl":
                return sum(1 for raw in stream if raw.strip())
            with _csv_text(stream, None) as text:
                rows = sum(1 for _ in _csv_rows(text, "\t" if fmt == "tsv" else ","))
            return max(rows - 1, 0)
    except _Damaged:
        return None


# ---- formats ----------------------------------------------------------------------------------


def _iter_jsonl(
    opener: _Opener, name: str, display: str, fields: Fields, encoding: str
) -> Iterator[Record]:
    with opener() as stream:
        number = 0
        for line, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            number += 1
            if line == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            fallback_id = f"{name}:{line}"
            try:
                row = _parse_json_line(raw, encoding)
            except ValueError as exc:
                yield Record(number, line, fallback_id, error=_error(str(exc), display, line))
                continue
            yield _record(row, number, line, fallback_id, display, fields)


def _iter_csv(
    opener: _Opener,
    name: str,
    display: str,
    fields: Fields,
    *,
    delimiter: str,
    encoding: str | None,
) -> Iterator[Record]:
    with opener() as stream, _csv_text(stream, encoding) as text:
        rows = _csv_rows(text, delimiter)
        header_row = next(rows, None)
        if header_row is None:
            return
        _, header = header_row
        if isinstance(header, csv.Error):
            raise InputError(f"cannot read the CSV header: {header}.", source=display, line=1)
        _require_text_column(header, fields, display)
        for number, (line, row) in enumerate(rows, 1):
            fallback_id = f"{name}:{line}"
            if isinstance(row, csv.Error):
                yield Record(
                    number, line, fallback_id, error=_error(f"bad CSV: {row}.", display, line)
                )
            elif len(row) != len(header):
                message = (
                    f"has {len(row)} fields but the header has {len(header)}; "
                    "is a comma or quote in the text unescaped?"
                )
                yield Record(number, line, fallback_id, error=_error(message, display, line))
            else:
                yield _record(
                    dict(zip(header, row, strict=True)), number, line, fallback_id, display, fields
                )


def _require_text_column(header: list[str], fields: Fields, display: str) -> None:
    """A CSV without a text column has no article in any row: say so once, at the header."""
    if any(name in header for name in fields.text):
        return
    wanted = ", ".join(map(repr, fields.text))
    has = ", ".join(repr(_SURROGATE.sub("?", name)) for name in header) or "none"
    raise InputError(
        f"no text column: looked for {wanted}, and the header has {has}. Name the column "
        "that holds the article text with --text-field.",
        source=display,
        line=1,
    )


def _iter_dir(
    folder: Path, encoding: str | None, notify: Callable[[str], None] | None
) -> Iterator[Record]:
    for number, file in enumerate(_walk(folder), 1):
        record_id = file.relative_to(folder).as_posix()
        try:
            article = read_article(file, encoding=encoding, notify=notify)
        except InputError as exc:
            yield Record(number, None, record_id, error=exc)
        else:
            yield Record(
                number, None, record_id, article=article.model_copy(update={"id": record_id})
            )


def _walk(folder: Path) -> Iterator[Path]:
    """Article files under folder, depth first, sorted by name; hidden entries skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if not file.startswith(".") and Path(file).suffix.lower() in DIR_SUFFIXES:
                yield Path(root, file)


# ---- one record -------------------------------------------------------------------------------


def _record(
    row: Mapping[str, Any], number: int, line: int, fallback_id: str, display: str, fields: Fields
) -> Record:
    raw_id = row.get(fields.id)
    record_id = fallback_id if raw_id is None or raw_id == "" else str(raw_id)
    try:
        article = _article(row, fields, f"{display}:{line}")
    except InputError as exc:
        return Record(number, line, record_id, error=_error(exc.reason, display, line))
    extra = {name: row[name] for name in fields.extra if row.get(name) not in (None, "")}
    article = article.model_copy(update={"id": record_id})
    return Record(number, line, record_id, article=article, extra=extra or None)


def article_from_row(row: Mapping[str, Any], fields: Fields, *, where: str) -> Article:
    """The article in one archive row (a JSON object, a CSV row, a Ray Dataset row), read
    exactly as ``iter_records`` reads it: the first text field present, HTML extracted.

    Raises:
        InputError: No text field, an empty or non-text one, bad UTF-8, or HTML without an
            article; its ``reason`` says which, without ``where``.
    """
    return _article(row, fields, where)


def _article(row: Mapping[str, Any], fields: Fields, where: str) -> Article:
    key = next((k for k in fields.text if k in row), None)
    if key is None:
        raise InputError(
            f"no text field: looked for {', '.join(map(repr, fields.text))}; name the field "
            "that holds the article text (--text-field).",
        )
    value = row[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(f"the {key!r} field is empty.")
    if not isinstance(value, str):
        raise InputError(f"the {key!r} field is not text (it is {type(value).__name__}).")
    if _SURROGATE.search(value):
        raise InputError(
            f"the {key!r} field holds bytes that are not valid UTF-8; pass the archive's "
            "--encoding (e.g. cp1252), or re-export it as UTF-8."
        )
    _check_size(value, key)
    meta = {name: _text_or_none(row.get(getattr(fields, name))) for name in _META}
    if looks_like_html(value):
        try:
            extracted = extract_html(value, source=where, url=meta["url"])
        except InputError as exc:
            raise InputError(f"the {key!r} field is HTML with no article text.") from exc
        found = {name: getattr(extracted, name) for name in _META}
        return extracted.model_copy(update={k: meta[k] or found[k] for k in _META})
    return article_from_text(value, source=where).model_copy(update=meta)


_META = ("title", "date", "url", "source", "language")


def _check_size(value: str, key: str) -> None:
    """The limit on one article file holds for one record too; UTF-8 bytes, as on disk."""
    # Counting characters first spares encoding the common case: no character is over 4 bytes.
    if len(value) * 4 <= MAX_FILE_BYTES:
        return
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"the {key!r} field is {size / 1024 / 1024:.1f} MiB, over the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB limit for one article; is it one article?"
        )


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _parse_json_line(raw: bytes, encoding: str) -> dict[str, Any]:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not valid {encoding} (byte {exc.start + 1}); pass the archive's --encoding, or "
            "re-export it as UTF-8."
        ) from None
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        # Some messages end in "at" ("Unterminated string starting at"): one "at" is enough.
        reason = exc.msg.removesuffix(" at")
        raise ValueError(f"malformed JSON: {reason} at column {exc.colno}.") from None
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got a {type(row).__name__}.")
    return row


def _error(message: str, display: str, line: int) -> InputError:
    return InputError(message, source=display, line=line)


# ---- files ------------------------------------------------------------------------------------


def _detect_format(source: str | os.PathLike[str], format: Format | None) -> Format:
    if os.fspath(source) == "-":
        return format or "jsonl"
    path = Path(source)
    if not path.exists():
        raise InputError("no such file or folder; check the path.", source=str(path))
    if path.is_dir():
        return "dir"
    if format == "dir":
        raise InputError("--format dir needs a folder.", source=str(path))
    if format is not None:
        return format
    inner = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    fmt = _SUFFIX_FORMATS.get(inner.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown archive format {inner.suffix or '(no suffix)'!r}; use .jsonl, .csv, .tsv "
            "or a folder, or name the format.",
            source=str(path),
        )
    return fmt


def _names(source: str | os.PathLike[str]) -> tuple[str, str]:
    """The file's name (for stable ids, whatever the working folder) and its path (for errors)."""
    if os.fspath(source) == "-":
        return _STDIN, _STDIN
    return Path(source).name, str(source)


@contextlib.contextmanager
def _opened(source: str | os.PathLike[str], stdin: BinaryIO | None) -> Iterator[IO[bytes]]:
    """The archive's bytes; closed afterwards unless it is the caller's stdin."""
    if os.fspath(source) == "-":
        yield stdin if stdin is not None else sys.stdin.buffer
        return
    path = Path(source)
    try:
        # Opened here, closed by the with below: only the open itself may fail with OSError.
        stream = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}.", source=str(path)) from exc
    with stream:
        if not isinstance(stream, gzip.GzipFile):
            yield cast(IO[bytes], stream)
            return
        # gzip checks the data only as it is read: a damaged or truncated file fails part way,
        # after the records before the damage have been yielded.
        try:
            yield cast(IO[bytes], stream)
        except (EOFError, zlib.error, OSError) as exc:  # BadGzipFile is an OSError
            raise _Damaged(
                "not a valid gzip file, or truncated; re-compress it.", source=str(path)
            ) from exc


class _Damaged(InputError):
    """The archive's compressed data is damaged: what came before was read."""


@contextlib.contextmanager
def _csv_text(stream: IO[bytes], encoding: str | None) -> Iterator[io.TextIOWrapper]:
    # surrogateescape keeps one bad byte from ending the whole stream: the record holding it
    # becomes an error record instead (see _SURROGATE).
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"  # Excel's UTF-8 starts with a BOM that is not part of the header
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    try:
        yield text
    finally:
        text.detach()  # closing the wrapper would close the stream, which may be the caller's


def _csv_rows(
    text: io.TextIOWrapper, delimiter: str
) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(starting line, row or the csv.Error it raised), skipping blank lines."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, exc
            continue
        if row:
            yield line, row
