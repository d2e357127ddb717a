"""Self-contained HTML reports: one article with its quotes highlighted, or a whole batch archive.

The pages need no network and no scripts: CSS is inlined and a Content-Security-Policy forbids
everything else. Every string from the article or the model goes through Jinja's autoescape,
so a headline such as ``<script>…</script>`` is shown as text.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2
import pydantic

from summarizer._secrets import scrub
from summarizer.errors import InputError
from summarizer.schema import MissedActor, Position, Provenance, Quote, SummaryResult
from summarizer.views.text import (
    NOT_FOUND,
    OFFLINE_NOTE,
    conflict_note,
    is_offline,
    provenance_line,
)

__all__ = ["archive_report", "article_report", "iter_archive_report", "load_results"]

PALETTE_SIZE = 8  # actor colours .c0 … .c7 in templates/report.css
MISSED_FLAG = "⚠ quoted in the article, left out of the summary"
UNPLACED_FLAG = "⚠ not highlighted: its offsets do not match this text"

Record = SummaryResult | Mapping[str, Any]


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("summarizer.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# ---- views: plain data the templates lay out ----------------------------------------------


@dataclass(frozen=True)
class _Flag:
    level: str  # css class: ok, warn, bad
    text: str


@dataclass(frozen=True)
class _QuoteView:
    text: str
    flags: list[_Flag]
    anchor: str | None = None  # id of the highlight in the article text


@dataclass(frozen=True)
class _ActorView:
    name: str
    role: str
    kind: str
    stance: str | None  # None when there is no stance to show (offline engine)
    position: str
    quotes: list[_QuoteView]
    statements: list[str]
    color: int
    missed: bool = False


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    color: int
    label: str
    conflict: bool = False
    missed: bool = False


@dataclass(frozen=True)
class _Segment:
    text: str
    classes: str = ""
    title: str = ""
    label: str = ""
    anchor: str = ""


def _quote_flags(quote: Quote) -> list[_Flag]:
    flags = [] if quote.verified else [_Flag("bad", NOT_FOUND)]
    note = conflict_note(quote)
    if note:
        flags.append(_Flag("warn", note))
    if quote.verified and quote.attribution == "agrees":
        flags.append(_Flag("ok", "✓ verified, speaker confirmed"))
    return flags


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _placed(quote: Quote, text: str) -> tuple[int, int] | None:
    """The quote's offsets, if they point at its words in this text.

    The check ignores everything but letters and digits: verification already allowed for
    differences in quotation marks, dashes and spacing. A mismatch means the text is not the
    one the result was made from, and a highlight would mark the wrong words.
    """
    start, end = quote.start, quote.end
    if not quote.verified or start is None or end is None or not 0 <= start < end <= len(text):
        return None
    if _letters(text[start:end]) != _letters(quote.text):
        return None
    return start, end


def _quote_view(quote: Quote, text: str) -> _QuoteView:
    placed = _placed(quote, text)
    flags = _quote_flags(quote)
    if quote.verified and not placed:
        flags.append(_Flag("warn", UNPLACED_FLAG))
    return _QuoteView(quote.text, flags, f"q{placed[0]}" if placed else None)


def _actors(result: SummaryResult, text: str) -> list[_ActorView]:
    offline = is_offline(result)
    views = [
        _ActorView(
            name=p.actor,
            role=p.role,
            kind=p.kind.value,
            stance=None if offline else p.stance.value,
            position=p.position,
            quotes=[_quote_view(q, text) for q in p.quotes],
            statements=p.statements,
            color=n % PALETTE_SIZE,
        )
        for n, p in enumerate(result.positions)
    ]
    for n, m in enumerate(result.missed_actors, start=len(views)):
        quotes = [_quote_view(q, text) for q in m.quotes]
        views.append(_ActorView(m.actor, m.role, "", None, "", quotes, [], n % PALETTE_SIZE, True))
    return views


def _spans(result: SummaryResult, text: str) -> list[_Span]:
    spans: list[_Span] = []
    owners: list[tuple[Position | MissedActor, bool]] = [(p, False) for p in result.positions]
    owners += [(m, True) for m in result.missed_actors]
    for n, (owner, missed) in enumerate(owners):
        for q in owner.quotes:
            placed = _placed(q, text)
            if not placed:
                continue
            conflict = q.attribution == "conflict"
            label = owner.actor
            if conflict:
                label += f" · engine says: {q.speaker or 'another speaker'}"
            elif missed:
                label += " · not in the summary"
            spans.append(_Span(*placed, n % PALETTE_SIZE, label, conflict, missed))
    return spans


def _segments(text: str, spans: list[_Span]) -> list[_Segment]:
    """Cut the text at every quote boundary; a piece inside quotes takes the innermost colour.

    Quotes may overlap (the model lists a quote under one actor, the engine's missed actor
    holds the same words), so each piece carries every speaker that covers it.
    """
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    segments: list[_Segment] = []
    for a, b in itertools.pairwise(cuts):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            segments.append(_Segment(text[a:b]))
            continue
        inner = min(covering, key=lambda s: s.end - s.start)
        classes = f"q c{inner.color}"
        classes += " conflict" if any(s.conflict for s in covering) else ""
        classes += " missed" if all(s.missed for s in covering) else ""
        segments.append(
            _Segment(
                text[a:b],
                classes=classes,
                title="; ".join(dict.fromkeys(s.label for s in covering)),
                label=" / ".join(dict.fromkeys(s.label for s in covering if s.end == b)),
                anchor=f"q{a}" if any(s.start == a for s in covering) else "",
            )
        )
    return segments


def _provenance_rows(provenance: Provenance) -> list[tuple[str, str]]:
    usage = provenance.usage
    rows: list[tuple[str, object]] = [
        ("engine", provenance.engine),
        ("model", provenance.model),
        ("endpoint", provenance.endpoint_host),
        ("output mode", provenance.output_mode),
        ("template", provenance.template),
        ("template sha256", provenance.template_sha256),
        ("tokens", f"{usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion"),
        ("attempts", provenance.attempts),
        ("parts", provenance.parts),
        ("latency", f"{provenance.latency_s:.2f} s"),
        ("article sha256", provenance.article_sha256),
        ("created", provenance.created_at.isoformat()),
        ("summarizer", provenance.tool_version),
    ]
    return [(name, str(value)) for name, value in rows if value is not None]


def _result_label(result: SummaryResult) -> str:
    return result.title or result.article_id or result.issue or "Untitled article"


# ---- one article --------------------------------------------------------------------------


def article_report(result: SummaryResult, article_text: str) -> str:
    """One self-contained HTML page: the article with its quotes highlighted, and the actors.

    Args:
        result: The summary of the article.
        article_text: The exact text the result was made from; quote offsets point into it.

    Returns:
        A complete HTML document.
    """
    actors = _actors(result, article_text)
    unplaced = sum(UNPLACED_FLAG in (f.text for f in q.flags) for a in actors for q in a.quotes)
    template = _env().get_template("article.html.j2")
    return template.render(
        result=result,
        page_title=_result_label(result),
        offline=is_offline(result),
        offline_note=OFFLINE_NOTE,
        actors=actors,
        segments=_segments(article_text, _spans(result, article_text)),
        unverified=len(result.unverified_quotes),
        unplaced=unplaced,
        missed_flag=MISSED_FLAG,
        provenance=_provenance_rows(result.provenance),
        source_href=_safe_href(result.url),
    )


def _safe_href(url: str | None) -> str | None:
    """The URL as a link target only when it is plain http(s): never javascript: or data:."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


