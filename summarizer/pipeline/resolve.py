"""Turn the model's answer into positions grounded in the article.

The model cites evidence by id (``pipeline.evidence``); here the ids become exact spans:

- A cited quote or statement is the engine's span: text and offsets from the article.
- A quote the model adds as text (``new_quotes``) is checked verbatim; if it lies inside an
  evidence quote it becomes that quote.
- Each quote records both the engine's speaker and the actor the model cited it for. When they
  differ (a conflict), ``follow`` decides which the positions show: ``"engine"`` (default; the
  engine attributes far more reliably, see the README) lists the quote under the engine's
  speaker, ``"model"`` under the model's actor. Both names stay on the quote either way.
- Every quote the engine gives to an actor appears under that actor's position, cited or not;
  ``Position.evidence`` keeps what the model cited, and a position citing nothing is
  unsupported.
- Nothing is dropped: an engine actor with quotes or reported statements that no position
  covers is added as a position with stance ``unclear`` and origin ``engine`` (only a left-out
  actor with direct quotes is worth a re-ask: ``problems``); unknown and repeated ids are
  skipped and noted on the result; past the actor limit the least prominent model positions
  go, noted.

``problems`` lists what one re-ask should fix before the repair above is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarizer.attribution import match_actor
from summarizer.pipeline.evidence import Evidence, EvidenceActor, EvidenceItem, normalise_id
from summarizer.pipeline.verbatim import ArticleText
from summarizer.schema import ActorKind, Draft, Position, Quote, Stance, Statement

__all__ = ["Follow", "Resolved", "engine_positions", "problems", "resolve"]

Follow = Literal["engine", "model"]


@dataclass
class Resolved:
    """Positions in display order, and what the tool repaired on the way."""

    positions: list[Position]
    notes: list[str] = field(default_factory=list)


def problems(draft: Draft, evidence: Evidence, *, max_actors: int) -> list[str]:
    """What is wrong with the model's citations, one line each, ready to feed back.

    Unknown ids, ids cited twice, and engine actors with direct quotes that no position
    covers (as long as the limit leaves room for them).
    """
    found: list[str] = []
    seen: dict[str, str] = {}
    covered: set[str] = set()
    for p in draft.positions:
        actor = evidence.actor_named(p.actor)
        label = actor.id if actor else p.actor
        if actor:
            covered.add(actor.id)
        elif normalise_id(p.actor)[:1] == "A" and normalise_id(p.actor)[1:].isdigit():
            found.append(f"{p.actor} is not an actor id in the evidence list.")
        for raw in p.evidence:
            id_ = normalise_id(raw)
            if evidence.item(id_) is None:
                found.append(f"{label} cites {raw!r}, which is not a quote or statement id.")
            elif id_ in seen and seen[id_] != label:
                found.append(f"{id_} is cited by both {seen[id_]} and {label}: cite it once.")
            seen.setdefault(id_, label)
    room = max_actors - len(draft.positions)
    for actor in evidence.actors:
        if room <= 0:
            break
        if actor.quote_ids and actor.id not in covered:
            found.append(
                f"{actor.id} ({actor.name}) has direct quotes {', '.join(actor.quote_ids)} but no "
                "position: add one for them."
            )
            room -= 1
    return found


def resolve(
    draft: Draft,
    evidence: Evidence,
    text: ArticleText,
    *,
    max_actors: int,
    follow: Follow = "engine",
    drop_unverified: bool = False,
) -> Resolved:
    """The model's positions with every id resolved, every quote located, nothing dropped."""
    builder = _Builder(evidence, text, follow=follow, drop_unverified=drop_unverified)
    for p in draft.positions:
        builder.add_model_position(p.actor, p.kind, p.role, p.stance, p.position, p.evidence)
        for raw in p.new_quotes:
            builder.add_new_quote(p.actor, raw)
    builder.trim(max_actors)
    builder.add_engine_actors()
    return Resolved(builder.positions(), builder.notes)


def engine_positions(evidence: Evidence) -> list[Position]:
    """The engine's result alone (no model): every actor with quotes or reported statements,
    stance unclear, most-quoted first."""
    builder = _Builder(evidence, ArticleText(""), follow="engine", drop_unverified=False)
    builder.add_engine_actors(announce=False)
    positions = builder.positions()
    positions.sort(key=lambda p: (-len(p.quotes), -len(p.statements)))
    return positions


