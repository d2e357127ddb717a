"""Attribution cues: the speech verb near a quote or in a sentence, and the subject that speaks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from summarizer.attribution.lexicon import (
    FUNCTION_WORDS,
    PRONOUNS,
    ROLE_NOUNS,
    SPEECH_VERB,
    is_title,
)
from summarizer.attribution.names import _PARTY_TAG, Mention, find_mentions, name_tokens

__all__ = ["Cue", "Subject", "cue_after", "cue_before", "subject_left", "subject_right"]

SubjectKind = Literal["name", "pronoun", "nominal"]

_CHUNK_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:and|but|that|while|as|because|when|who|which|after|before|"
    r"und|aber|dass|als|während|nachdem|weil|der|die)\b(?=\s)"
)
_DETERMINER = re.compile(r"\b(?:the|a|an|der|die|das|ein|eine|einer|eines)\s", re.IGNORECASE)
_INVERTED_OK = re.compile(r"^[\s,.!?…]*$")
_SO_CUE = re.compile(r"^\W{0,3}so\s+(?=\S)")
_LAUT = re.compile(r"\b(?:laut|according to)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Subject:
    """Who speaks, as found next to a speech verb."""

    kind: SubjectKind
    name: str
    role: str | None
    start: int


@dataclass(frozen=True, slots=True)
class Cue:
    """A subject and the attribution text it came from."""

    subject: Subject
    text: str
    verb: str


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause-like pieces of ``text[start:end]``, split at punctuation and conjunctions."""
    pieces = []
    cursor = start
    for m in _CHUNK_BREAK.finditer(text, start, end):
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def _pick_mention(mentions: list[Mention]) -> Mention:
    """The head name of a noun phrase: the first with a role or two words, else the first."""
    for mention in mentions:
        if mention.role or len(mention.name.split()) > 1:
            return mention
    return mentions[0]


def _nominal(text: str, a: int, b: int) -> Subject | None:
    words = text[a:b].split()
    if not words or len(words) > 8:
        return None
    det = None
    for m in _DETERMINER.finditer(text, a, b):
        det = m.start()
    first = det if det is not None else a
    phrase = text[first:b].strip(" \t,.")
    tokens = phrase.split()
    has_head = any(w.lower() in ROLE_NOUNS or is_title(w) for w in tokens)
    if not tokens or (not has_head and det is None) or tokens[-1].lower() in FUNCTION_WORDS:
        return None
    return Subject("nominal", phrase, None, first)


def _classify(text: str, a: int, b: int) -> Subject | None:
    """The subject expressed by one chunk: a pronoun, a name with its role, or a noun phrase."""
    words = text[a:b].split()
    lowered = [w.lower().strip(".,") for w in words]
    for i, word in enumerate(lowered[:2]):
        if word in PRONOUNS and (len(words) <= 3 or i == len(words) - 1):
            return Subject("pronoun", word, None, a + text[a:b].find(words[i]))
    mentions = find_mentions(text, a, b)
    if mentions:
        mention = _pick_mention(mentions)
        after = text[mention.end : b].split()
        if after and after[0].lower().strip(".,") in ROLE_NOUNS and not mention.role:
            return _nominal(text, a, mention.end + text[mention.end : b].find(after[0]) + len(after[0]))
        role = mention.role or _lowercase_role(text, a, mention.start)
        return Subject("name", mention.name, role, mention.start)
    return _nominal(text, a, b)


def _lowercase_role(text: str, a: int, b: int) -> str | None:
    """Role words written before a name in lower case ("spokesman Josh Earnest")."""
    words = text[a:b].split()
    role: list[str] = []
    for word in reversed(words):
        if word.lower() in FUNCTION_WORDS:
            break
        role.insert(0, word)
    if role and any(is_title(w) or w.lower() in ROLE_NOUNS for w in role):
        return " ".join(role)
    return None


def _appositive_role(text: str, a: int, b: int) -> str | None:
    phrase = text[a:b].strip()
    m = re.match(r"(?:the|a|an|der|die|das|ein|eine)\s+(.+)", phrase, re.IGNORECASE)
    if m and any(is_title(w) for w in m.group(1).split()):
        return m.group(1)
    return None


