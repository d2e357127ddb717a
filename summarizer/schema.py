"""The input article and the output contract: what the model must return, what users get back.

Two layers share their field definitions:

- ``Draft`` / ``DraftPosition``: what the model is asked to produce. Its JSON schema is sent to
  the model (strict Structured Outputs, or the ``schema`` field of JSON mode), so every field
  description here is prompt text too.
- ``SummaryResult`` / ``Position`` / ``Quote``: what callers receive. The same fields plus what
  the tool fills in itself: verbatim checks with offsets, attribution grounding and provenance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

__all__ = [
    "ActorKind",
    "Article",
    "Draft",
    "DraftPosition",
    "MissedActor",
    "Overview",
    "Position",
    "Provenance",
    "Quote",
    "Stance",
    "SummaryResult",
    "Usage",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Stance(StrEnum):
    """An actor's stance towards the central issue."""

    SUPPORTS = "supports"
    OPPOSES = "opposes"
    CONDITIONAL = "conditional"
    MIXED = "mixed"
    NEUTRAL = "neutral"
    UNCLEAR = "unclear"


class ActorKind(StrEnum):
    """What sort of actor takes the position."""

    PERSON = "person"
    ORGANISATION = "organisation"
    GOVERNMENT = "government"
    GROUP = "group"


class Article(BaseModel):
    """One article to summarise. Only ``text`` is required."""

    model_config = ConfigDict(frozen=True)

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None


# ---- what the model returns -------------------------------------------------------------


class DraftPosition(BaseModel):
    """One actor's position as the model reports it."""

    model_config = ConfigDict(extra="forbid")

    actor: Text = Field(description="The actor's full name exactly as written in the article.")
    kind: ActorKind = Field(description="person, organisation, government or group.")
    role: str = Field(
        description="The actor's role or title as the article gives it, e.g. 'UK Prime "
        "Minister'; empty string if the article gives none."
    )
    stance: Stance = Field(description="The actor's stance towards the central issue.")
    position: Text = Field(
        description="One or two sentences stating the actor's position in their own terms, "
        "including any conditions they attach."
    )
    quotes: list[str] = Field(
        description="Direct quotes by this actor that support the position, each copied "
        "character for character from the article, without the quotation marks. Only words "
        "the article puts inside quotation marks and attributes to this actor. Empty list if "
        "there are none."
    )


class Draft(BaseModel):
    """The model's answer: the central issue, a neutral summary and the actors' positions."""

    model_config = ConfigDict(extra="forbid")

    issue: Text = Field(
        description="The central question the article is about, in one line, phrased as a question."
    )
    summary: Text = Field(description="A neutral summary of the article.")
    positions: list[DraftPosition] = Field(
        description="One entry per actor (person, organisation, government or group) who "
        "takes a position on the issue."
    )

    @model_validator(mode="after")
    def _within_actor_limit(self, info: ValidationInfo) -> Draft:
        # The limit is a run-time option, so it cannot live in the static JSON schema.
        limit = (info.context or {}).get("max_actors")
        if limit is not None and len(self.positions) > limit:
            raise ValueError(
                f"positions lists {len(self.positions)} actors but at most {limit} are allowed; "
                f"keep only the {limit} most prominent"
            )
        return self


class Overview(BaseModel):
    """The model's answer when the parts of a long article are merged: one issue, one summary.

    Extra keys are ignored, not refused: a model shown the parts' positions may echo them, and
    that is no reason for a re-ask.
    """

    model_config = ConfigDict(extra="ignore")

    issue: Text = Field(
        description="The central question the whole article is about, in one line, phrased as "
        "a question."
    )
    summary: Text = Field(description="A neutral summary of the whole article.")


# ---- what callers get back ----------------------------------------------------------------


class Quote(BaseModel):
    """A direct quote with the tool's checks.

    ``verified`` and the offsets are computed by the tool, never taken from the model.
    """

    text: str
    verified: bool = Field(
        description="True when the quote appears verbatim in the article (after normalising "
        "whitespace, quotation marks, dashes and ellipses)."
    )
    start: int | None = Field(default=None, description="Character offset in the article.")
    end: int | None = Field(default=None, description="End offset (exclusive) in the article.")
    speaker: str | None = Field(
        default=None,
        description="Who the offline attribution engine says spoke these words, if it found "
        "the quote.",
    )
    attribution: Literal["agrees", "conflict", "unknown", "unquoted"] = Field(
        default="unknown",
        description="Whether the engine's speaker matches the actor the quote is listed under: "
        "agrees, conflict, unknown (the engine found no speaker), or unquoted (the words are "
        "in the article but not inside quotation marks).",
    )


class Position(BaseModel):
    """One actor's position, with checked quotes."""

    actor: str
    kind: ActorKind
    role: str
    stance: Stance
    position: str
    quotes: list[Quote]
    statements: list[str] = Field(
        default_factory=list,
        description="Reported (indirect) statements attributed to this actor in the article.",
    )


class MissedActor(BaseModel):
    """A speaker with direct quotes in the article whom the summary left out."""

    actor: str
    role: str = ""
    quotes: list[Quote] = Field(default_factory=list)


class Usage(BaseModel):
    """Token usage summed over every call made for one result."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Provenance(BaseModel):
    """How a result was made: enough to reproduce it and to audit its cost."""

    engine: Literal["llm", "offline"] = "llm"
    model: str | None = None
    endpoint_host: str | None = Field(
        default=None, description="Host of the endpoint; never the key or the full URL."
    )
    output_mode: str | None = None
    template: str | None = None
    template_sha256: str | None = None
    usage: Usage = Field(default_factory=Usage)
    attempts: int = 0
    latency_s: float = 0.0
    tool_version: str
    article_sha256: str
    created_at: datetime
    parts: int = Field(default=1, description="How many parts a long article was split into.")


class SummaryResult(BaseModel):
    """The summary of one article: issue, summary, positions, and how it was made."""

    article_id: str | None = None
    title: str | None = None
    url: str | None = Field(default=None, description="Where the article came from, if known.")
    issue: str
    summary: str
    positions: list[Position]
    missed_actors: list[MissedActor] = Field(default_factory=list)
    provenance: Provenance

    @property
    def unverified_quotes(self) -> list[tuple[str, Quote]]:
        """Every (actor, quote) whose words were not found verbatim in the article."""
        return [(p.actor, q) for p in self.positions for q in p.quotes if not q.verified]
