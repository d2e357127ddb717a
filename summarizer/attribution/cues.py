"""Attribution cues: the speech verb near a quote or in a sentence, and the subject that speaks."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from summarizer.attribution.lexicon import (
    DE_SPEECH_VERBS,
    FUNCTION_WORDS,
    PRONOUNS,
    ROLE_NOUNS,
    SPEECH_VERB,
    is_title,
    words,
)
from summarizer.attribution.names import PARTY_TAG, Mention, find_mentions, name_tokens

__all__ = [
    "Cue",
    "Subject",
    "cue_after",
    "cue_before",
    "phrase_subject",
    "subject_left",
    "subject_right",
]

SubjectKind = Literal["name", "pronoun", "nominal"]

_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s")
_CONJUNCTION = re.compile(
    r"\b(?:and|but|that|while|as|because|when|who|which|after|before|"
    r"und|aber|dass|als|während|nachdem|weil)\b(?=\s|$)"
)
# Speech verbs whose object follows them ("…, Graham told CBS News"): never inverted.
_OBJECT_VERBS = words("told tells telling asked asks asking urged urges")
_PLACE_PREPOSITIONS = words("in at from of near outside")
_ADDS_WORDS = 4  # words between "said" and "adding" ("said Tuesday in Paris, noting")
_MODIFIERS = 2  # words between an article and a name it modifies ("a 2008 Clinton veteran")
_WITH_REACH = 80  # characters before a participle to look for its "with"
_AND_BEFORE = re.compile(r"\b(?:and|but|und|aber)\s*$")
_RELATIVE = re.compile(r"\b(?:that|which|who|der|die|das)\s*$")
_PREPOSITION = words(
    """in on at during after before for from with by under over since despite unlike like
    according into about through amid nach bei mit für auf seit trotz"""
)
_PLAUSIBLE = re.compile("|".join(sorted(ROLE_NOUNS | {"spokesman", "official"})), re.IGNORECASE)
_SUBORDINATORS = words(
    """while although though when whenever after before as because if since unless until
    whereas während obwohl als wenn nachdem weil"""
)
_COORDINATORS = words("and but und aber")
_LEADING_DET = words("the a an one der die das ein eine")
_OF_PHRASE = words("of for von des der")
# An appositive opens with an article or a possessive: ", the German chancellor,",
# ", Sanders’ campaign manager,", ", his spokesman,".
_APPOSITIVE_START = re.compile(
    r"(?:the|a|an|der|die|das|ein|eine|his|her|their|its|\S+[’']s?)\s+(.+)", re.IGNORECASE
)
_DE_ADVERBIAL = words(
    """in im über als zur zum zu weiter dazu nach auf hier damit so aber auch außerdem zudem
    gegenüber bei beim vor mit für am an dabei daraufhin später zuvor gestern heute danach
    darin darauf deshalb daher trotzdem jedoch dennoch ebenfalls bereits schon erst noch
    """
)
_DE_FILLER = re.compile(r"(?:\s+(?:sich|auch|jedoch|dazu|dann|nun|zudem|weiter|ebenfalls|aber))+")
_AGE = re.compile(r"\d{1,3}")
_PARTICIPLE_ENDINGS = ("ing", "ed")
# Lower-case words that may open a name: particles ("de Blasio") and words before a role.
_NAME_LEAD = words("de van von da di du del della bin al el ten former late then acting ex")
_INNER_PARTICLES = words("der den la le")  # after a first particle: "van der Berg"
_NAME_PHRASE_WORDS = 8
_LEADING_OK = words("the a an his her their its our my one der die das ein eine")
# The look-ahead for the words' first letters spares the case-blind alternation most positions.
_DETERMINER = re.compile(
    r"(?=[taohide])\b(?:the|a|an|one|another|his|her|their|its|our|der|die|das|ein|eine|einer|eines)\s",
    re.IGNORECASE,
)
_RELATIVE_CLAUSE = re.compile(r"\s(?:who|whom|whose|which|that)\s")
_CUT_AT = re.compile(r"\s(?:in|at|on|with|from|during|after|to|for|who|which|that|im|am|vom)\s")
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


# Finds the subject in text[a:b].
_SubjectFinder = Callable[[str, int, int], Subject | None]


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause-like pieces of ``text[start:end]``, split at punctuation."""
    pieces = []
    cursor = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def _pick_mention(text: str, a: int, mentions: list[Mention]) -> Mention:
    """The head name of a noun phrase: a titled name first, then two words, then the first."""

    def titled(m: Mention) -> bool:
        before = text[a : m.start].split()
        return bool(m.role) or bool(before and (is_title(before[-1]) or before[-1] in ROLE_NOUNS))

    for test in (titled, lambda m: len(m.name.split()) > 1):
        for mention in mentions:
            if test(mention):
                return mention
    return mentions[0]


