"""The deterministic answer: a valid ``Draft`` built from the article in the chat request."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from summarizer.testing._evidence import cited_positions

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def article_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The article: inside ``<article>`` tags in the last user message that has them, else the
    last user message as a whole (re-asks are short and carry no article)."""
    user_texts = [message_text(m) for m in messages if m.get("role") == "user"]
    for text in reversed(user_texts):
        start = text.find("<article")  # str.find: a DOTALL regex costs more than the draft
        end = text.rfind("</article>")
        if start >= 0 and end > start:
            return text[text.find(">", start) + 1 : end].strip()
    return user_texts[-1] if user_texts else ""


def message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def build_draft(article: str, *, prompt: str = "", max_actors: int = 4) -> dict[str, Any]:
    """A valid ``Draft`` as a dict, built deterministically from the article and the evidence
    the prompt lists (each evidence actor with quotes cited by id)."""
    head = _SENTENCE_END.split(article[:2000].strip(), maxsplit=3)
    sentences = [s.strip() for s in head[:3] if s.strip()]
    first = sentences[0] if sentences else "the article"
    if len(first) > 160:
        first = first[:160].rsplit(" ", 1)[0]
    issue = f"What is at stake in: {first.rstrip('.!?:,;')}?"
    summary = " ".join(sentences[:3])[:800] or "The article is empty."
    positions = cited_positions(prompt, max_actors=max_actors)
    return {"issue": issue, "summary": summary, "positions": positions}


@functools.lru_cache(maxsize=256)
def draft_json(article: str, prompt: str = "") -> str:
    """Benchmarks often repeat articles; the cache keeps the server from limiting them."""
    return json.dumps(build_draft(article, prompt=prompt), ensure_ascii=False)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)
