"""Offline quote attribution: who said what in an article, found by rules, with offsets."""

from summarizer.attribution.engine import analyze
from summarizer.attribution.language import detect_language, language_name
from summarizer.attribution.model import (
    SPEECH_KINDS,
    Actor,
    Attribution,
    FoundQuote,
    QuoteKind,
    Statement,
)
from summarizer.attribution.names import match_actor

__all__ = [
    "SPEECH_KINDS",
    "Actor",
    "Attribution",
    "FoundQuote",
    "QuoteKind",
    "Statement",
    "analyze",
    "detect_language",
    "language_name",
    "match_actor",
]
