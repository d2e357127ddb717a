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
    computed_field,
    model_validator,
)

__all__ = [
    "ActorKind",
    "Article",
    "Draft",
    "DraftPosition",
    "Overview",
    "Position",
    "Provenance",
    "Quote",
    "Stance",
    "Statement",
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
    language: str | None = Field(
        default=None,
        description="ISO 639-1 code of the article's language ('de'); detected when not given.",
    )


# ---- what the model returns -------------------------------------------------------------


class DraftPosition(BaseModel):
    """One actor's position as the model reports it: judged by the model, cited by id."""

    model_config = ConfigDict(extra="forbid")

    actor: Text = Field(
        description="The actor's name as the evidence list gives it (e.g. 'Keir Starmer'), or, "
        "for an actor the evidence does not list, their full name as written in the article."
    )
    kind: ActorKind = Field(description="person, organisation, government or group.")
    role: str = Field(
        default="",
        description="The actor's role or title as the article gives it, e.g. 'UK Prime "
        "Minister'; empty string if the article gives none or the evidence list gives it.",
    )
    evidence: list[str] = Field(
        description="The ids of the quotes (Q…) and reported statements (S…) from the "
        "evidence list that show this actor's position. Cite ids only; never copy the words."
    )
    stance: Stance = Field(description="The actor's stance towards the central issue.")
    position: Text = Field(
        description="One sentence of at most 25 words stating the actor's view in your own "
        "words, with any condition they attach; not a copy of their quotes."
    )
    new_quotes: list[str] = Field(
        default_factory=list,
        description="Direct quotes by this actor that the evidence list does not have, copied "
        "character for character from the article without the quotation marks. Usually [].",
    )


class Draft(BaseModel):
    """The model's answer: the central issue, a neutral summary and the actors' positions.

    The actor limit is not enforced here: a model that lists one actor too many has not failed,
    and the pipeline keeps the most prominent (``pipeline.resolve``).
    """

    model_config = ConfigDict(extra="forbid")

    issue: Text = Field(
        description="The central question the article is about, in one line, phrased as a question."
    )
    summary: Text = Field(description="A neutral summary of the article.")
    positions: list[DraftPosition] = Field(
        description="One entry per actor (person, organisation, government or group) who "
        "takes a position on the issue."
    )


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
    """A direct quote, located in the article, with who the engine and the model say spoke it.

    Text and offsets always come from the article, never from the model: a quote the model
    cites by id is the engine's span; a quote the model adds as text is checked verbatim.
    """

    id: str | None = Field(
        default=None,
        description='The evidence id the model cites it by ("Q3"); None for a quote the '
        "model added that the engine had not found.",
    )
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
        "the quote and settled its speaker.",
    )
    cited_by: str | None = Field(
        default=None,
        description="The actor the model cited the quote for; None when the model did not cite "
        "it (an engine quote listed under its speaker).",
    )
    attribution: Literal["agrees", "conflict", "unknown", "unquoted"] = Field(
        default="unknown",
        description="Whether the engine's speaker and the model's actor agree: agrees, "
        "conflict (both are kept: see speaker and cited_by), unknown (one of them is missing), "
        "or unquoted (the words are in the article but not inside quotation marks).",
    )


class Statement(BaseModel):
    """Reported (indirect) speech attributed to an actor, located in the article."""

    id: str | None = Field(default=None, description='The evidence id ("S2").')
    text: str
    start: int | None = Field(default=None, description="Character offset in the article.")
    end: int | None = Field(default=None, description="End offset (exclusive) in the article.")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        # Results written before statements carried offsets hold bare strings.
        return {"text": data} if isinstance(data, str) else data


class Position(BaseModel):
    """One actor's position, with the evidence that supports it."""

    actor: str
    actor_id: str | None = Field(
        default=None, description='The engine\'s id for the actor ("A1"), if it found them.'
    )
    kind: ActorKind
    role: str
    stance: Stance
    position: str
    evidence: list[str] = Field(
        default_factory=list,
        description="The ids of the quotes and statements the model cited for this position.",
    )
    quotes: list[Quote]
    statements: list[Statement] = Field(
        default_factory=list,
        description="Reported (indirect) statements attributed to this actor in the article.",
    )
    origin: Literal["model", "engine"] = Field(
        default="model",
        description="model: the model judged this position; engine: the model left out an "
        "actor the engine found with direct quotes, so the tool added them (stance unclear).",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def supported(self) -> bool:
        """Whether the model cited any quote or statement of the article for this position
        (in the JSON too, so scripts and the archive database need not work it out)."""
        return bool(self.evidence)


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
    language: str | None = Field(
        default=None,
        description="ISO 639-1 code of the article's language, as given or detected; it chose "
        "the engine's rules and, unless a language was set, the language of the summary.",
    )


class SummaryResult(BaseModel):
    """The summary of one article: issue, summary, positions, and how it was made."""

    article_id: str | None = None
    title: str | None = None
    url: str | None = Field(default=None, description="Where the article came from, if known.")
    issue: str
    summary: str
    positions: list[Position]
    notes: list[str] = Field(
        default_factory=list,
        description="What the tool repaired in the model's answer and could not resolve: an "
        "unknown or repeated evidence id, actors past the limit, an engine actor added.",
    )
    provenance: Provenance

    @property
    def unverified_quotes(self) -> list[tuple[str, Quote]]:
        """Every (actor, quote) whose words were not found verbatim in the article."""
        return [(p.actor, q) for p in self.positions for q in p.quotes if not q.verified]

    @property
    def unsupported_positions(self) -> list[Position]:
        """The model's positions that cite no quote or statement of the article."""
        return [p for p in self.positions if p.origin == "model" and not p.supported]
