"""The batch output file: one JSON line per input record, appended as each completes, resumable.

Lines are written in completion order, not input order; every line carries the record's id,
its 1-based record number and its input line so it can be joined back to the archive. A result
line is the ``SummaryResult`` itself with those keys in front (it validates as one); an error
line has no ``provenance``::

    {"id": "a1", "record": 1, "line": 1, "ok": true, "cached": false, "article_id": "a1", ...}
    {"id": "a2", "record": 2, "line": 2, "ok": false, "error": "InputError",
     "message": "...", "attempts": 0}

Each line goes to the file in one ``write`` on an unbuffered descriptor, so a crash or
``kill -9`` loses at most the lines being written; reopening the file repairs a torn last line
and reads which records are done, so a re-run skips them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from summarizer._secrets import scrub
from summarizer.errors import InputError, LLMError

if TYPE_CHECKING:  # reading archives imports trafilatura: commands that only write files wait
    from summarizer.sources.archive import RecordRef

__all__ = [
    "OutputFile",
    "error_line",
    "open_lines",
    "record_key",
    "result_line",
    "write_atomic",
]

logger = logging.getLogger(__name__)


def record_key(ref: RecordRef) -> int:
    """The in-memory identity of a done record: its position and id (ids may repeat in an
    archive). A hash keeps a million of them in tens of megabytes; it is only ever compared
    within one process.

    A file from a folder (its record has no line) is keyed on its id alone: the id is its
    unique path in the folder, while its number is its sorted position, which shifts when a
    file is added, so a resumed run would redo (and duplicate) the files after it.
    """
    return _key(ref.number, ref.id, ref.line)


def _key(number: int, record_id: str, line: int | None) -> int:
    return hash(record_id) if line is None else hash((number, record_id))


def _head(ref: RecordRef, ok: bool) -> str:
    return (
        f'{{"id":{json.dumps(ref.id, ensure_ascii=False)},"record":{ref.number},'
        f'"line":{"null" if ref.line is None else ref.line},"ok":{"true" if ok else "false"}'
    )


def result_line(ref: RecordRef, result_json: str, *, cached: bool) -> str:
    """A result's output line (no newline): the ``SummaryResult`` JSON with the record's id,
    number, line and cache flag in front, so that it still validates as a SummaryResult."""
    cached_text = "true" if cached else "false"
    rest = result_json.strip()[1:]
    separator = "" if rest.lstrip() == "}" else ","
    return f'{_head(ref, True)},"cached":{cached_text}{separator}{rest}'


def error_line(ref: RecordRef, error: BaseException, *, attempts: int) -> str:
    """An error record's output line (no newline): type, message and calls made."""
    extra: dict[str, Any] = {
        "error": type(error).__name__,
        "message": scrub(str(error)),  # not every error is ours; none may carry a secret
        "attempts": attempts,
    }
    if isinstance(error, LLMError):
        extra["reason"] = error.reason
        if error.status is not None:
            extra["status"] = error.status
    body = json.dumps(extra, ensure_ascii=False, separators=(",", ":"))
    return f"{_head(ref, False)},{body[1:]}"


