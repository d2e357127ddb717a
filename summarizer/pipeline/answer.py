"""The JSON schema of one article's answer: the evidence's own ids, a slot per quoted actor.

A generic schema lets a model cite ids that do not exist and leave quoted actors out; each is
a re-ask, a whole second generation. The schema built here for one article rules both out where
the endpoint enforces it:

- every endpoint: the ``evidence`` arrays accept only the ids this article's evidence has;
- JSON mode with a schema (llama.cpp, vLLM, which compile it into a grammar): ``positions``
  starts with one slot per engine actor (most quoted first, up to the actor limit), its
  ``actor`` fixed to that actor's name and its ``evidence`` to that actor's own ids and the
  quotes nobody was found to say, at least one of them; it has no ``new_quotes`` and, when the
  engine knows the actor's role, no ``role`` (the tool fills both from the evidence); free
  entries for actors the engine did not find may follow, up to the limit.

The engine finds who said what; the model writes the judgement into a slot it cannot miss.
Strict Structured Outputs (OpenAI's ``json_schema``) get the id enums only: they accept neither
``const`` tuples of this shape nor ``minItems``.
"""

from __future__ import annotations

import copy
from typing import Any

from summarizer.llm import Mode, shared_json_schema
from summarizer.pipeline.evidence import Evidence, EvidenceActor
from summarizer.schema import Draft

__all__ = ["answer_schema"]

_POSITION = "#/$defs/DraftPosition"


def answer_schema(evidence: Evidence, mode: Mode, *, max_actors: int) -> dict[str, Any]:
    """The schema a request for this article's answer sends (a fresh dict, the caller's)."""
    schema = copy.deepcopy(shared_json_schema(Draft))
    ids = [item.id for item in evidence.items]
    defs = schema["$defs"]
    if ids:
        defs["DraftPosition"]["properties"]["evidence"]["items"] = {"enum": ids}
    speaking = evidence.prominent()[:max_actors]
    if mode == "json_schema" or not speaking:
        return schema
    unsettled = [i.id for i in evidence.items if i.is_quote and i.actor_id is None]
    slots = []
    for actor in speaking:
        defs[f"Slot{actor.id}"] = _slot(defs["DraftPosition"], actor, unsettled)
        slots.append({"$ref": f"#/$defs/Slot{actor.id}"})
    free = max(0, max_actors - len(speaking))
    schema["properties"]["positions"] = {
        "description": schema["properties"]["positions"]["description"],
        "anyOf": [
            {"type": "array", "prefixItems": [*slots, *[{"$ref": _POSITION}] * extra]}
            for extra in range(free + 1)
        ],
    }
    return schema


def _slot(position: dict[str, Any], actor: EvidenceActor, unsettled: list[str]) -> dict[str, Any]:
    slot = copy.deepcopy(position)
    properties = slot["properties"]
    properties["actor"] = {"const": actor.name}
    # Not asked for what the engine already knows: every token is generation time. The role
    # comes from the evidence when it has one, and an evidence actor's quotes are its ids.
    leave_out = {"new_quotes", "role"} if actor.role else {"new_quotes"}
    for name in leave_out:
        del properties[name]
    slot["required"] = [name for name in slot["required"] if name not in leave_out]
    own = [*actor.quote_ids, *actor.statement_ids, *unsettled]
    properties["evidence"] = {**properties["evidence"], "items": {"enum": own}, "minItems": 1}
    slot["description"] = f"{actor.id} {actor.name}'s position."
    return slot