def _nominal(text: str, a: int, b: int, *, last: bool = False) -> Subject | None:
    """A speaker named by a noun phrase ("a White House spokesman", "the report")."""
    words = text[a:b].split()
    if not words:
        return None
    dets = list(_DETERMINER.finditer(text, a, b))
    det = (dets[-1] if last else dets[0]).start() if dets else None
    first = det if det is not None else a
    cut = _CUT_AT.search(text, first, b)
    relative = _RELATIVE_CLAUSE.search(text, a, b)
    if len(text[a : relative.start() if relative else b].split()) > 12:
        return None  # a clause, not a noun phrase; a relative clause does not count
    phrase = text[first : cut.start() if cut else b].strip(" \t,.")
    tokens = phrase.split()
    heads = [i for i, w in enumerate(tokens) if w.lower().strip(".,") in ROLE_NOUNS or is_title(w)]
    if heads:
        tokens = tokens[: _head_end(tokens, heads[0])]
    elif det is None:
        return None
    if not tokens or len(tokens) > 7:
        return None
    last_word = tokens[-1].lower()
    # "man" is a function word for German ("sagte man") but a role after "one" or "a".
    if last_word in FUNCTION_WORDS and not (det is not None and last_word in ROLE_NOUNS):
        return None
    return Subject("nominal", " ".join(tokens), None, first)


def _head_end(tokens: list[str], head: int) -> int:
    """Where a noun phrase headed at ``tokens[head]`` ends: "The governor | rallied voters"."""
    end = head + 1
    while end < len(tokens):
        word = tokens[end]
        low = word.lower().strip(".,")
        if low in _OF_PHRASE:
            end += 2  # "secretary of state": the complement belongs to the head
            continue
        if word[:1].islower() and low not in ROLE_NOUNS and not is_title(word):
            return end
        end += 1
    return min(end, len(tokens))


_OPENING_PREPOSITIONS = frozenset(["in", "at", "on", "during", "after", "before", "from", "with"])


def _classify(text: str, a: int, b: int) -> Subject | None:
    """The subject expressed by one chunk: a pronoun, a name with its role, or a noun phrase."""
    words = text[a:b].split()
    lowered = [w.lower().strip(".,") for w in words[:2]]
    for i, word in enumerate(lowered):
        if word in PRONOUNS and (len(words) <= 3 or i == len(words) - 1):
            return Subject("pronoun", word, None, a + text[a:b].find(words[i]))
    mentions = find_mentions(text, a, b)
    if len(mentions) > 1:
        # "Trump told a North Carolina rally": the names after a speech verb are its objects.
        verb = SPEECH_VERB.search(text, mentions[0].end, mentions[-1].start)
        if verb:
            mentions = [m for m in mentions if m.end <= verb.start()]
    if mentions:
        lead = _nominal_before(text, a, mentions[0].start)
        if lead:
            return lead
        mention = _pick_mention(text, a, mentions)
        if (
            len(mentions) > 1
            and lowered[0] in _OPENING_PREPOSITIONS
            and not text[mentions[-1].end : b].strip()
        ):
            # "In a Bloomberg interview Trump declared": after an opening phrase, the name
            # right before the verb is its subject.
            mention = mentions[-1]
        # "Sanders’ campaign": a possessive apostrophe after an s is part of the name.
        rest = mention.end + (text[mention.end : mention.end + 1] in ("’", "'"))
        after = text[rest:b].split()
        head = after[0].lower().strip(".,") if after else ""
        if (head in ROLE_NOUNS or is_title(head)) and not mention.role:
            return _nominal(text, a, rest + text[rest:b].find(after[0]) + len(after[0]))
        modified = _name_as_modifier(text, a, b, mention)
        if modified:
            return modified
        role = mention.role or _lowercase_role(text, a, mention.start)
        return Subject("name", mention.name, role, mention.start)
    return _nominal(text, a, b)


