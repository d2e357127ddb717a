"""The engine's analysis as numbered evidence: what the model cites instead of copying quotes.

The offline attribution engine finds who said what with offsets. Before the call, its actors,
direct quotes and reported statements get short ids (``A1``, ``Q3``, ``S2``, in document order)
and go into the prompt. The model answers with ids; ``resolve`` turns them back into exact
spans of the article, so a cited quote is verbatim by construction.

Ids are made once per article, from the whole text: the parts of a split article show subsets
of the same list (``Evidence.within``), so an id means the same span in every part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.attribution import SPEECH_KINDS, Actor, Attribution, FoundQuote, match_actor

__all__ = ["Evidence", "EvidenceActor", "EvidenceItem", "marked", "normalise_id"]

_PROMPT_WORDS = 40
_ID = re.compile(r"\b([AQS])\s*0*(\d+)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A quote (``Q…``) or reported statement (``S…``) with its span and the engine's actor."""

    id: str
    text: str
    start: int
    end: int
    actor_id: str | None
    speaker: str | None

    @property
    def is_quote(self) -> bool:
        return self.id.startswith("Q")


@dataclass(frozen=True, slots=True)
class EvidenceActor:
    """A speaker the engine found, with the ids of what they said."""

    id: str
    name: str
    role: str | None
    aliases: tuple[str, ...]
    quote_ids: tuple[str, ...]
    statement_ids: tuple[str, ...]

    def named(self, name: str) -> bool:
        """Whether ``name`` is one of this actor's names (loosely, see ``match_actor``)."""
        return any(match_actor(name, alias) for alias in (self.name, *self.aliases))


