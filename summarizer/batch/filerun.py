"""A run into a results file, whichever runner summarises: the local one or Ray's.

Both refuse to write into their own input, open the output where an earlier run stopped (a
torn last line cut, earlier error lines dropped on request), count and read the records still
to do, and end with the same notices. A failure that stops a run is raised saying what was
written and that the same command resumes.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from summarizer.batch.costs import Price, price_for
from summarizer.batch.preflight import check_templates
from summarizer.batch.progress import RunTotals
from summarizer.batch.results import OutputFile, record_key
from summarizer.config import Settings
from summarizer.errors import InputError, LLMError, SummarizerError
from summarizer.schema import Article
from summarizer.sources.archive import Input, Record

__all__ = ["FileRun", "ResultSink"]

logger = logging.getLogger(__name__)

Notify = Callable[[str], None]


class FileRun:
    """The input and output of one run, and its totals.

    Args:
        input: The archive to read.
        output: The results file, or ``-`` for stdout (no resume).
        price: What the totals are priced at (``costs.price_for``); unknown by default.
        retry_errors: Drop the error lines of earlier runs and try those records again.
        notify: Receives one-line notices for the user (resume, repair, guessed encodings).

    Raises:
        InputError: The output is the input, or cannot be opened; the archive is missing.
    """

    @classmethod
    def checked(
        cls,
        source: Input | str | os.PathLike[str],
        output: str | os.PathLike[str],
        settings: Settings,
        *,
        calls_model: bool,
        client_given: bool = False,
        retry_errors: bool = False,
        notify: Notify | None = None,
    ) -> FileRun:
        """A run's files, opened after the checks that would otherwise fail every record
        (one error now, not one error line per record): an endpoint, when the model is to be
        called and no client was given, and templates that render. Priced by the settings.
        """
        if calls_model:
            if not client_given:
                settings.require_endpoint()
            check_templates(settings)
        return cls(
            Input.of(source),
            output,
            price=price_for(settings),
            retry_errors=retry_errors,
            notify=notify,
        )

    def __init__(
        self,
        input: Input,
        output: str | os.PathLike[str],
        *,
        price: Price | None = None,
        retry_errors: bool = False,
        notify: Notify | None = None,
    ) -> None:
        self.input = input
        self.output = output
        self.say: Notify = notify or (lambda message: logger.info("%s", message))
        if _same_file(input.source, output):
            raise InputError(
                "the output is the input archive; results would be appended to it. "
                "Choose another -o file.",
                source=os.fspath(output),
            )
        # Counted first: a missing archive leaves no empty output file behind, nor an open one.
        self.totals = RunTotals(price=price, total=input.count())
        to_stdout = os.fspath(output) == "-"
        self.sink: ResultSink
        self.sink = _Stdout() if to_stdout else OutputFile(output, retry_errors=retry_errors)
        if self.sink.repaired:
            self.say(f"{output}: cut a torn last line left by an interrupted run")
        if self.sink.dropped_errors:
            self.say(f"{output}: retrying {self.sink.dropped_errors} records that failed before")
        self._guessed: list[str] = []  # a folder's files whose encoding was guessed

    def records(
        self, *, skipped: Callable[[str, Article, Mapping[str, Any] | None], None] | None = None
    ) -> Iterator[Record]:
        """The records not yet in the output, in input order; ``skipped`` sees the articles
        of the others."""
        done = self.sink.done
        for record in self.input.records(notify=self._guessed.append):
            if done and record_key(record) in done:
                self.totals.skipped += 1
                if skipped is not None and record.article is not None:
                    skipped(record.id, record.article, record.extra)
                continue
            yield record

    def close(self) -> None:
        self.sink.close()

    def finish(self) -> None:
        """The notices at the end of a run: guessed encodings (one line), what was resumed."""
        guessed = self._guessed
        if guessed:
            more = f" ({len(guessed) - 1} more files had no declared encoding either.)"
            self.say(guessed[0] + (more if len(guessed) > 1 else ""))
        if self.totals.skipped:
            self.say(f"resumed: {self.totals.skipped} records were already in {self.output}")

    def stopped(self, error: SummarizerError, fix: str | None = None) -> SummarizerError:
        """The error that stopped the run, of the same class and with the same data, saying
        what was written and that the same command resumes ``fix`` (by default once the
        server answers, or once that is fixed)."""
        if fix is None:
            connection = isinstance(error, LLMError) and error.reason == "connection"
            fix = "once the server answers" if connection else "once that is fixed"
        where = "stdout" if os.fspath(self.output) == "-" else self.output
        written = self.totals.written
        if written == 0:
            done = f"Nothing was written to {where}"
        else:
            done = f"{written} {'line was' if written == 1 else 'lines were'} written to {where}"
        stopped = copy.copy(error)
        message = str(error).rstrip(".")
        stopped.args = (f"stopped: {message}. {done}; the same command resumes {fix}.",)
        return stopped


class _Stdout:
    """The output sink for ``-o -``: no resume, one flushed line per record."""

    done: frozenset[int] = frozenset()
    repaired = False
    dropped_errors = 0

    def write(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def close(self) -> None:
        return None


ResultSink = OutputFile | _Stdout
"""Where a run's lines go: a resumable file, or stdout."""


def _same_file(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> bool:
    if "-" in (os.fspath(source), os.fspath(output)):
        return False
    return Path(source).resolve() == Path(output).resolve()