def _name_as_modifier(text: str, a: int, b: int, mention: Mention) -> Subject | None:
    """ "one Trump confidant", "a 2008 Clinton veteran": an article before the name and a
    lower-case noun ending the phrase after it make the name a modifier, not the speaker."""
    before = text[a : mention.start].split()
    after = [w.strip(".,;:") for w in text[mention.end : b].split()]
    if not before or before[0].lower() not in _LEADING_DET or not 1 <= len(after) <= 2:
        return None
    if any(not w.isalpha() or not w.islower() or w in FUNCTION_WORDS for w in after):
        return None
    if len(before) > _MODIFIERS + 1 or any(w[:1].isupper() for w in before[1:]):
        return None
    phrase = " ".join([*before, text[mention.start : mention.end], *after])
    return Subject("nominal", phrase, None, a + text[a:b].find(before[0]))


def _nominal_before(text: str, a: int, b: int) -> Subject | None:
    """A complete noun phrase before the first name: "The former senator | mocked Trump"."""
    tokens = text[a:b].split()
    if len(tokens) < 3 or tokens[0].lower() not in _LEADING_DET:
        return None
    heads = [i for i, w in enumerate(tokens) if w.lower().strip(".,") in ROLE_NOUNS or is_title(w)]
    if not heads or _head_end(tokens, heads[0]) >= len(tokens):
        return None
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
    """For ", the German chancellor," the role ("German chancellor"), "" if it names none.

    None when the phrase is not an appositive (it does not open with an article).
    """
    phrase = text[a:b].strip()
    m = _APPOSITIVE_START.match(phrase)
    if not m:
        return None
    role = re.split(r"\s(?:who|which|that|der|die|das)\s", m.group(1))[0]
    return role if any(is_title(w) or w in ROLE_NOUNS for w in role.split()) else ""


def _untagged(find: _SubjectFinder) -> _SubjectFinder:
    """``find`` run on ``text`` with the party tags ("D-Mass.") in ``[a, b)`` blanked.

    The blanked copy holds the region and the one character before it (a ``\\b`` at ``a``
    reads it), not the whole article: a whole copy per clause made long articles quadratic.
    Offsets in the subject found are the article's.
    """

    @functools.wraps(find)
    def on_untagged(text: str, a: int, b: int) -> Subject | None:
        region = text[a:b]
        # Every tag holds a hyphen ("D-Mass.") or a parenthesis ("(SPD)"): most have neither.
        if ("-" not in region and "(" not in region) or not PARTY_TAG.search(region):
            return find(text, a, b)
        shift = max(a - 1, 0)
        window = text[shift:a] + PARTY_TAG.sub(lambda m: " " * len(m.group()), region)
        subject = find(window, a - shift, b - shift)
        return replace(subject, start=subject.start + shift) if subject else None

    return on_untagged


