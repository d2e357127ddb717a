"""Names in the text: find capitalised mentions, split roles from names, match names loosely."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from summarizer.attribution.lexicon import FUNCTION_WORDS, HONORIFICS, is_title, words

__all__ = ["PARTY_TAG", "Mention", "find_mentions", "match_actor", "name_tokens", "split_role"]

_PARTICLES = r"(?:von|van|der|de|den|la|le|del|della|di|da|du|bin|al|el|ten|zu)"
_ABBREV = r"(?:Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Dr|Mr|Mrs|Ms|Jr|Sr|St|Prof|Maj|Cmdr|Det|[A-Z])"
_CAP = rf"(?:(?:[A-Z]\.){{2,}}|{_ABBREV}\.(?=\s)|[A-ZÄÖÜÀ-Þ][\w’'-]*\w(?:[’']s)?|[A-Z])"
# Every alternative of _CAP starts with one of these capitals: testing for one first lets the
# regex engine pass over lower-case text quickly (about 2.5 times faster, same matches).
_RUN = re.compile(rf"(?=[A-ZÄÖÜÀ-Þ]){_CAP}(?:[ \t]+(?:{_PARTICLES}[ \t]+)*{_CAP})*")
_POSSESSIVE = re.compile(r"[’']s$")
PARTY_TAG = re.compile(r"\(?\b[DRI]-[A-Z][a-zA-Z.]*\)?,?|\((?:SPD|CDU|CSU|FDP|AfD|Grüne|Linke)\)")


class Mention(NamedTuple):
    """A capitalised name in the text, with the role words that came in front of it.

    A named tuple rather than a frozen dataclass: an article has hundreds, and a frozen
    dataclass takes twenty times as long to build.
    """

    name: str
    role: str | None
    start: int
    end: int


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-cased, accent-folded content words of a name, without titles or function words."""
    words = re.findall(r"[\w-]+", _fold(name.replace("’s", "").replace("'s", "")))
    return tuple(w for w in words if w not in FUNCTION_WORDS and w not in HONORIFICS and len(w) > 1)


def split_role(words: list[str]) -> tuple[str | None, str]:
    """Split "German Chancellor Olaf Scholz" into ("German Chancellor", "Olaf Scholz")."""
    last_title = -1
    for i, word in enumerate(words[:-1]):
        if is_title(word) or word.lower().strip(".") in HONORIFICS:
            last_title = i
    role_words = [w for w in words[: last_title + 1] if w.lower().strip(".") not in HONORIFICS]
    name = " ".join(words[last_title + 1 :])
    return (" ".join(role_words) or None), name


def _place_prefix(words: list[str]) -> bool:
    """Whether "New" starts a place name ("New York Times"), not a sentence ("New polls")."""
    return words[0] == "New" and len(words) > 1


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Capitalised runs in ``text[start:end]`` that can name an actor, roles split off."""
    stop = len(text) if end is None else end
    mentions = []
    for m in _RUN.finditer(text, start, stop):
        found = _run_mention(m.group())
        if found is not None:
            name, role, lead = found
            mentions.append(Mention(name, role, m.start() + lead, m.end()))
    return mentions


@functools.lru_cache(maxsize=16384)
def _run_mention(run: str) -> tuple[str, str | None, int] | None:
    """Name, role and the name's offset in one capitalised run, or None if it names no one.

    A pure function of the run's words, so cached: the same names recur in every article and
    in every clause the cue rules look at.
    """
    words = run.split()
    offset = 0
    while words and words[0].lower().strip(".") in FUNCTION_WORDS and not _place_prefix(words):
        offset = run.index(words[1], offset + len(words[0])) if len(words) > 1 else len(run)
        words = words[1:]
    if not words or PARTY_TAG.fullmatch(words[-1]):
        return None
    role, name = split_role(words)
    if not name_tokens(name) or (role is None and is_title(name) and len(words) == 1):
        return None
    return _POSSESSIVE.sub("", name), role, offset


# "Sanders himself", "der Mann selbst": a reflexive after a name adds emphasis, not a person.
_REFLEXIVES = words("himself herself itself themselves myself ourselves selbst")
_ARTICLES = words("the a an one der die das ein eine")


def _matched_words(name: str) -> tuple[str, ...]:
    """The words ``match_actor`` compares: the content words without a trailing reflexive; for
    a name made only of common words ("the man", "One man"), those words less the article."""
    tokens = name_tokens(name)
    if tokens and tokens[-1] in _REFLEXIVES:
        tokens = tokens[:-1]
    if tokens:
        return tokens
    return tuple(w for w in re.findall(r"[\w-]+", _fold(name)) if w not in _ARTICLES)


def match_actor(name_a: str, name_b: str) -> bool:
    """Whether two names plausibly refer to the same actor.

    Case- and accent-insensitive; titles, function words and a reflexive after the name
    ("Sanders himself") are ignored; a name made only of common words ("the man") is compared
    by those words. True when the
    surnames (last content words) agree, or when every content word of the shorter name
    occurs in the longer one ("Scholz" ~ "German Chancellor Olaf Scholz", "a White House
    spokesman" ~ "White House spokesman Josh Earnest").
    """
    a, b = _matched_words(name_a), _matched_words(name_b)
    if not a or not b:
        return False
    if a[-1] == b[-1]:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return set(short) <= set(long_)
