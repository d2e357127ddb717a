"""Render results for people: plain/colour text for the terminal, markdown for a CMS."""

from __future__ import annotations

from summarizer.schema import Quote, SummaryResult

__all__ = ["to_markdown", "to_text"]


def _flag(quote: Quote) -> str:
    if not quote.verified:
        return "  [✗ not found in article]"
    if quote.attribution == "conflict":
        return f"  [⚠ engine says: {quote.speaker}]"
    return ""


def to_text(result: SummaryResult, *, color: bool = False) -> str:
    """A layout readable at a glance: issue, summary, then one block per actor."""
    lines = [f"ISSUE    {result.issue}", "", f"SUMMARY  {result.summary}", ""]
    for p in result.positions:
        role = f" ({p.role})" if p.role else ""
        lines.append(f"■ {p.actor}{role}: {p.stance.value.upper()}")
        lines.append(f"    {p.position}")
        lines.extend(f"    “{q.text}”{_flag(q)}" for q in p.quotes)
        lines.append("")
    if result.missed_actors:
        lines.append("MISSED ACTORS (quoted in the article, not in the summary)")
        lines.extend(f"  - {m.actor}" for m in result.missed_actors)
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(result: SummaryResult) -> str:
    """Markdown for pasting into a CMS or a chat."""
    lines = [f"**Issue:** {result.issue}", "", result.summary, ""]
    for p in result.positions:
        role = f", {p.role}" if p.role else ""
        lines.append(f"### {p.actor}{role} — {p.stance.value}")
        lines.append(p.position)
        lines.extend(f"> “{q.text}”{_flag(q)}" for q in p.quotes)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