def _clause_subject(text: str, a: int, b: int) -> Subject | None:
    """The subject at the end of a clause that runs up to a speech verb."""
    cursor = a
    parts = []
    for m in _CONJUNCTION.finditer(text, a, b):
        parts.append((cursor, m.start()))
        cursor = m.end()
    parts.append((cursor, b))
    last_a, last_b = parts[-1]
    if not text[last_a:last_b].strip() and len(parts) > 1 and _RELATIVE.search(text, a, last_a):
        # "a headline that said": the subject is the noun phrase before "that".
        prev_a, prev_b = parts[-2]
        return _nominal(text, prev_a, prev_b, last=True) or _classify(text, prev_a, prev_b)
    if not text[last_a:last_b].strip() and len(parts) > 1 and _AND_BEFORE.search(text, a, last_a):
        # "Carson took the stage at the Grand Hotel and called": the verb shares the subject
        # that opens the clause, not the last noun before "and".
        lead = _leading_subject(text, *parts[-2])
        if lead:
            return lead
    for pa, pb in reversed(parts):
        if text[pa:pb].strip():
            return _classify(text, pa, pb)
    return None


def _leading_subject(text: str, a: int, b: int) -> Subject | None:
    """The noun phrase that opens ``text[a:b]`` when it is a pronoun or a (titled) name."""
    tokens = text[a:b].split()
    if not tokens:
        return None
    if tokens[0].lower() in PRONOUNS:
        return Subject("pronoun", tokens[0].lower(), None, a + text[a:b].find(tokens[0]))
    mentions = find_mentions(text, a, b)
    if not mentions:
        return None
    before = text[a : mentions[0].start].split()
    if any(w.lower() not in _LEADING_OK and not is_title(w) for w in before):
        return None
    return _classify(text, a, mentions[0].end)


def _participial(phrase: str) -> bool:
    """An opening participle clause ("Speaking at a rally", "Challenged by reporters")."""
    tokens = phrase.split()
    return (
        len(tokens) > 1
        and tokens[0][:1].isupper()
        and tokens[0].lower().endswith(_PARTICIPLE_ENDINGS)
        and tokens[1][:1].islower()
    )


def _skippable(phrase: str) -> bool:
    """Relative clauses, participle clauses and predicate fragments: they hold no subject."""
    first = phrase.split()[0]
    low = first.lower()
    return (
        low in ("who", "which", "whose", "where", "der", "die", "das")
        or low in _SUBORDINATORS
        or low in _PREPOSITION
        or (
            first.islower()
            and low not in _LEADING_OK
            and low not in PRONOUNS
            and not _lower_case_name(phrase)
        )
        or _participial(phrase)
    )


def _lower_case_name(phrase: str) -> bool:
    """A name that opens in lower case: a particle ("de Blasio") or role words before it
    ("former UN Ambassador John Bolton", "state attorney Dave Aronberg")."""
    tokens = phrase.split()
    lead = next((i for i, w in enumerate(tokens) if w[:1].isupper()), None)
    if not lead or len(tokens) > _NAME_PHRASE_WORDS:
        return False
    lead_words = tokens[:lead]
    if lead_words[0] in _LEADING_DET:
        return False  # "der Kanzler", "the mayor": a phrase the other rules read
    return all(
        w in _NAME_LEAD or w in _INNER_PARTICLES or is_title(w) or w.strip(".,") in ROLE_NOUNS
        for w in lead_words
    )


def _place_tail(text: str, chunks: list[tuple[int, int]], index: int) -> bool:
    """Whether ``chunks[index]`` is the state or country of a place ("of Raleigh, N.C.")."""
    if index < 2:
        return False
    before = text[slice(*chunks[index - 1])].split()
    words = text[slice(*chunks[index])].split()
    if len(words) > 2 or not all(w[:1].isupper() for w in words):
        return False
    # "of Raleigh, N.C.", "a meeting in Columbus, Ohio,": a place name, then its state.
    return before[0] in ("of", "from") or (
        len(before) > 1 and before[-2] in _PLACE_PREPOSITIONS and before[-1][:1].isupper()
    )


def _names_before(text: str, chunks: list[tuple[int, int]], index: int) -> bool:
    """Whether the chunk before ``chunks[index]`` ends in a name (so it is an appositive)."""
    if index == 0:
        return False
    a, b = chunks[index - 1]
    mentions = find_mentions(text, a, b)
    return bool(mentions) and not text[mentions[-1].end : b].strip()


@_untagged
def phrase_subject(text: str, a: int, b: int) -> Subject | None:
    """The speaker a noun phrase names: a pronoun, a name with its role, or a noun phrase."""
    return _classify(text, a, b)


