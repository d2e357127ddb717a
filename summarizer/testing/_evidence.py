"""Read the numbered evidence back out of a rendered prompt, so fakes can cite it like a model.

Works on any template that prints the evidence as the default one does: an actor line starting
with its id (``A1 Keir Starmer, ...``), then indented quote and statement lines starting with
theirs (``  Q1 quote: "..."``). Prompts without such lines give no positions.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["cited_positions"]

_BLOCK = re.compile(r"<evidence>(.*?)</evidence>", re.S)
_ACTOR = re.compile(r"^(A\d+) ([^,(\n]+)", re.M)
_ITEM = re.compile(r"^\s+([QS]\d+) (?:quote|statement): (.*)$")
_OPPOSES = re.compile(r"\b(not|never|no|oppose[sd]?|against|premature|reject\w*)\b", re.I)
_SUPPORTS = re.compile(r"\b(support\w*|welcome\w*|prepared|ready|agree\w*|back\w*)\b", re.I)


def cited_positions(prompt: str, *, max_actors: int = 8) -> list[dict[str, Any]]:
    """One position per evidence actor with quotes, by the name the evidence gives, citing
    every id listed under it."""
    block = _BLOCK.search(prompt)
    if block is None:
        return []
    positions: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    said: list[str] = []
    for line in block.group(1).splitlines():
        if actor := _ACTOR.match(line):
            current = {"id": actor.group(1), "name": actor.group(2).strip(), "ids": []}
            positions.append(current)
            said = []
        elif (item := _ITEM.match(line)) and current is not None:
            current["ids"].append(item.group(1))
            said.append(item.group(2))
            current["said"] = " ".join(said)
        elif not line.startswith(" "):
            current = None  # past the actors: unattributed quotes are left uncited
    quoted = [p for p in positions if any(i.startswith("Q") for i in p["ids"])]
    return [
        {
            "actor": p["name"],
            "kind": "person",
            "role": "",
            "evidence": p["ids"],
            "stance": _stance(p.get("said", "")),
            "position": f"{p['name']} is quoted in the article.",
            "new_quotes": [],
        }
        for p in quoted[:max_actors]
    ]


def _stance(text: str) -> str:
    if _OPPOSES.search(text):
        return "opposes" if not _SUPPORTS.search(text) else "mixed"
    return "supports" if _SUPPORTS.search(text) else "unclear"