@dataclass(frozen=True)
class Evidence:
    """Every actor, quote and statement the engine found, by id, in document order."""

    actors: tuple[EvidenceActor, ...] = ()
    items: tuple[EvidenceItem, ...] = ()
    language: str = "en"  # the article's ISO 639-1 code, as the engine read it
    _by_id: dict[str, EvidenceItem | EvidenceActor] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._by_id.update({a.id: a for a in self.actors})
        self._by_id.update({i.id: i for i in self.items})

    @classmethod
    def from_attribution(cls, attribution: Attribution) -> Evidence:
        """Number the engine's findings: quotes and statements in document order, actors in
        order of their first quote or statement."""
        quotes = sorted(
            (q for q in attribution.quotes if q.kind in SPEECH_KINDS), key=lambda q: q.start
        )
        statements = sorted(
            (s for a in attribution.actors for s in a.statements), key=lambda s: s.start
        )
        speaking = [a for a in attribution.actors if _quotes_of(a) or a.statements]
        speaking.sort(key=lambda a: min(start for start, _ in _spans(a)))
        actor_ids = {a.name: f"A{n}" for n, a in enumerate(speaking, start=1)}
        owner = {span: a.name for a in speaking for span in _spans(a)}
        items: list[EvidenceItem] = []
        for n, q in enumerate(quotes, start=1):
            name = owner.get((q.start, q.end))
            items.append(
                EvidenceItem(f"Q{n}", q.text, q.start, q.end, actor_ids.get(name or ""), q.speaker)
            )
        for n, s in enumerate(statements, start=1):
            name = owner.get((s.start, s.end))
            actor_id = actor_ids.get(name or "")
            items.append(EvidenceItem(f"S{n}", s.text, s.start, s.end, actor_id, name))
        ids_of: dict[str, list[str]] = {}
        for item in items:
            if item.actor_id:
                ids_of.setdefault(item.actor_id, []).append(item.id)
        actors = tuple(
            EvidenceActor(
                id=actor_ids[a.name],
                name=a.name,
                role=a.role,
                aliases=tuple(x for x in a.aliases if x != a.name),
                quote_ids=tuple(i for i in ids_of.get(actor_ids[a.name], []) if i[0] == "Q"),
                statement_ids=tuple(i for i in ids_of.get(actor_ids[a.name], []) if i[0] == "S"),
            )
            for a in speaking
        )
        return cls(actors=actors, items=tuple(items), language=attribution.language)

    def item(self, id_: str) -> EvidenceItem | None:
        found = self._by_id.get(id_)
        return found if isinstance(found, EvidenceItem) else None

    def actor(self, id_: str) -> EvidenceActor | None:
        found = self._by_id.get(id_)
        return found if isinstance(found, EvidenceActor) else None

    def actor_named(self, name: str) -> EvidenceActor | None:
        """The actor ``name`` refers to: an id ("A2"), or one of the actor's names."""
        if (by_id := self.actor(normalise_id(name))) is not None:
            return by_id
        # The exact name first, then an exact alias: a slot's fixed name must find its own
        # actor, not an earlier one it resembles ("DNC" beside "Democratic National Committee")
        # or one the engine gave the same words as an alias ("De Blasio" beside "Bill de
        # Blasio", also "De Blasio", when the engine kept the two apart).
        wanted = name.strip().casefold()
        named = (a for a in self.actors if a.name.casefold() == wanted)
        alias = (a for a in self.actors if wanted in (n.casefold() for n in a.aliases))
        loose = (a for a in self.actors if a.named(name))
        return next(named, None) or next(alias, None) or next(loose, None)

    def prominent(self) -> list[EvidenceActor]:
        """The actors most quoted first, then by statements, then in document order: the
        order positions are asked for and shown in."""
        order = {a.id: n for n, a in enumerate(self.actors)}
        return sorted(
            self.actors, key=lambda a: (-len(a.quote_ids), -len(a.statement_ids), order[a.id])
        )

    def quote_at(self, start: int, end: int) -> EvidenceItem | None:
        """The evidence quote overlapping ``[start, end)`` most, if any."""
        best, best_overlap = None, 0
        for item in self.items:
            if item.is_quote:
                overlap = min(end, item.end) - max(start, item.start)
                if overlap > best_overlap:
                    best, best_overlap = item, overlap
        return best

    def within(self, start: int, end: int) -> Evidence:
        """The evidence inside ``[start, end)`` of the article (a part), ids unchanged."""
        items = tuple(i for i in self.items if i.start >= start and i.end <= end)
        kept = {i.id for i in items}
        actors = tuple(
            EvidenceActor(
                id=a.id,
                name=a.name,
                role=a.role,
                aliases=a.aliases,
                quote_ids=tuple(i for i in a.quote_ids if i in kept),
                statement_ids=tuple(i for i in a.statement_ids if i in kept),
            )
            for a in self.actors
            if any(i in kept for i in (*a.quote_ids, *a.statement_ids))
        )
        return Evidence(actors=actors, items=items)

    def for_prompt(self) -> dict[str, object]:
        """The template variables: actors with their quotes and statements, then the quotes
        whose speaker the engine could not settle. Long texts are shortened: the model needs
        to recognise a passage, not to read it twice."""

        def shown(item: EvidenceItem) -> dict[str, str]:
            return {"id": item.id, "text": _shorten(item.text)}

        actors = [
            {
                "id": a.id,
                "name": a.name,
                "role": a.role or "",
                "aliases": [x for x in a.aliases if x.casefold() != a.name.casefold()][:3],
                "quotes": [shown(i) for i in map(self.item, a.quote_ids) if i],
                "statements": [shown(i) for i in map(self.item, a.statement_ids) if i],
            }
            for a in self.actors
        ]
        unattributed = [shown(i) for i in self.items if i.is_quote and i.actor_id is None]
        by_id = {a["id"]: a for a in actors}
        return {
            "actors": actors,
            "prominent": [by_id[a.id] for a in self.prominent()],
            "unattributed": unattributed,
            "empty": not self.items,
        }


def marked(text: str, evidence: Evidence) -> str:
    """``text`` with each evidence item's id in brackets where the item begins: ``“[Q3]We
    will…”``, ``[S2]She said that…``. ``text`` may be a part of the article: items are found
    by their words, in document order, and those outside it are left out."""
    pieces: list[str] = []
    cursor = 0
    for item in sorted(evidence.items, key=lambda i: i.start):
        at = text.find(item.text, cursor)
        if at < 0:
            continue
        pieces += [text[cursor:at], f"[{item.id}]"]
        cursor = at
    pieces.append(text[cursor:])
    return "".join(pieces)


def normalise_id(raw: str) -> str:
    """``"q3"``, ``"[Q3]"``, ``"Q03"`` -> ``"Q3"``; anything else unchanged (stripped)."""
    text = raw.strip()
    match = _ID.fullmatch(text.strip("[]()<> ."))
    return f"{match.group(1).upper()}{int(match.group(2))}" if match else text


def _spans(actor: Actor) -> list[tuple[int, int]]:
    return [(x.start, x.end) for x in _quotes_of(actor)] + [
        (s.start, s.end) for s in actor.statements
    ]


def _quotes_of(actor: Actor) -> list[FoundQuote]:
    return [q for q in actor.quotes if q.kind in SPEECH_KINDS]


def _shorten(text: str) -> str:
    words = text.split()
    if len(words) <= _PROMPT_WORDS:
        return " ".join(words)
    return " ".join(words[:_PROMPT_WORDS]) + " …"
