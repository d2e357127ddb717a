"""Ground summaries in the article: compare the model's quotes with the offline engine's.

The attribution engine (summarizer.attribution) finds who said each direct quote by rules.
Grounding uses it twice: to flag a quote the model gave to the wrong actor, and to list the
speakers the engine found with direct quotes whom the model left out. It also builds the
engine-only result (``engine="offline"``).
"""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.attribution import Attribution, FoundQuote, analyze, match_actor
from summarizer.schema import ActorKind, MissedActor, Position, Quote, Stance

__all__ = ["conflicts", "ground", "hints", "offline_positions"]

_GROUNDING_KINDS = ("direct", "partial")


def ground(
    positions: list[Position], attribution: Attribution
) -> tuple[list[Position], list[MissedActor]]:
    """Mark each verified quote as agreeing or conflicting with the engine's speaker.

    Returns:
        The positions with ``Quote.speaker`` / ``Quote.attribution`` filled in, and the actors
        the engine found with direct quotes that no position covers.
    """
    grounded = []
    for position in positions:
        quotes = [_ground_quote(position.actor, q, attribution) for q in position.quotes]
        statements = _statements_of(position.actor, attribution)
        grounded.append(position.model_copy(update={"quotes": quotes, "statements": statements}))
    return grounded, _missed(grounded, attribution)


def conflicts(positions: Iterable[Position]) -> list[tuple[str, Quote]]:
    """Every (actor, quote) whose words the engine attributes to someone else."""
    return [(p.actor, q) for p in positions for q in p.quotes if q.attribution == "conflict"]


def _ground_quote(actor: str, quote: Quote, attribution: Attribution) -> Quote:
    if quote.start is None or quote.end is None:
        return quote
    if not _inside_quotation_marks(quote.start, quote.end, attribution):
        return quote.model_copy(update={"speaker": None, "attribution": "unquoted"})
    speaker = attribution.speaker_of(quote.start, quote.end)
    if speaker is None:
        return quote.model_copy(update={"speaker": None, "attribution": "unknown"})
    verdict = "agrees" if _same_actor(actor, speaker, attribution) else "conflict"
    return quote.model_copy(update={"speaker": speaker, "attribution": verdict})


def _inside_quotation_marks(start: int, end: int, attribution: Attribution) -> bool:
    """True when most of the span lies inside some quotation the engine found."""
    covered = sum(max(0, min(end, q.end) - max(start, q.start)) for q in attribution.quotes)
    return covered * 2 >= end - start


def _same_actor(actor: str, speaker: str, attribution: Attribution) -> bool:
    if match_actor(actor, speaker):
        return True
    found = attribution.actor(speaker)
    return found is not None and any(match_actor(actor, a) for a in found.aliases)


def _statements_of(actor: str, attribution: Attribution) -> list[str]:
    found = attribution.actor(actor)
    return [s.text for s in found.statements] if found else []


def _missed(positions: list[Position], attribution: Attribution) -> list[MissedActor]:
    covered = [p.actor for p in positions]
    missed = []
    for actor in attribution.actors:
        quotes = [q for q in actor.quotes if q.kind in _GROUNDING_KINDS]
        if not quotes:
            continue
        names = (actor.name, *actor.aliases)
        if any(match_actor(c, n) for c in covered for n in names):
            continue
        missed.append(
            MissedActor(actor=actor.name, role=actor.role or "", quotes=_as_quotes(quotes))
        )
    return missed


def _as_quotes(found: Iterable[FoundQuote]) -> list[Quote]:
    return [
        Quote(
            text=q.text,
            verified=True,
            start=q.start,
            end=q.end,
            speaker=q.speaker,
            attribution="agrees",
        )
        for q in found
    ]


def offline_positions(text: str) -> tuple[list[Position], Attribution]:
    """Positions built from the engine alone: actors, roles, quotes, reported statements.

    Stances are ``unclear`` and positions empty: judging them needs a language model.
    """
    attribution = analyze(text)
    positions = []
    for actor in attribution.actors:
        quotes = [q for q in actor.quotes if q.kind in _GROUNDING_KINDS]
        if not quotes and not actor.statements:
            continue
        positions.append(
            Position(
                actor=actor.name,
                kind=ActorKind.PERSON if actor.role or " " in actor.name else ActorKind.GROUP,
                role=actor.role or "",
                stance=Stance.UNCLEAR,
                position="",
                quotes=_as_quotes(quotes),
                statements=[s.text for s in actor.statements],
            )
        )
    # Most-quoted first, as an editor would read them.
    positions.sort(key=lambda p: (-len(p.quotes), -len(p.statements)))
    return positions, attribution


def hints(attribution: Attribution, limit: int = 20) -> list[dict[str, str | None]]:
    """The engine's direct quotes and speakers, for the prompt's optional hints block."""
    found = [q for q in attribution.quotes if q.kind in _GROUNDING_KINDS]
    return [{"speaker": q.speaker, "text": q.text} for q in found[:limit]]