# ---- a batch archive ----------------------------------------------------------------------


def load_results(
    lines: Iterable[str], *, source: str | None = None
) -> Iterator[SummaryResult | dict[str, Any]]:
    """Read batch output JSONL lazily: each line a SummaryResult or an error record.

    Args:
        lines: The lines of the file (an open file works).
        source: The file name, for error messages.

    Yields:
        A SummaryResult, or the error record as a dict (``id``, ``error``, ``message``,
        ``attempts``). Blank lines are skipped.

    Raises:
        InputError: A line is not JSON, or is neither a result nor an error record.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON ({exc.msg})", source=source, line=number) from exc
        if isinstance(record, dict) and "error" in record and "provenance" not in record:
            yield record
            continue
        try:
            yield SummaryResult.model_validate(record)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]  # "Field required" alone does not say which field
            field = ".".join(map(str, first["loc"])) or "the line"
            message = f"neither a summary result nor an error record: {field}: {first['msg']}"
            raise InputError(message, source=source, line=number) from exc


@dataclass(frozen=True)
class _Mention:
    anchor: str
    article: str
    stance: str | None
    position: str
    quotes: list[_QuoteView]
    missed: bool


@dataclass
class _IndexEntry:
    name: str
    roles: list[str] = field(default_factory=list)
    mentions: list[_Mention] = field(default_factory=list)


class _ActorIndex:
    """Who said what, in which article: built while the table streams past."""

    def __init__(self) -> None:
        self._entries: dict[str, _IndexEntry] = {}

    def add(self, number: int, anchor: str, result: SummaryResult) -> None:
        article = f"#{number} {_result_label(result)}"
        stance_shown = not is_offline(result)
        for p in result.positions:
            stance = p.stance.value if stance_shown else None
            quotes = [_QuoteView(q.text, _quote_flags(q)) for q in p.quotes]
            mention = _Mention(anchor, article, stance, p.position, quotes, False)
            self._entry(p.actor, p.role).mentions.append(mention)
        for m in result.missed_actors:
            quotes = [_QuoteView(q.text, _quote_flags(q)) for q in m.quotes]
            mention = _Mention(anchor, article, None, "", quotes, True)
            self._entry(m.actor, m.role).mentions.append(mention)

    def _entry(self, name: str, role: str) -> _IndexEntry:
        name = " ".join(name.split())
        entry = self._entries.setdefault(name.casefold(), _IndexEntry(name))
        role = " ".join(role.split())
        if role and role not in entry.roles:
            entry.roles.append(role)
        return entry

    def entries(self) -> list[_IndexEntry]:
        return [self._entries[key] for key in sorted(self._entries)]


def _count(items: Sized | int, noun: str) -> str:
    n = items if isinstance(items, int) else len(items)
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _error_row(number: int, record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": "error",
        "number": number,
        "anchor": f"a{number}",
        "id": str(record.get("id") or ""),
        "error": str(record.get("error") or "error"),
        "message": scrub(str(record.get("message") or "")),
        "attempts": str(record.get("attempts") if record.get("attempts") is not None else ""),
    }


def _result_row(number: int, result: SummaryResult) -> dict[str, Any]:
    offline = is_offline(result)
    conflicts = sum(q.attribution == "conflict" for p in result.positions for q in p.quotes)
    flags = []
    if result.unverified_quotes:
        flags.append(_Flag("bad", f"✗ {_count(result.unverified_quotes, 'quote')} not found"))
    if conflicts:
        flags.append(_Flag("warn", f"⚠ {_count(conflicts, 'attribution conflict')}"))
    if result.missed_actors:
        flags.append(_Flag("warn", f"⚠ {_count(result.missed_actors, 'missed actor')}"))
    return {
        "kind": "result",
        "number": number,
        "anchor": f"a{number}",
        "id": result.article_id or "",
        "label": _result_label(result),
        "issue": result.issue,
        "actors": [(p.actor, None if offline else p.stance.value) for p in result.positions],
        "flags": flags,
        "made_by": provenance_line(result.provenance),
    }


def iter_archive_report(
    records: Iterable[Record], *, title: str = "Summary archive"
) -> Iterator[str]:
    """Stream an archive page in pieces: each record is read, laid out and let go in turn.

    Only the actor index (who said what, in which article) is kept until the end.

    Args:
        records: SummaryResults and error records (mappings with ``error``), e.g. from
            `load_results`.
        title: The page heading.

    Yields:
        Pieces of one HTML document; write them out in order.
    """
    env = _env()
    index = _ActorIndex()
    counts = {"results": 0, "errors": 0}
    yield env.get_template("archive_head.html.j2").render(title=title)
    row_template = env.get_template("archive_row.html.j2")
    for number, record in enumerate(records, start=1):
        if isinstance(record, SummaryResult):
            row = _result_row(number, record)
            index.add(number, row["anchor"], record)
            counts["results"] += 1
        else:
            row = _error_row(number, record)
            counts["errors"] += 1
        yield row_template.render(row=row)
    yield env.get_template("archive_tail.html.j2").render(
        index=index.entries(), missed_flag=MISSED_FLAG, **counts
    )


def archive_report(records: Iterable[Record], *, title: str = "Summary archive") -> str:
    """The archive page as one string; see `iter_archive_report` to write it as it is made."""
    return "".join(iter_archive_report(records, title=title))