class OutputFile:
    """An append-only JSON Lines output that knows which records it already holds.

    Args:
        path: The output file; created if missing.
        retry_errors: Drop the error lines of an earlier run (rewriting the file) so that
            those records are tried again.

    Attributes:
        done: ``record_key`` of every record with a line in the file.
        repaired: True when a torn last line (from a crash) was cut off on opening.
        dropped_errors: Error lines removed because of ``retry_errors``.

    Raises:
        InputError: The path is a folder, or the file cannot be read or written.
    """

    def __init__(self, path: str | os.PathLike[str], *, retry_errors: bool = False) -> None:
        self.path = Path(path)
        self.done: set[int] = set()
        self.repaired = False
        self.dropped_errors = 0
        self._fd = -1
        if self.path.is_dir():
            raise InputError("is a folder; name a file inside it.", source=str(self.path))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                self.repaired = _repair_tail(self.path)
                if retry_errors:
                    self.dropped_errors = _drop_error_lines(self.path)
                for key in _done_keys(self.path):
                    self.done.add(key)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            # The failing path may be a folder above the file (mkdir): name it then.
            where = f" ({exc.filename})" if exc.filename not in (None, str(self.path)) else ""
            raise InputError(
                f"cannot open the output file: {exc.strerror or exc}{where}.",
                source=str(self.path),
            ) from exc

    def write(self, line: str) -> None:
        """Append one line; it is in the file (the OS's page cache) when this returns."""
        data = (line + "\n").encode("utf-8")
        while data:  # a regular file takes it in one go; the loop covers signal interruptions
            written = os.write(self._fd, data)
            data = data[written:]

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> OutputFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _repair_tail(path: Path) -> bool:
    """Cut a last line that has no newline (a write torn by a crash); True if one was cut."""
    with path.open("rb+") as file:
        size = file.seek(0, os.SEEK_END)
        if size == 0:
            return False
        file.seek(size - 1)
        if file.read(1) == b"\n":
            return False
        # Walk back to the previous newline in blocks; lines can be long.
        end = size
        while end > 0:
            start = max(0, end - 65536)
            file.seek(start)
            block = file.read(end - start)
            at = block.rfind(b"\n")
            if at >= 0:
                file.truncate(start + at + 1)
                break
            end = start
        else:
            file.truncate(0)
    logger.info("%s: cut a torn last line left by an interrupted run.", path)  # callers say it
    return True


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    with path.open("rb") as file:
        for number, raw in enumerate(file, 1):
            try:
                row = json.loads(raw)
            except ValueError:
                yield number, None
                continue
            yield number, row if isinstance(row, dict) else None


def _done_keys(path: Path) -> Iterator[int]:
    for number, row in _lines(path):
        if row is None or not isinstance(row.get("record"), int) or "id" not in row:
            logger.warning("%s:%d: not an output line; ignored when resuming.", path, number)
            continue
        # A file from a folder (a null line) is known by its path alone: adding a file
        # renumbers the folder, and a resume must not redo (or pay for) the others. A line
        # without the key at all is taken for a record of a file.
        yield _key(row["record"], str(row["id"]), row.get("line", 0))


def _drop_error_lines(path: Path) -> int:
    """Rewrite the file without its error lines (atomically: a temporary file, then rename)."""
    temporary = path.with_name(path.name + ".tmp")
    dropped = 0
    with path.open("rb") as source, temporary.open("wb") as target:
        for raw in source:
            try:
                failed = json.loads(raw).get("ok") is False
            except (ValueError, AttributeError):
                failed = False  # not ours to judge: keep it, _done_keys warns about it
            if failed:
                dropped += 1
                continue
            target.write(raw)
        target.flush()
        os.fsync(target.fileno())
    os.replace(temporary, path)
    return dropped


# ---- reading a finished output file, writing a report atomically ----------------------------


@contextlib.contextmanager
def open_lines(path: str) -> Iterator[Iterator[str]]:
    """Open a batch output file (``-``: stdin) and yield its lines, decoded one at a time.

    The file is opened on entering the ``with``, so a missing file fails before anything
    else happens.

    Raises:
        InputError: No such file, a folder, unreadable, or a line that is not UTF-8.
    """
    source = "<stdin>" if path == "-" else path
    handle = _open_results(path)
    try:
        yield _decoded(handle, source)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _decoded(handle: IO[bytes], source: str) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                "not UTF-8; is this a batch output file (JSON Lines)?", source=source, line=number
            ) from None


def _open_results(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        raise InputError("no such file; pass the JSONL a batch run wrote.", source=path) from None
    except IsADirectoryError:
        raise InputError("is a directory; pass one JSONL file.", source=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}.", source=path) from None


def write_atomic(path: Path, pieces: Iterable[str]) -> None:
    """Write pieces as they come to a side file, then rename it over ``path``.

    A report that fails half-way (a bad line deep in a batch file) leaves no half-written page
    behind, nor clobbers a good one from an earlier run.

    Raises:
        InputError: The file cannot be written (its folder is missing, it is a folder, no
            permission), or whatever ``pieces`` raises.
    """
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(partial, path)
    except OSError as exc:
        raise InputError(_unwritable(path, exc), source=str(path)) from exc
    finally:
        partial.unlink(missing_ok=True)


def _unwritable(path: Path, exc: OSError) -> str:
    folder = path.parent
    if not folder.is_dir():
        return (
            f"cannot write the file: the folder {str(folder)!r} does not exist; create it "
            "first, or write somewhere else."
        )
    if path.is_dir():
        return "cannot write the file: it is a folder; name a file inside it."
    return f"cannot write the file: {exc.strerror or exc}; check the path and its permissions."