@_untagged
def sentence_subject(text: str, a: int, b: int) -> Subject | None:
    """The subject of the sentence in ``text[a:b]``: its first clause that opens with a noun."""
    in_place = False
    for ca, cb in _chunks(text, a, b):
        phrase = text[ca:cb].strip()
        # "Speaking in Salem, New Hampshire, Trump said": a bare name after a skipped clause
        # that ends in a place name continues that place.
        if _skippable(phrase) or (in_place and not any(w[:1].islower() for w in phrase.split())):
            in_place = phrase.split()[-1][:1].isupper()
            continue
        in_place = False
        head = _CONJUNCTION.search(text, ca, cb)
        subject = _classify(text, ca, head.start() if head else cb)
        if subject:
            return subject
    return None


@_untagged
def subject_left(text: str, a: int, b: int) -> Subject | None:
    """The subject of a speech verb at ``b``, from the clauses before it."""
    chunks = _chunks(text, a, b)
    role: str | None = None
    for tried, (ca, cb) in enumerate(reversed(chunks)):
        if tried >= 6:
            break
        phrase = text[ca:cb].strip()
        is_last = tried == len(chunks) - 1
        if tried == 0 and phrase.split()[0].lower() in _SUBORDINATORS | _COORDINATORS:
            # "..., when Clinton called him", "..., and then Roe said": the clause has its subject.
            opener = ca + text[ca:cb].find(phrase) + len(phrase.split()[0])
            inner = _clause_subject(text, opener, cb)
            if inner and (inner.kind != "nominal" or _PLAUSIBLE.search(inner.name)):
                return inner
        if _AGE.fullmatch(phrase) or _place_tail(text, chunks, len(chunks) - 1 - tried):
            continue  # "Harry Bond, 30, of Raleigh, N.C., said"
        apposition = _appositive_role(text, ca, cb)
        if (
            apposition is not None
            and not is_last
            and _names_before(text, chunks, len(chunks) - 1 - tried)
        ):
            role = apposition or role
            continue
        if _skippable(phrase) and not (tried == 0 and is_last):
            continue
        subject = _clause_subject(text, ca, cb)
        if subject:
            if role and subject.kind == "name" and not subject.role:
                return Subject(subject.kind, subject.name, role, subject.start)
            return subject
        if tried == 0 and not is_last:
            continue
        return None
    return None


@_untagged
def subject_right(text: str, a: int, b: int) -> Subject | None:
    """The subject after an inverted verb ("said Olaf Scholz, the German chancellor")."""
    chunks = _chunks(text, a, b)
    if not chunks:
        return None
    subject = _classify(text, *chunks[0])
    if subject and subject.kind == "name" and not subject.role and len(chunks) > 1:
        role = _appositive_role(text, *chunks[1])
        if role:
            return Subject(subject.kind, subject.name, role, subject.start)
    return subject


_ABBREVIATED = "".join(
    rf"(?<!\b{abbr})"
    for abbr in sorted(words("Gov Sen Rep Gen Lt Col Sgt Capt Adm Dr Mr Mrs Ms Jr Sr St Prof"))
)
# The look-ahead for the stop comes first so that the look-behinds run only at a stop.
_STOP = re.compile(rf"(?=[.!?])(?<![A-Z]){_ABBREVIATED}[.!?](?=\s|$)|[“„\"»«]")


def _sentence_end(text: str, a: int, limit: int) -> int:
    """Where the sentence from ``a`` ends: after its stop or at a quote mark, else ``limit``.

    Searched in a window that doubles until it holds a stop, so that finding a stop near ``a``
    costs the distance to it, not a copy of the rest of the article. A match that ends before
    the window's end saw the same characters it would have seen in ``text[a:limit]``.
    """
    size = 256
    while True:
        stop = min(a + size, limit)
        m = _STOP.search(text[a:stop])
        if stop == limit or (m and a + m.end() < stop):
            return a + m.end() if m else limit
        size *= 2


