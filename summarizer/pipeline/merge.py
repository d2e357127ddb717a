"""Merge the drafts of a long article's parts into one: one entry per actor, one summary.

Positions are merged by rule, the issue and summary by one more call to the model:

- Actors: the same evidence id ("A2") in two parts is one actor (ids are made once for the
  whole article). Actors the evidence does not list are matched by name: "Scholz" in part 2
  and "Olaf Scholz" in part 1 are one actor (``match_actor``), kept under the fullest name.
  Two full names that share only a surname ("Joe Biden", "Hunter Biden") stay apart: merging
  two people is worse than listing one twice.
- Evidence: the cited ids of every part, each once. Quotes the model added as text are
  deduplicated after the verbatim check's normalisation; of two where one contains the other
  (the overlap between parts shows the model a quote twice, cut differently), the longer stays.
- Stances: see ``reconcile_stances``. A rule, not the model: it is deterministic, testable and
  free, and the parts' stances are already the model's reading of each part.
- Issue and summary: a rule cannot write one summary of about ``summary_sentences`` sentences
  from N partial ones (joining them gives N times the length; keeping the first loses the rest
  of the article), so a small "reduce" call sees every part's issue and summary and the merged
  positions, never the article text again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.attribution.names import match_actor, name_tokens, split_role
from summarizer.config import Settings
from summarizer.llm import ChatModel, Structured, shared_json_schema, structured_call
from summarizer.pipeline.evidence import Evidence, normalise_id
from summarizer.pipeline.verbatim import normalize
from summarizer.schema import ActorKind, Draft, DraftPosition, Overview, Stance
from summarizer.templates import Message, Templates
from summarizer.tokens import check_budget, context_window, count_messages, tokenizer_for

__all__ = ["merge_positions", "reconcile_stances", "reduce", "same_actor"]

REDUCE_TASK = "reduce"
_UNINFORMATIVE = {Stance.NEUTRAL, Stance.UNCLEAR}


def reconcile_stances(stances: Sequence[Stance]) -> Stance:
    """One stance for an actor seen in several parts.

    - A stance from one part wins over neutral/unclear from another: a part that merely
      mentions an actor does not cancel the part where they take a side.
    - The same stance everywhere stays.
    - supports + conditional, or opposes + conditional, is conditional: an actor who backs (or
      rejects) a plan "as long as" (or "unless") in one part and plainly in another has set a
      condition; the parts just saw different halves of it.
    - Anything else (supports + opposes, or any part reporting mixed) is mixed.
    """
    informative = {s for s in stances if s not in _UNINFORMATIVE}
    if not informative:
        return Stance.NEUTRAL if Stance.NEUTRAL in stances else Stance.UNCLEAR
    if len(informative) == 1:
        return informative.pop()
    if informative in ({Stance.SUPPORTS, Stance.CONDITIONAL}, {Stance.OPPOSES, Stance.CONDITIONAL}):
        return Stance.CONDITIONAL
    return Stance.MIXED


def same_actor(name_a: str, name_b: str) -> bool:
    """Whether two actor names from different parts are one actor (see the module docstring)."""
    a, b = _bare_name(name_a), _bare_name(name_b)
    if not match_actor(a, b):
        return False
    ta, tb = set(name_tokens(a)), set(name_tokens(b))
    return len(ta) < 2 or len(tb) < 2 or ta <= tb or tb <= ta


def _bare_name(name: str) -> str:
    """The name without the role words in front: "Chancellor Olaf Scholz" -> "Olaf Scholz"."""
    words = name.split()
    return split_role(words)[1] if len(words) > 1 else name


@dataclass
class _Actor:
    first_seen: int
    actor_id: str | None = None
    names: list[str] = field(default_factory=list)
    kinds: list[ActorKind] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    new_quotes: list[str] = field(default_factory=list)
    parts: set[int] = field(default_factory=set)

    def add(self, part: int, p: DraftPosition) -> None:
        self.names.append(p.actor)
        self.kinds.append(p.kind)
        self.roles.append(p.role.strip())
        self.stances.append(p.stance)
        self.positions.append(p.position)
        self.evidence.extend(i for i in map(normalise_id, p.evidence) if i not in self.evidence)
        self.new_quotes.extend(p.new_quotes)
        self.parts.add(part)

    def matches(self, name: str, actor_id: str | None) -> bool:
        """The same evidence actor, or, for actors the evidence lacks, one of its names is the
        same actor and none is clearly someone else."""
        if actor_id is not None or self.actor_id is not None:
            return actor_id == self.actor_id
        return name in self.names or all(same_actor(n, name) for n in self.names)

    def merged(self) -> DraftPosition:
        name = self.actor_id or max(self.names, key=lambda n: len(name_tokens(_bare_name(n))))
        return DraftPosition(
            actor=name,
            kind=Counter(self.kinds).most_common(1)[0][0],
            role=max(self.roles, key=len),
            evidence=self.evidence,
            stance=reconcile_stances(self.stances),
            position=" ".join(_distinct(self.positions)),
            new_quotes=_dedupe_quotes(self.new_quotes),
        )


def merge_positions(
    drafts: Sequence[Draft], evidence: Evidence, *, max_actors: int | None = None
) -> list[DraftPosition]:
    """One position per actor across the parts' drafts, most prominent first.

    Prominence is the number of parts an actor appears in, then the number of cited ids, then
    who came first; past ``max_actors`` the least prominent are left out.
    """
    actors: list[_Actor] = []
    for part, draft in enumerate(drafts):
        for p in draft.positions:
            found = evidence.actor_named(p.actor)
            actor_id = found.id if found else None
            actor = next((a for a in actors if a.matches(p.actor, actor_id)), None)
            if actor is None:
                actor = _Actor(first_seen=len(actors), actor_id=actor_id)
                actors.append(actor)
            actor.add(part, p)
    ranked = sorted(actors, key=lambda a: (-len(a.parts), -len(a.evidence), a.first_seen))
    return [a.merged() for a in ranked[:max_actors]]


def _distinct(texts: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = normalize(text).casefold()
        if key not in seen:
            seen.add(key)
            kept.append(text.strip())
    return kept


def _dedupe_quotes(quotes: Sequence[str]) -> list[str]:
    """Drop repeats and quotes contained in a longer one; keep the order of first appearance."""
    kept: list[tuple[str, str]] = []  # (comparison key, quote)
    for quote in quotes:
        key = normalize(quote).strip("\"' .,;:").casefold()
        if not key or any(key in k for k, _ in kept):
            continue
        shorter = [i for i, (k, _) in enumerate(kept) if k in key]
        at = shorter[0] if shorter else len(kept)
        kept = [item for i, item in enumerate(kept) if i not in shorter]
        kept.insert(at, (key, quote))
    return [q for _, q in kept]


async def reduce(
    drafts: Sequence[Draft],
    positions: Sequence[DraftPosition],
    *,
    settings: Settings,
    client: ChatModel,
    templates: Templates,
    title: str | None = None,
    language: str | None = None,
) -> Structured[Overview]:
    """One issue and one summary for the whole article, from the parts' drafts.

    Args:
        language: The language to write in (``prepare.output_language``); by default the
            one set, else English.

    Raises:
        BudgetError: The parts' summaries alone do not fit the context window.
        LLMError, OutputValidationError: As for any structured call.
    """
    variables: dict[str, Any] = {
        "parts": [{"issue": d.issue, "summary": d.summary} for d in drafts],
        "positions": [p.model_dump(mode="json") for p in positions],
        "title": title,
        "language": language or settings.language or "English",
        "summary_sentences": settings.summary_sentences,
        "schema": json.dumps(shared_json_schema(Overview), ensure_ascii=False),
    }

    def messages_for(include_schema: bool) -> list[Message]:
        return templates.render_task(
            REDUCE_TASK, {**variables, "include_schema": include_schema}
        ).messages

    def reask(errors: list[str]) -> str:
        return templates.render("reask.user.j2", {"errors": errors})

    tokens = count_messages(
        tokenizer_for(settings.model, download=settings.tiktoken_download), messages_for(True)
    )
    window = context_window(settings.model, settings.context_window)
    check_budget(tokens, settings.max_output_tokens, window, model=settings.model)
    return await structured_call(
        client, Overview, settings=settings, messages_for=messages_for, reask_message=reask
    )
