"""Render a SummaryResult for people: a terminal layout (rich) and Markdown for a CMS or chat.

Every flag reads in plain text too: colour only underlines what the words already say, so a
result piped into a file or an e-mail loses nothing.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from summarizer.schema import MissedActor, Position, Provenance, Quote, Stance, SummaryResult

__all__ = [
    "MISSED_HEADING",
    "NOT_FOUND",
    "OFFLINE_NOTE",
    "UNQUOTED",
    "conflict_note",
    "is_offline",
    "provenance_line",
    "to_markdown",
    "to_text",
]

NOT_FOUND = "✗ not found in article"
UNQUOTED = "⚠ not a quote: the article does not put these words in quotation marks"
MISSED_HEADING = "⚠ Missed actors: quoted in the article, left out of the summary"
OFFLINE_NOTE = (
    "Stances need an LLM: this result comes from the offline engine, which finds actors, "
    "quotes and reported statements but does not judge stances or write a summary."
)

STANCE_STYLES: dict[Stance, str] = {
    Stance.SUPPORTS: "bold green",
    Stance.OPPOSES: "bold red",
    Stance.CONDITIONAL: "bold yellow",
    Stance.MIXED: "bold magenta",
    Stance.NEUTRAL: "bold blue",
    Stance.UNCLEAR: "dim",
}


def conflict_note(quote: Quote) -> str | None:
    """The grounding warning for a quote, or None.

    Either the offline engine gives the words to someone else, or the words are in the
    article but not inside quotation marks there (reported speech passed off as a quote).
    """
    if quote.attribution == "conflict":
        return f"⚠ engine says: {quote.speaker or 'another speaker'}"
    if quote.attribution == "unquoted":
        return UNQUOTED
    return None


def is_offline(result: SummaryResult) -> bool:
    """True when the result comes from the offline engine (no stances, no summary)."""
    return result.provenance.engine == "offline"


def provenance_line(provenance: Provenance) -> str:
    """One line saying how the result was made, for the foot of any rendering."""
    parts: list[str] = [provenance.engine]
    if provenance.model:
        parts.append(provenance.model)
    if provenance.engine == "llm":
        parts.append(f"{provenance.attempts} attempt{'s' if provenance.attempts != 1 else ''}")
        parts.append(f"{provenance.usage.total_tokens:,} tokens")
    if provenance.parts > 1:
        parts.append(f"{provenance.parts} parts")
    parts.append(f"{provenance.latency_s:.1f} s")
    parts.append(f"summarizer {provenance.tool_version}")
    return " · ".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _actor_heading(actor: str, role: str, kind: str | None = None) -> str:
    heading = _one_line(actor)
    if role.strip():
        heading += f" · {_one_line(role)}"
    if kind:
        heading += f" ({kind})"
    return heading


# ---- terminal -----------------------------------------------------------------------------


def to_text(result: SummaryResult, *, color: bool, width: int = 88) -> str:
    """Render a result as a terminal layout.

    Args:
        result: The result to show.
        color: Emit ANSI colours (pass ``sys.stdout.isatty()``); plain text otherwise.
        width: Wrap lines at this many columns.

    Returns:
        The rendered text, ending with a newline.
    """
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(_text_layout(result))
    output = str(console.file.getvalue())  # type: ignore[attr-defined]
    # rich pads every line to the full width; trailing blanks only get in the way of a pipe.
    return "\n".join(line.rstrip() for line in output.splitlines()) + "\n"


def _text_layout(result: SummaryResult) -> RenderableType:
    blocks: list[RenderableType] = []
    if result.title or result.article_id:
        blocks.append(Text(_one_line(result.title or result.article_id or ""), style="bold"))
    if is_offline(result):
        blocks.append(Text(OFFLINE_NOTE, style="italic yellow"))
    if result.issue.strip():
        blocks.append(Text.assemble(("Issue: ", "bold"), _one_line(result.issue)))
    if result.summary.strip():
        blocks.append(Text(result.summary.strip()))
    for position in result.positions:
        blocks.append(_text_position(position, offline=is_offline(result)))
    if not result.positions:
        blocks.append(Text("No actors found.", style="dim"))
    if result.missed_actors:
        blocks.append(_text_missed(result.missed_actors))
    blocks.append(Group(Rule(style="dim"), Text(provenance_line(result.provenance), style="dim")))
    return Group(*_spaced(blocks))


def _spaced(blocks: list[RenderableType]) -> list[RenderableType]:
    spaced: list[RenderableType] = []
    for block in blocks:
        if spaced:
            spaced.append(Text(""))
        spaced.append(block)
    return spaced


def _text_position(position: Position, *, offline: bool) -> RenderableType:
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column()
    if not offline:
        stance = Text(position.stance.value, style=STANCE_STYLES[position.stance])
        fields.add_row("Stance", stance)
    if position.position.strip():
        fields.add_row("Position", Text(_one_line(position.position)))
    if position.quotes:
        fields.add_row("Quotes", _text_quotes(position.quotes))
    if position.statements:
        statements = [Text(f"• {_one_line(s)}") for s in position.statements]
        fields.add_row("Reported", Group(*statements))
    heading = _actor_heading(position.actor, position.role, position.kind.value)
    return Group(Rule(Text(heading, style="bold cyan"), align="left"), Padding(fields, (0, 2)))


def _text_quotes(quotes: list[Quote]) -> RenderableType:
    lines: list[Text] = []
    for quote in quotes:
        mark = "✓ " if quote.verified and quote.attribution == "agrees" else "• "
        lines.append(Text.assemble(mark, f"“{_one_line(quote.text)}”"))
        if not quote.verified:
            lines.append(Text(f"  {NOT_FOUND}", style="bold red"))
        note = conflict_note(quote)
        if note:
            lines.append(Text(f"  {note}", style="bold yellow"))
    return Group(*lines)


def _text_missed(missed: list[MissedActor]) -> RenderableType:
    rows: list[RenderableType] = [Rule(Text(MISSED_HEADING, style="bold yellow"), align="left")]
    for actor in missed:
        quotes = [Text(f"  “{_one_line(q.text)}”") for q in actor.quotes]
        block = Group(Text(_actor_heading(actor.actor, actor.role), style="bold"), *quotes)
        rows.append(Padding(block, (0, 2)))
    return Group(*rows)


# ---- markdown -----------------------------------------------------------------------------

# CommonMark lets a backslash escape any ASCII punctuation. These characters could start
# emphasis, code, a link or image, raw HTML, an entity or a table cell anywhere in a line ...
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# ... and these only at its start: a heading, a list item or a setext underline.
_MD_LINE_START = re.compile(r"^(\d*)([#+=.)-])")


def _md(text: str) -> str:
    """One line of untrusted text, escaped so that Markdown renders it literally."""
    escaped = _MD_SPECIAL.sub(r"\\\1", _one_line(text))
    return _MD_LINE_START.sub(r"\1\\\2", escaped, count=1)


def to_markdown(result: SummaryResult) -> str:
    """Render a result as Markdown for a CMS or a chat; untrusted text is escaped."""
    lines: list[str] = []
    if result.title or result.article_id:
        lines += [f"# {_md(result.title or result.article_id or '')}", ""]
    if is_offline(result):
        lines += [f"> _{OFFLINE_NOTE}_", ""]
    if result.issue.strip():
        lines += [f"**Issue:** {_md(result.issue)}", ""]
    if result.summary.strip():
        lines += [_md(result.summary), ""]
    for position in result.positions:
        lines += _md_position(position, offline=is_offline(result))
    if result.missed_actors:
        lines += [f"## {MISSED_HEADING}", ""]
        for actor in result.missed_actors:
            lines.append(f"- **{_md(_actor_heading(actor.actor, actor.role))}**")
            lines += [f"  - “{_md(q.text)}”" for q in actor.quotes]
        lines.append("")
    lines += ["---", "", f"_{_md(provenance_line(result.provenance))}_"]
    return "\n".join(lines) + "\n"


def _md_position(position: Position, *, offline: bool) -> list[str]:
    heading = _actor_heading(position.actor, position.role, position.kind.value)
    lines = [f"## {_md(heading)}", ""]
    if not offline:
        lines.append(f"- **Stance:** {position.stance.value}")
    if position.position.strip():
        lines.append(f"- **Position:** {_md(position.position)}")
    if position.quotes:
        lines.append("- **Quotes:**")
        for quote in position.quotes:
            flags = [NOT_FOUND] if not quote.verified else []
            note = conflict_note(quote)
            if note:
                flags.append(note)
            suffix = "".join(f" **{_md(flag)}**" for flag in flags)
            lines.append(f"  - “{_md(quote.text)}”{suffix}")
    if position.statements:
        lines.append("- **Reported:**")
        lines += [f"  - {_md(s)}" for s in position.statements]
    return [*lines, ""]