def _blank_party_tags(text: str, a: int, b: int) -> str:
    """``text`` with party tags ("D-Mass.") in ``[a, b)`` blanked, offsets kept."""
    region = _PARTY_TAG.sub(lambda m: " " * len(m.group()), text[a:b])
    return text[:a] + region + text[b:]


def subject_left(text: str, a: int, b: int) -> Subject | None:
    """The subject of a speech verb at ``b``, from the clause before it."""
    text = _blank_party_tags(text, a, b)
    chunks = _chunks(text, a, b)
    role: str | None = None
    for tried, (ca, cb) in enumerate(reversed(chunks)):
        if tried >= 3:
            break
        apposition = _appositive_role(text, ca, cb)
        if apposition and tried < len(chunks) - 1:
            role = apposition
            continue
        subject = _classify(text, ca, cb)
        if subject:
            if role and subject.kind == "name" and not subject.role:
                return Subject(subject.kind, subject.name, role, subject.start)
            return subject
    return None


def subject_right(text: str, a: int, b: int) -> Subject | None:
    """The subject after an inverted verb ("said Olaf Scholz, the German chancellor")."""
    text = _blank_party_tags(text, a, b)
    chunks = _chunks(text, a, b)
    if not chunks:
        return None
    subject = _classify(text, *chunks[0])
    if subject and subject.kind == "name" and not subject.role and len(chunks) > 1:
        role = _appositive_role(text, *chunks[1])
        if role:
            return Subject(subject.kind, subject.name, role, subject.start)
    return subject


def _sentence_end(text: str, a: int, limit: int) -> int:
    m = re.search(r"[.!?](?=\s|$)|[“„\"»«]", text[a:limit])
    return a + m.end() if m else limit


def cue_after(text: str, close: int, limit: int) -> Cue | None:
    """A cue right after a closing mark: ``, Starmer stated.`` or ``, said Olaf Scholz``."""
    end = _sentence_end(text, close + 1, limit)
    region = text[close + 1 : end]
    so = _SO_CUE.match(region)
    if so:
        subject = subject_right(text, close + 1 + so.end(), end)
        return Cue(subject, region.strip(" ,.").strip(), "so") if subject else None
    verb = SPEECH_VERB.search(text, close + 1, end)
    if not verb or len(text[close + 1 : verb.start()].split()) > 10:
        return None
    if _INVERTED_OK.match(text[close + 1 : verb.start()]) or verb.group() == "according":
        start = verb.end() + (3 if verb.group() == "according" else 0)
        subject = subject_right(text, start, end)
    else:
        subject = subject_left(text, close + 1, verb.start())
    if not subject:
        return None
    return Cue(subject, region.strip(" ,.:").strip(), verb.group())


def cue_before(text: str, start: int, open_mark: int) -> Cue | None:
    """A cue before an opening mark in the same sentence: ``Name said: “…”``."""
    laut = None
    for laut in _LAUT.finditer(text, start, open_mark):
        pass
    verbs = [m for m in SPEECH_VERB.finditer(text, start, open_mark) if text[m.start() - 1] != "-"]
    for verb in reversed(verbs):
        if verb.group() in ("according", "laut"):
            continue
        subject = subject_left(text, start, verb.start())
        if subject is None and verb.group() not in ("zufolge",):
            subject = subject_right(text, verb.end(), open_mark)
        if subject:
            return Cue(subject, text[start:open_mark].strip(" :,"), verb.group())
    if laut:
        subject = subject_right(text, laut.end(), open_mark)
        if subject:
            return Cue(subject, text[laut.start() : open_mark].strip(" :,"), "according")
    return None


def statement_subject(text: str, start: int, verb: re.Match[str]) -> Subject | None:
    """The speaker of a reported-speech sentence, given its speech verb."""
    if verb.group() in ("according", "laut"):
        end = _sentence_end(text, verb.end(), len(text))
        return subject_right(text, verb.end() + (3 if verb.group() == "according" else 0), end)
    subject = subject_left(text, start, verb.start())
    if subject is None:
        end = _sentence_end(text, verb.end(), len(text))
        subject = subject_right(text, verb.end(), min(end, verb.end() + 80))
    return subject


def tokens_of(subject: Subject) -> list[str]:
    """Content words of a subject's name (for clustering)."""
    return name_tokens(subject.name)
