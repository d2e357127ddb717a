"""Who is who across an archive: one key per real-world actor, from the names articles give.

The rule, in two steps:

1. **Within a name** (``actor_key``): roles and titles are split off with the attribution
   engine's lexicon ("German Chancellor Olaf Scholz" -> "Olaf Scholz"; "Olaf Scholz, the
   German chancellor" -> "Olaf Scholz"), initials, suffixes and possessives dropped, case and
   accents folded. A person's key is first and last name ("Donald J. Trump" and "Donald
   Trump" -> ``donald trump``); an organisation's is its whole folded name ("the White House"
   -> ``white house``). Two full names that share only a surname stay two keys.
2. **Across the archive** (``resolve``): a person named by surname alone ("Scholz") joins the
   full name with that surname in the same article if there is one; otherwise the one full
   name with that surname in the archive; if several share it, the one whose role matches, or
   whose co-speakers elsewhere overlap most with this article's; if that does not single one
   out, it stays an actor of its own ("Clinton"), since merging two people is worse than
   listing one twice.

Limits: first-name variants ("Bernie"/"Bernard") and nicknames stay apart, as do a surname
alone when two people of that name are equally likely; a person known by a single name
(Pope Francis, "Lula") is keyed on it; the key is first and last token, so two people sharing
both ("George Bush" senior and junior, written without "W.") are one.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from summarizer.attribution.names import name_tokens, split_role

__all__ = ["ActorName", "actor_key", "resolve_keys", "slug"]

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_STOP = re.compile(r",|\s[-–—]\s|\s\(|\)")
_PARTICLES = frozenset(
    {"von", "van", "der", "de", "den", "la", "le", "del", "della", "di", "da", "du", "bin"}
    | {"al", "el", "ten", "zu"}
)
# Words in front of a name that are not part of it, and that the title lexicon leaves in.
_DESCRIPTORS = frozenset(
    {"democrat", "democrats", "democratic", "republican", "republicans", "gop"}
    | {"conservative", "liberal", "labour", "tory", "former", "retired"}
)
_POSSESSIVE = re.compile(r"[’']s$")
_PERSON = "person"
DOMINANCE = 3
"""A surname alone goes to the most frequent full name if it has this many times the
articles of the next one, when role and co-speakers do not decide."""


@dataclass(frozen=True, slots=True)
class ActorName:
    """An actor's name as written, cleaned: ``display`` for people, ``key`` to match on."""

    display: str
    key: str
    surname_only: bool


@functools.lru_cache(maxsize=65536)  # the same names recur in every article of an archive
def actor_key(name: str, *, kind: str | None = "person", role: str | None = None) -> ActorName:
    """The matching key and display form of one actor name.

    Args:
        name: The name as an article or a model wrote it.
        kind: ``person`` (and a one-word ``group``) gets the first-and-last-name rule;
            anything else (organisation, government, group) is keyed on its whole folded
            name.
        role: The role the result gives, stripped from the front of the name if repeated.
    """
    text = " ".join(name.split())
    if role and text.lower().startswith(role.lower() + " "):
        text = text[len(role) + 1 :]
    # A group named by one word may be a person the engine could not place ("Scholz").
    if kind not in (None, _PERSON) and (kind != "group" or len(text.split()) > 1):
        tokens = [t for t in name_tokens(text) if t != "the"]
        key = " ".join(tokens) or text.casefold()
        return ActorName(text, key, surname_only=False)
    words = next((found for part in _STOP.split(text) if (found := _name_words(part.split()))), [])
    tokens = [t for w in words for t in name_tokens(w) if t not in _SUFFIXES]
    if not tokens:
        tokens = list(name_tokens(text)) or [text.casefold()]
        words = [_POSSESSIVE.sub("", w) for w in text.split()]
    key = tokens[0] if len(tokens) == 1 else f"{tokens[0]} {tokens[-1]}"
    display = " ".join(w for w in words if w.strip(".,").lower() not in _SUFFIXES)
    return ActorName(display.strip(" ,"), key, surname_only=len(tokens) == 1)