@dataclass
class _Entry:
    actor: str
    actor_id: str | None
    kind: ActorKind
    role: str
    stance: Stance
    position: str
    origin: Literal["model", "engine"]
    evidence: list[str] = field(default_factory=list)
    quotes: dict[str, Quote] = field(default_factory=dict)  # by id, or by offsets for new ones
    statements: dict[str, Statement] = field(default_factory=dict)

    def prominence(self) -> tuple[int, int]:
        return (len(self.evidence), len(self.quotes))


class _Builder:
    def __init__(
        self, evidence: Evidence, text: ArticleText, *, follow: Follow, drop_unverified: bool
    ):
        self.evidence = evidence
        self.text = text
        self.follow = follow
        self.drop_unverified = drop_unverified
        self.entries: list[_Entry] = []
        self.notes: list[str] = []
        self.placed: set[str] = set()  # evidence ids already under some position

    # -- positions ---------------------------------------------------------------------------

    def entry_for(self, name: str) -> _Entry | None:
        actor = self.evidence.actor_named(name)
        for entry in self.entries:
            if actor is not None and entry.actor_id == actor.id:
                return entry
            if actor is None and entry.actor_id is None and match_actor(entry.actor, name):
                return entry
        return None

    def add_model_position(
        self,
        name: str,
        kind: ActorKind,
        role: str,
        stance: Stance,
        position: str,
        cited: list[str],
    ) -> None:
        entry = self.entry_for(name)
        if entry is None:
            actor = self.evidence.actor_named(name)
            entry = _Entry(
                actor=actor.name if actor else name.strip(),
                actor_id=actor.id if actor else None,
                kind=kind,
                role=role.strip() or (actor.role or "" if actor else ""),
                stance=stance,
                position=position,
                origin="model",
            )
            self.entries.append(entry)
        elif entry.origin == "engine":  # created for a moved quote; the model's judgement wins
            entry.kind, entry.stance, entry.position, entry.origin = kind, stance, position, "model"
            entry.role = role.strip() or entry.role
        else:
            self.notes.append(f"{name} was listed twice; the positions were merged.")
        for raw in cited:
            self.cite(entry, raw)

    def cite(self, entry: _Entry, raw: str) -> None:
        id_ = normalise_id(raw)
        item = self.evidence.item(id_)
        if item is None:
            self.notes.append(f"{entry.actor}: cited {raw!r}, which is not in the evidence list.")
            return
        if id_ in self.placed:
            if id_ not in entry.evidence:
                self.notes.append(f"{id_} was cited for more than one actor; kept the first.")
            return
        self.placed.add(id_)
        entry.evidence.append(id_)
        if item.is_quote:
            self.place_quote(entry, item)
        else:
            # Reported speech follows the same rule as quotes: listed under the engine's
            # speaker when the model cites it for someone else and the engine is followed.
            self.home(entry, item, self.verdict(entry, item)).statements[id_] = _statement(item)

    def place_quote(self, entry: _Entry, item: EvidenceItem) -> None:
        quote = Quote(
            id=item.id,
            text=item.text,
            verified=True,
            start=item.start,
            end=item.end,
            speaker=item.speaker,
            cited_by=entry.actor,
            attribution=self.verdict(entry, item),
        )
        self.home(entry, item, quote.attribution).quotes[item.id] = quote

    def home(self, entry: _Entry, item: EvidenceItem, verdict: str = "agrees") -> _Entry:
        """Where a cited item is listed: under the citing actor, unless the engine gives it to
        another actor and the engine is followed."""
        if verdict != "conflict" or self.follow == "model" or item.actor_id is None:
            return entry
        owner = self.evidence.actor(item.actor_id)
        if owner is None:
            return entry
        return self.entry_for(owner.id) or self.engine_entry(owner)

    def verdict(
        self, entry: _Entry, item: EvidenceItem
    ) -> Literal["agrees", "conflict", "unknown"]:
        if item.actor_id is None:
            return "unknown"
        if item.actor_id == entry.actor_id:
            return "agrees"
        owner = self.evidence.actor(item.actor_id)
        if owner is not None and entry.actor_id is None and owner.named(entry.actor):
            return "agrees"
        return "conflict"

    def engine_entry(self, actor: EvidenceActor) -> _Entry:
        entry = _Entry(
            actor=actor.name,
            actor_id=actor.id,
            kind=_kind_of(actor),
            role=actor.role or "",
            stance=Stance.UNCLEAR,
            position="",
            origin="engine",
        )
        self.entries.append(entry)
        return entry

    # -- quotes the model adds as text ----------------------------------------------------

    def add_new_quote(self, name: str, raw: str) -> None:
        entry = self.entry_for(name)
        if entry is None or not raw.strip():
            return
        span = self.text.find(raw)
        if span is None:
            if not self.drop_unverified:
                entry.quotes[f"?{len(entry.quotes)}"] = Quote(
                    text=raw.strip(), verified=False, cited_by=entry.actor
                )
            return
        start, end = span
        inside = self.evidence.quote_at(start, end)
        if (
            inside is not None
            and (min(end, inside.end) - max(start, inside.start)) * 2 >= end - start
        ):
            self.cite(entry, inside.id)  # the engine has it: the model just copied it out
            return
        entry.quotes[f"{start}:{end}"] = Quote(
            text=self.text.text[start:end],
            verified=True,
            start=start,
            end=end,
            cited_by=entry.actor,
            attribution="unquoted" if not self.inside_marks(start, end) else "unknown",
        )

    def inside_marks(self, start: int, end: int) -> bool:
        # Only the engine's quotes are known to sit inside quotation marks; a span the engine
        # did not find is checked against the characters around it.
        before = self.text.text[max(0, start - 2) : start]
        after = self.text.text[end : end + 2]
        marks = "\"'“”„«»‘’‚‹›"
        return any(c in marks for c in before) and any(c in marks for c in after)

    # -- the rest ---------------------------------------------------------------------------

    def trim(self, max_actors: int) -> None:
        model = [e for e in self.entries if e.origin == "model"]
        if len(model) <= max_actors:
            return
        ranked = sorted(model, key=lambda e: e.prominence(), reverse=True)
        dropped = ranked[max_actors:]
        self.notes.append(
            f"The model listed {len(model)} actors; the limit is {max_actors}, so the least "
            f"prominent were left out: {', '.join(e.actor for e in dropped)}."
        )
        for entry in dropped:
            self.placed -= set(entry.quotes) | set(entry.statements)
        self.entries = [e for e in self.entries if e not in dropped]

    def add_engine_actors(self, *, announce: bool = True) -> None:
        """Every engine quote and statement under its speaker: uncited ones join the actor's
        position, and actors with no position are added (noted, when ``announce``)."""
        for actor in self.evidence.actors:
            entry = self.entry_for(actor.id)
            uncited = [i for i in (*actor.quote_ids, *actor.statement_ids) if i not in self.placed]
            if entry is None:
                if not uncited:
                    continue
                entry = self.engine_entry(actor)
                if announce:
                    said = "direct quotes" if actor.quote_ids else "reported statements"
                    self.notes.append(
                        f"{actor.name} ({actor.id}) has {said} but no position from the model; "
                        "added with stance unclear."
                    )
            for id_ in uncited:
                item = self.evidence.item(id_)
                if item is None:
                    continue
                self.placed.add(id_)
                if item.is_quote:
                    entry.quotes[id_] = Quote(
                        id=id_,
                        text=item.text,
                        verified=True,
                        start=item.start,
                        end=item.end,
                        speaker=item.speaker,
                        attribution="agrees",
                    )
                else:
                    entry.statements[id_] = _statement(item)

    def positions(self) -> list[Position]:
        model = [e for e in self.entries if e.origin == "model"]
        engine = [e for e in self.entries if e.origin == "engine"]
        engine.sort(key=lambda e: (-len(e.quotes), -len(e.statements)))
        return [_position(e) for e in (*model, *engine)]


def _position(entry: _Entry) -> Position:
    quotes = sorted(entry.quotes.values(), key=lambda q: (q.start is None, q.start or 0))
    statements = sorted(entry.statements.values(), key=lambda s: s.start or 0)
    return Position(
        actor=entry.actor,
        actor_id=entry.actor_id,
        kind=entry.kind,
        role=entry.role,
        stance=entry.stance,
        position=entry.position,
        evidence=entry.evidence,
        quotes=quotes,
        statements=statements,
        origin=entry.origin,
    )


def _statement(item: EvidenceItem) -> Statement:
    return Statement(id=item.id, text=item.text, start=item.start, end=item.end)


def _kind_of(actor: EvidenceActor) -> ActorKind:
    return ActorKind.PERSON if actor.role or " " in actor.name else ActorKind.GROUP