_AS_PUT_IT = re.compile(r"[\s,]*as\s+(\S.{0,60}?)\s+(?:put|puts|phrased|phrases)\s+it\b")


def cue_after(text: str, close: int, limit: int) -> Cue | None:
    """A cue right after a closing mark: ``, Starmer stated.`` or ``, said Olaf Scholz``."""
    end = _sentence_end(text, close + 1, limit)
    region = text[close + 1 : end]
    put = _AS_PUT_IT.match(text, close + 1, end)
    if put:
        # "… investment income,” as a Homeland Security memo put it.": the one who put it so.
        subject = _classify(text, put.start(1), put.end(1))
        if subject:
            return Cue(subject, region.strip(" ,.").strip(), "put")
    so = _SO_CUE.match(region)
    if so:
        subject = subject_right(text, close + 1 + so.end(), end)
        return Cue(subject, region.strip(" ,.").strip(), "so") if subject else None
    verb = SPEECH_VERB.search(text, close + 1, end)
    if not verb:
        return None
    gap = len(text[close + 1 : verb.start()].split())
    ended = text[close - 1] in ".!?" and re.match(r"\s*[A-Z]", region)
    if ended and verb.group() == "according":
        return None  # "“…ends.” The implication, according to X, is …": the next sentence's
    if gap > (4 if ended else 20):
        return None if ended else _closing_attribution(text, close + 1, end)
    if _INVERTED_OK.match(text[close + 1 : verb.start()]) or verb.group() in ("according", "laut"):
        start = verb.end() + (3 if verb.group() == "according" else 0)
        subject = subject_right(text, start, end)
    else:
        subject = _inverted_after_comma(text, close + 1, verb, end) or subject_left(
            text, close + 1, verb.start()
        )
    if not subject:
        return None if ended else _closing_attribution(text, close + 1, end)
    return Cue(subject, region.strip(" ,.:").strip(), verb.group())


def _inverted_after_comma(text: str, a: int, verb: re.Match[str], end: int) -> Subject | None:
    """``…” about the decision, said RoseAnn DeMoro``: after a comma the verb comes first and
    its subject follows it (a name or a phrase opening with an article), not the words before.
    """
    if verb.group() in _OBJECT_VERBS or not text[a : verb.start()].rstrip().endswith(","):
        return None
    after = text[verb.end() : end].split()
    if not after or after[0].lower() in FUNCTION_WORDS - _LEADING_DET:
        return None  # "…, Donald Trump, tweeted Sunday after …": no subject follows
    if not (after[0][:1].isupper() or after[0] in _LEADING_DET | _NAME_LEAD):
        return None
    subject = subject_right(text, verb.end(), end)
    return subject if subject is not None and subject.kind != "pronoun" else None


def _closing_attribution(text: str, a: int, end: int) -> Cue | None:
    """``…, said Brad Bannon, a pollster.`` closing the sentence a partial quote sits in."""
    verbs = [
        m for m in SPEECH_VERB.finditer(text, a, end) if text[a : m.start()].rstrip()[-1:] == ","
    ]
    if not verbs:
        return None
    subject = subject_right(text, verbs[-1].end(), end)
    if subject is None or subject.kind == "pronoun":
        return None
    return Cue(subject, text[verbs[-1].start() : end].strip(" ,."), verbs[-1].group())


def german_inverted(text: str, start: int, verb: re.Match[str]) -> Subject | None:
    """The subject after a German verb in second place: "Über Fossett sagte Branson: „…“".

    Only when the clause opens with an adverbial (a preposition, adverb or conjunction), so
    that the verb is in second place and the subject follows it.
    """
    if verb.group() not in DE_SPEECH_VERBS:
        return None
    clause = max(text.rfind(mark, start, verb.start()) for mark in ".:;") + 1
    opener = text[max(clause, start) : verb.start()].split()[:1]
    if not opener or opener[0].lower().strip(",") not in _DE_ADVERBIAL:
        return None
    after = _DE_FILLER.match(text, verb.end())
    end = _sentence_end(text, after.end() if after else verb.end(), len(text))
    subject = subject_right(text, after.end() if after else verb.end(), end)
    if subject is None or (subject.kind == "pronoun" and subject.name not in ("er", "sie")):
        return None
    return subject