def _name_words(words: list[str]) -> list[str]:
    """The name in a phrase: the last run of capitalised words that names someone.

    Runs that end in a possessive ("Trump's campaign manager") or hold only titles, party
    labels or function words are passed over; a run after "of" is a place or an office
    ("Joel Pollak of Breitbart California") unless a name follows the office in it
    ("Secretary of State John Kerry": its last two words).
    """
    chosen: list[str] = []
    for after_of, run in _runs(words):
        if _POSSESSIVE.search(run[-1]):
            continue
        while run and run[-1].strip(".,").lower() in _SUFFIXES:
            run = run[:-1]
        if after_of:
            if len(run) <= 2:
                continue
            run = run[-2:]
        _, bare = split_role(run)
        name = [w for w in bare.split() if _is_name_word(w)]
        while name and name[0].strip(".,").lower() in _DESCRIPTORS:
            name = name[1:]
        if any(name_tokens(w) for w in name):
            chosen = name
    return chosen


def _runs(words: list[str]) -> list[tuple[bool, list[str]]]:
    """Maximal runs of capitalised words (particles inside), each with whether "of" came
    just before it."""
    runs: list[tuple[bool, list[str]]] = []
    current: list[str] = []
    after_of = previous_of = False
    for word in words:
        capital = word[:1].isupper()
        if capital or (current and word in _PARTICLES):
            if not current:
                after_of = previous_of
            current.append(word)
            continue
        if current:
            runs.append((after_of, current))
            current = []
        previous_of = word == "of"
    if current:
        runs.append((after_of, current))
    return runs


def _is_name_word(word: str) -> bool:
    """Drop initials ("J."), keep particles ("von") and capitalised words."""
    bare = word.strip(".,’'")
    return len(bare) > 1 or not bare.isalpha()


def slug(key: str) -> str:
    """The actor's id in the database: its key with spaces as hyphens (readable in URLs)."""
    return re.sub(r"\s+", "-", key.strip())


def surname(key: str) -> str:
    return key.rsplit(" ", 1)[-1]


_NONE: Counter[str] = Counter()


@dataclass(frozen=True, slots=True)
class Mention:
    """One surname-only person in one article, to be resolved across the archive."""

    article: str
    key: str
    role: str


def resolve_keys(
    mentions: Iterable[Mention],
    full_keys: Mapping[str, int],
    *,
    roles: Mapping[str, Counter[str]],
    neighbours: Mapping[str, Counter[str]],
    article_keys: Mapping[str, Sequence[str]],
) -> dict[tuple[str, str], str]:
    """Which full-name key each surname-only mention belongs to (absent: it stays alone).

    Args:
        mentions: Surname-only people, one per (article, key).
        full_keys: Every full-name person key in the archive, with its article count.
        roles: Roles (folded) seen with each full key.
        neighbours: For each full key, the keys it shares articles with, and how often.
        article_keys: Every key in each article with a surname-only mention.
    """
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in full_keys:
        by_surname[surname(key)].append(key)
    chosen: dict[tuple[str, str], str] = {}
    for mention in mentions:
        candidates = by_surname.get(mention.key, [])
        here = article_keys.get(mention.article, ())
        pick = _pick(mention, candidates, roles, neighbours, here, full_keys)
        if pick is not None:
            chosen[(mention.article, mention.key)] = pick
    return chosen


def _pick(
    mention: Mention,
    candidates: Sequence[str],
    roles: Mapping[str, Counter[str]],
    neighbours: Mapping[str, Counter[str]],
    here: Sequence[str],
    full_keys: Mapping[str, int],
) -> str | None:
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    role = mention.role.casefold()
    if role:
        fitting = [c for c in candidates if role in roles.get(c, _NONE)]
        if len(fitting) == 1:
            return fitting[0]
    others = set(here) - {mention.key}
    scores = sorted(
        ((sum(neighbours.get(c, _NONE)[k] for k in others), c) for c in candidates),
        reverse=True,
    )
    if scores[0][0] > 0 and scores[0][0] > scores[1][0]:
        return scores[0][1]
    counts = sorted(((full_keys[c], c) for c in candidates), reverse=True)
    if counts[0][0] >= DOMINANCE * counts[1][0]:
        return counts[0][1]
    return None