def _adds_to(text: str, said: re.Match[str], participle: re.Match[str]) -> bool:
    """Whether a participle continues the speech verb before it ("X said Tuesday, adding")."""
    between = text[said.end() : participle.start()]
    return between.rstrip().endswith(",") and len(between.split()) <= _ADDS_WORDS


_WITH = re.compile(r"\bwith\s+")


def _with_subject(text: str, sentence: int, verb: re.Match[str]) -> Subject | None:
    """The subject of "with X (reportedly) yelling": the words between "with" and the verb."""
    found = list(_WITH.finditer(text, max(sentence, verb.start() - _WITH_REACH), verb.start()))
    if not found:
        return None
    a, b = found[-1].end(), verb.start()
    if _CLAUSE_BREAK.search(text, a, b):
        return None
    tokens = text[a:b].split()
    while tokens and tokens[-1].endswith("ly"):
        b = text.rindex(tokens.pop(), a, b)  # "reportedly", "loudly"
    return phrase_subject(text, a, b) if tokens else None


_BY = re.compile(r"\s+by\s+")


def _passive_agent(text: str, verb: re.Match[str], open_mark: int) -> Subject | None:
    """``Rubio was asked by moderator Gerard Baker whether …“…”``: the one who asks speaks."""
    if verb.group() != "asked":
        return None
    by = _BY.match(text, verb.end(), open_mark)
    if by is None:
        return None
    chunks = _chunks(text, by.end(), open_mark)
    subject = phrase_subject(text, *chunks[0]) if chunks else None
    return subject if subject is not None and subject.kind != "pronoun" else None


def cue_before(text: str, start: int, open_mark: int, sentence: int | None = None) -> Cue | None:
    """A cue before an opening mark in the same sentence: ``Name said: “…”``.

    ``start`` is where the cue may begin (after an earlier quote), ``sentence`` where the
    sentence begins (for a participle's subject); both default to ``start``.
    """
    sentence = start if sentence is None else sentence
    lauts = list(_LAUT.finditer(text, start, open_mark))
    laut = lauts[-1] if lauts else None
    verbs = [m for m in SPEECH_VERB.finditer(text, start, open_mark) if text[m.start() - 1] != "-"]
    for k in range(len(verbs) - 1, -1, -1):
        verb = verbs[k]
        if verb.group() in ("according", "laut"):
            continue
        inverted = german_inverted(text, start, verb) or _passive_agent(text, verb, open_mark)
        said_first = verbs[k - 1] if k else None
        if inverted:
            subject: Subject | None = inverted
        elif said_first and verb.group().endswith("ing") and _adds_to(text, said_first, verb):
            # "Nefzi said, adding …", "said Skelly, explaining …": the participle's subject is
            # the speaker just named.
            subject = subject_left(text, start, said_first.start()) or subject_right(
                text, said_first.end(), verb.start()
            )
        elif verb.group().endswith("ing"):
            # "Scholz was opposed, calling it ...": a participle's subject heads the sentence;
            # "…, with many marchers chanting": an absolute clause has its own.
            subject = _with_subject(text, sentence, verb) or sentence_subject(
                text, sentence, verb.start()
            )
        else:
            subject = subject_left(text, start, verb.start())
            if subject is None or (
                subject.kind == "nominal" and not _PLAUSIBLE.search(subject.name)
            ):
                subject = sentence_subject(text, sentence, verb.start()) or subject
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
    subject = german_inverted(text, start, verb) or subject_left(text, start, verb.start())
    if subject is None:
        end = _sentence_end(text, verb.end(), min(len(text), verb.end() + 80))
        subject = subject_right(text, verb.end(), end)
    return subject


def tokens_of(subject: Subject) -> tuple[str, ...]:
    """Content words of a subject's name (for clustering)."""
    return name_tokens(subject.name)
