"""German sentence shapes: whose main clause a quote sits in, and whether it is reported speech.

English puts the speaker right before the verb ("Scholz said"); German puts the finite verb
second and lets anything come first, so the nearest noun before a quote is often an object
("Stoiber hatte die Rolle der Parteichefs betont: „…“", "Dazu gab das Ministerium bekannt:
„…“"). The rules here read the clause by its German order instead:

- the first constituent is a noun phrase (the subject) unless it opens with a preposition,
  an adverb or a subordinate clause; then the subject follows the finite verb (V2 inversion);
- reported speech is marked by a speech verb, by "so"/"laut"/"zufolge", or by the
  Konjunktiv I ("sei", "habe", "werde"): a quoted phrase in a sentence with none of them is a
  name, a title or a term, not someone's words.

Word classes come from small closed lists (determiners, prepositions, adverbs); open classes
are told apart by capitalisation, which German gives to every noun.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from summarizer.attribution.lexicon import DE_SPEECH_VERBS, SPEECH_VERB, is_title, words

__all__ = [
    "POSSESSIVE",
    "according_to_span",
    "after_quote_span",
    "after_verb_span",
    "carried_speaker_span",
    "clause_speaker_span",
    "document_source_span",
    "german_sentences",
    "is_reported",
    "last_clause_start",
    "listed_speaker_span",
    "main_subject_span",
    "names_something",
    "naming_verb_after",
    "only_konjunktiv",
    "pointing_back_span",
    "so_before_span",
    "sounds_spoken",
    "wie_before_span",
]

_DETERMINERS = words(
    """der die das den dem des ein eine einer eines einem einen kein keine keiner keines
    sein seine seiner seines seinem seinen ihr ihre ihrer ihres ihrem ihren dessen deren
    dieser diese dieses diesem diesen jener jene beide beiden alle viele einige mehrere"""
)
_PREPOSITIONS = words(
    """in im ins nach bei beim mit gegenüber auf über für zum zur vor am an aus unter von vom
    seit während trotz wegen angesichts zu zufolge laut gemäß neben hinter durch ohne um bis
    wie als ab"""
)
_ADVERBS = words(
    """dazu daraufhin hier damit weiter zudem außerdem später danach dann deshalb daher jedoch
    trotzdem dennoch heute gestern morgen zuvor bereits schon inzwischen nun jetzt ebenfalls
    allerdings zugleich gleichzeitig bisher seitdem anschließend dabei darüber hierzu zuletzt
    erst kürzlich unterdessen indes derweil vorher ferner überdies gestrigen heutigen
    insbesondere zunächst schließlich letztlich ebenso auch so wörtlich abschließend
    einleitend ausdrücklich offen dort hingegen kurz"""
)
# "da(r)/hier/wo/dem + preposition" and the like: "Demgegenüber", "Dementsprechend",
# "Hierauf", "Daraufhin", "Demnach": adverbs, never a speaker.
_PRONOMINAL_ADVERB = re.compile(
    r"(?:da|dar|hier|wo|wor|dem|des)(?:gegenüber|nach|entsprechend|zufolge|über|auf|aufhin|"
    r"hin|aus|zu|bei|mit|um|in|an|unter|neben|wegen|halb|weg|gleichen|ungeachtet|vor|für)"
)
_SUBORDINATORS = words("als wenn nachdem weil obwohl da während dass wie bevor seit sobald falls")
# Prepositions that open an infinitive clause ("Um … zu gewinnen, will Oettinger").
_INFINITIVE = words("um ohne statt anstatt")
# Determiners that may open a genitive after a noun ("am Rande einer Sitzung des Landtags").
_GENITIVE_DET = words("des der eines einer")
# Determiners that cannot open a subject (accusative or dative only).
_OBJECT_CASE = words("den dem einen einem diesem diesen seinem seinen ihrem ihren")
POSSESSIVE = words("sein seine seiner seinem seinen ihr ihre ihrer ihrem ihren")
_ADVERB_ENDINGS = ("isch", "end", "weise", "mäßig")
_FOCUS = words("auch selbst sogar nur gerade vor allem ausgerechnet noch")
# Adverbs and particles that may stand between the finite verb and an inverted subject.
_MIDFIELD = words(
    """sich auch jedoch dazu dann nun zudem weiter ebenfalls aber bereits noch schon daher
    deshalb außerdem dabei allerdings wiederum gestern heute am zuletzt erneut nochmals
    später zuvor ausdrücklich jetzt inzwischen mittlerweile indessen unterdessen"""
)
_TOKEN = re.compile(r"\S+")
_ADJECTIVE_END = ("e", "en", "er", "es", "em")
# Konjunktiv I (and the Konjunktiv II of reported speech): forms that mark indirect speech.
_KONJUNKTIV = re.compile(
    r"\b(?:sei|seien|seiest|habe|hätten?|werde|würden?|könne|müsse|solle|wolle|dürfe|"
    r"möge|gebe|stehe|liege|gehe|komme|bleibe|fehle|brauche|wisse|lasse|trage|handle|"
    r"erwarte|plane|diene|zeige|führe|bestehe|betrage|verfüge|sehe|halte|wolle|mache|drohe|"
    r"gelte|reiche|bringe|biete|treffe|entspreche|erfolge|könnten|müssten|sollten)\b"
)
# Nouns that report speech: "mit den Worten", "nach Angaben", "in einer Erklärung".
_SPEECH_NOUN = re.compile(
    r"\b(?:Worten|Wort|Aussagen?|Stellungnahme|Erklärung|Mitteilung|Pressemitteilung|"
    r"Interview|Angaben|Parolen?|Aufschrift|Rede|Zitat|Feststellung|Behauptung|Begründung|"
    r"Ansicht|Meinung|Überzeugung|Forderung|Appell|Warnung|Kritik|Vorwurf|Antwort|"
    r"Schreiben|Brief|Bericht|Urteil|Leitsätzen|Passus|Wortlaut|Idee|Ankündigung|"
    r"Darstellung|Darstellungen|Auffassung|Einschätzung|Ergebnis|Empfehlung|Aufruf)\b"
)
_SO_OR_LAUT = re.compile(r"(?:^|[,“”\"»«]\s*)so\s+\S|\b(?:laut|zufolge)\b", re.IGNORECASE)


def is_reported(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a sentence, quotes masked) reads as someone's speech: a
    speech verb, "so"/"laut"/"zufolge", or a verb in the Konjunktiv of reported speech."""
    return bool(
        SPEECH_VERB.search(text, start, end)
        or _KONJUNKTIV.search(text, start, end)
        or _SPEECH_NOUN.search(text, start, end)
        or _SO_OR_LAUT.search(text[start:end])
    )


# Words after which a capitalised quotation is a name: a definite article ("der „Aktion
# Deutschland hilft“"), a contraction ("vom „Queer Beograd Kollektiv“") or a source ("laut
# „tagesschau.de“", sentence-initial "Wie „heise online“ berichtet").
_NAMING = words("der die das des dem den vom im zum zur beim am ins laut von Wie")
# Words after which any quotation is a name or a term ("so genannten „penacho“", "kurz
# „GTA“", "namens „Eagle“").
_CALLED = words(
    """genannt genannte genannten genannter sogenannt sogenannte sogenannten sogenannter
    namens kurz Namen Begriff darunter"""
)
_TITLE_AFTER = re.compile(r",\s*so\s+(?:lautet|lautete|heißt|hieß|nennt|nannte)\b")
# "Die als „…“ bezeichnete Koalition": a participle before the noun the quotation names.
_CALLED_AFTER = re.compile(r"\s*(?:bezeichnete|genannte|betitelte)[nmrs]?\s+[A-ZÄÖÜ]")


# Nouns a title or name follows ("der Film „…“", "unter dem Begriff „…“"); compounds end in
# them ("Fachmagazin", "Fernsehserie").
_KIND_NOUNS = (
    "film",
    "musical",
    "album",
    "lied",
    "song",
    "buch",
    "roman",
    "serie",
    "sendung",
    "titel",
    "motto",
    "begriff",
    "codename",
    "codenamen",
    "projekt",
    "organisation",
    "bündnis",
    "initiative",
    "aktion",
    "kampagne",
    "verein",
    "partei",
    "preis",
    "auszeichnung",
    "programm",
    "zeitung",
    "magazin",
    "magazins",
    "blatt",
    "studie",
    "stück",
    "oper",
    "kategorie",
    "rubrik",
    "ausstellung",
    "festival",
    "tour",
    "yacht",
    "schiff",
    "satellit",
    "typ",
    "typs",
    "marke",
    "slogan",
    "spiels",
    "magazines",
    "sammlung",
    "gedicht",
    "lieder",
    "bücher",
)


def _kind_noun(word: str) -> bool:
    """A noun a title or name follows, also in the plural ("Filme", "Stücke", "Serien")."""
    word = word.strip(":,").lower()
    return word.endswith(_KIND_NOUNS) or (word[-1:] in "ens" and word[:-1].endswith(_KIND_NOUNS))


def _after_kind_noun(last: list[str]) -> bool:
    """Whether the last words before a quotation are a kind noun ("der Film"), perhaps with
    "wie" after it ("Stücke wie „…“")."""
    if last[-1:] == ["wie"]:
        return len(last) > 1 and _kind_noun(last[-2])
    return bool(last) and _kind_noun(last[-1])


_PARTICIPLE = re.compile(r"(?:bekannt|mit|hinzu|ein|zu|an|aus|fest|vor)?ge\w+(?:t|en)").fullmatch
_SOURCE_VERB = re.compile(
    r"\s*(?:"
    # not the particles, nor a participle that ends the clause ("„…“ bekanntgegeben")
    + "|".join(sorted(v for v in DE_SPEECH_VERBS - {"laut", "zufolge"} if not _PARTICIPLE(v)))
    + r"|weist|meldet|meldete)\b"
)


# A name's abbreviation right after it: "„Koalition für Einheit und Entwicklung“ (CUD)".
_ABBREVIATION_AFTER = re.compile(r"\s*\([A-ZÄÖÜ][A-ZÄÖÜ0-9&.-]{1,9}\)")
# What something is called: "Damals hieß das Lokal noch «…»" (not "hieß es: „…“").
_NAMED_BY_HEISSEN = re.compile(r"\b(?:hieß|heißt|hießen|heißen)\s+(?!es\b)(?:\S+\s+){0,2}\S+$")


def names_something(text: str, start: int, end: int, before: str, after: str = "") -> bool:
    """Whether the quotation ``text[start:end]`` names something rather than quoting words.

    ``before`` is the text before its opening mark, ``after`` the text after its closing
    mark. A name follows a kind noun ("der Film „…“"), stands in parentheses ("(„gens du
    voyage“)") or is what something calls itself ("die sich selbst „…“ nennt"); a short
    capitalised quotation without a sentence stop is a name after a definite article or a
    source word ("der „Aktion Deutschland hilft“", "laut „tagesschau.de“") or as the subject
    of a speech verb ("„BBC News“ berichtet").
    """
    quoted = text[start:end]
    tokens = quoted.split()
    if before.endswith("(") and len(tokens) <= 8:
        return True
    if _ABBREVIATION_AFTER.match(after) or _NAMED_BY_HEISSEN.search(before[-60:]):
        # "der „United Front for Democracy“ (UDD)", "Damals hieß das Lokal «Zur Hütte»"
        return len(tokens) <= 12 and quoted[-1:] not in ".!?…"
    last = [w.strip(":,") for w in before.rsplit(None, 2)[-2:]] or [""]
    calls_itself = last[-1] == "sich" and bool(
        _NAMES_ITSELF.match(after) or _NAMES_ITSELF_BEFORE.search(before[-40:])
    )
    called = last[-1] in _CALLED or calls_itself or last == ["sich", "selbst"]
    kind = _after_kind_noun(last) or bool(_TITLE_AFTER.match(after) or _CALLED_AFTER.match(after))
    kind = kind or bool(_CALLS_ITSELF.match(after)) or _apposed(last, quoted)
    if len(tokens) <= 12 and quoted[-1:] not in ".!?…" and (kind or called):
        return True
    if quoted[-1:] in ".!?…" or len(tokens) > 8:
        return False
    word = last[-1] if last[-1] == "Wie" else last[-1].lower()
    if len(last) == 2 and last[0].lower() in _DEFINITE and _is_adjective(last[1]):
        word = last[0].lower()  # "die regierende „Ethiopian … Front“": an adjective between
    if word == "von" and _bare(last[0]) in DE_SPEECH_VERBS:
        return False  # "sprach von „…“", "berichtete von „…“": what was said
    if word in ("laut", "Wie", "von") or (after[:1] == " " and _SOURCE_VERB.match(after)):
        return True  # a source: "laut „tagesschau.de“", "Wie „heise online“ berichtet"
    # A definite article before a capitalised name, or before a short name in lower case
    # ("der „con energy ag“"), but not before a phrase ("der „einen hilflosen Eindruck“").
    lower_name = len(tokens) <= 3 and not any(t[:1].isupper() for t in tokens)
    return word in _NAMING and (quoted[:1].isupper() or lower_name) and not _predicate(tokens)


# "die sich „…“ nennt": what something calls itself, not "habe sich „bewusst …“ stranguliert".
_NAMES_ITSELF = re.compile(r"\s*(?:\S+\s+)?(?:nenn|nann|genannt|bezeichn|tauf|getauft)")
_NAMES_ITSELF_BEFORE = re.compile(r"\b(?:nenn|nann|bezeichn)\w*\s+(?:\S+\s+)?sich$")
# "der neue „Oberste Rat“, wie sich die Junta selbst nennt": what something calls itself.
_CALLS_ITSELF = re.compile(r",\s*wie\s+sich\s+[^,.;:]{1,60}?\s(?:selbst\s+)?nenn(?:t|en)\b")
_DEFINITE = words("der die das dem den des")


def _apposed(last: list[str], quoted: str) -> bool:
    """A capitalised quotation right after "der/die/das + noun" names that noun ("der
    Schlankheitspille „Reduce Weight“", "Die Sprechchöre „Tod dem Diktator“"), unless the
    noun is a person's role ("der Sprecher „…“") or the words speak in the first person."""
    if len(last) < 2 or last[0].lower() not in _DEFINITE or not last[1][:1].isupper():
        return False
    noun = last[1]
    if noun[-1:] in ".!?;" or is_title(noun) or _SPEECH_NOUN.fullmatch(noun):
        return False  # a sentence ended, a person's role, or words ("die Parole „…“")
    return quoted[:1].isupper() and ". " not in quoted and not _FIRST_PERSON.search(quoted)


def _is_adjective(token: str) -> bool:
    """An inflected adjective or participle in lower case ("regierende", "neuen")."""
    return token[:1].islower() and token.endswith(_ADJECTIVE_END) and len(token) > 3


def _predicate(tokens: list[str]) -> bool:
    """Whether quoted words hold a predicate inside them ("der „Heilige Geist wach ist und
    …“"): a lower-case content word that is not an adjective before its noun."""
    for word, nxt in itertools.pairwise(tokens[1:]):
        low = word.lower().strip(",;")
        if not word[:1].islower() or low in _DETERMINERS or low in _PREPOSITIONS:
            continue
        if low not in ("und", "oder", "sowie") and not nxt[:1].isupper():
            return True
    return False


# A speaker's own words: the first or second person ("Wir halten Kurs", "Ich bin bereit").
# "du" before a capitalised word is French or a name's particle ("Championnat du Monde").
_FIRST_PERSON = re.compile(
    r"\b(?:ich|Ich|wir|Wir|mir|mich|uns|Uns|unser\w*|Unser\w*|mein\w*|Mein\w*|dich|dir|"
    r"euch|euer\w*|(?:du|Du)(?!\s+[A-ZÄÖÜ]))\b"
)


_INDEFINITE = words("ein eine einen einem einer eines")
ARTICLES = _DEFINITE | _INDEFINITE


def sounds_spoken(quoted: str, before: str, after: str = "", *, judgement: bool = True) -> bool:
    """Whether a quotation reads as someone's words whatever its sentence: it speaks in the
    first person or opens a "dass" clause (not after a kind noun: "dem Lied „Für dich …“",
    "Stücke wie „Mein Gorilla …“", nor before the noun it names: "die als „…“ bezeichnete
    Koalition"), or, with ``judgement``, follows "als" or "als ein" ("würdigte ihn als
    „großen Österreicher“", "charakterisierte es als ein „Beispiel …“")."""
    last = before.rsplit(None, 2)[-2:]
    if last and _after_kind_noun(last):
        return False
    if _CALLED_AFTER.match(after):
        return False
    judged = judgement and (
        (last[-1:] == ["als"] and last[:1] != ["sich"])
        or (last[:1] == ["als"] and last[-1:] and last[-1] in _INDEFINITE)
    )
    return bool(_FIRST_PERSON.search(quoted) or quoted.startswith("dass ") or judged)


def _bare(token: str) -> str:
    return token.strip('.,;:!?()[]„“”"»«').lower()


_ACRONYM = re.compile(r"[A-ZÄÖÜ]{2,6}")


def _noun_phrase_end(tokens: list[re.Match[str]], i: int, *, after_det: bool = False) -> int:
    """Index past the noun phrase that starts at ``tokens[i]``; ``i`` if none starts there.

    A noun phrase is determiners, inflected adjectives, capitalised words (nouns and names),
    numbers, party tags in parentheses, and genitive or "von"/"für" complements.
    """
    j = i
    while j < len(tokens):
        raw = tokens[j].group()
        word = _bare(raw)
        first = raw.lstrip('(„“"»«')[:1]
        if raw[:1] in "„»" and j > i:
            # A quoted name inside the phrase ("dem Motto „…“"): all its words, as one noun.
            j = _quoted_end(tokens, j)
            after_det = False
            if j >= len(tokens) or tokens[j - 1].group().endswith((",", ":", ";")):
                break
            continue
        if word in _DETERMINERS:
            joined = _bare(tokens[j - 1].group()) in ("und", "oder", "von", "für", "aus", "zu")
            if j > i and not after_det and not joined and word not in _GENITIVE_DET:
                break  # "biss der Randalierer | den Fluggast": a second noun phrase
            if j > i and _ACRONYM.fullmatch(tokens[j - 1].group()):
                break  # "des BMI | der Verbesserung": no genitive hangs on an acronym
            after_det = True
        elif first.isupper() or first.isdigit() or raw.startswith("(") or _is_noun(raw):
            after_det = False
        elif (
            after_det
            and word.endswith(_ADJECTIVE_END)
            and word not in DE_SPEECH_VERBS
            and _next_is_noun(tokens, j)
        ):
            pass  # "die amtierende Familienministerin": an adjective before its noun
        elif word in ("von", "für", "aus", "de", "van", "und") and j > i:
            if not _next_is_noun(tokens, j):
                break
        else:
            break
        j += 1
        if raw.endswith((",", ":", ";")):
            break
    return j


def _quoted_end(tokens: list[re.Match[str]], j: int) -> int:
    """Index past the token that closes the quotation opened at ``tokens[j]``."""
    for k in range(j, min(len(tokens), j + 15)):
        if re.search("[“«]", tokens[k].group()[1 if k == j else 0 :]):
            return k + 1
    return j + 1


def _constituent_end(tokens: list[re.Match[str]], i: int) -> int:
    """Past a first constituent: a noun phrase and the prepositional phrases hanging on it
    ("In dem Verfahren vor dem Europäischen Gerichtshof | sieht Osterloh")."""
    opens_pp = i > 0 and _bare(tokens[i - 1].group()) in _PREPOSITIONS
    j = _noun_phrase_end(tokens, i, after_det=opens_pp)
    while j < len(tokens) and _bare(tokens[j].group()) in _PREPOSITIONS and j - i < 20:
        nxt = _noun_phrase_end(tokens, j + 1, after_det=True)
        if nxt == j + 1:
            break
        j = nxt
    return j


def _next_is_noun(tokens: list[re.Match[str]], j: int) -> bool:
    """Whether a noun (a capitalised word) follows ``tokens[j]`` within three words, past
    determiners and adjectives."""
    for k in (j + 1, j + 2, j + 3):
        if k < len(tokens):
            nxt = tokens[k].group().lstrip('(„“"»«')
            if nxt[:1].isupper() or nxt[:1].isdigit():
                return True
            if not _bare(nxt).endswith(_ADJECTIVE_END) and _bare(nxt) not in _DETERMINERS:
                return False
    return False


def _skip_clause(tokens: list[re.Match[str]], i: int) -> int:
    """Index past a subordinate clause that ends in a comma ("Als er ankam, ...")."""
    for j in range(i, min(len(tokens), i + 40)):
        if tokens[j].group().endswith(","):
            return j + 1
    return len(tokens)


def is_verb_like(token: str) -> bool:
    """A lower-case word that can be the finite verb: not a function word."""
    raw = token.lstrip('(„“"»«')
    word = _bare(token)
    return (
        bool(word)
        and raw[:1].islower()
        and word not in _DETERMINERS
        and word not in _PREPOSITIONS
        and word not in ("und", "oder", "aber", "sowie")
    )


_CLAUSE_TOKENS = 80  # words read from a clause's start: subject and verb come well before


def main_subject_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Offsets of the subject noun phrase of the German main clause in ``text[start:end]``.

    ``text`` has its quotes masked. None when the clause does not read as subject + verb or
    first constituent + verb + subject. Reads the clause's first ``_CLAUSE_TOKENS`` words,
    so an endless sentence costs no more than a long one.
    """
    tokens = list(itertools.islice(_TOKEN.finditer(text, start, end), _CLAUSE_TOKENS))
    if not tokens:
        return None
    i = 0
    while i < len(tokens) - 1 and _bare(tokens[i].group()) in _FOCUS:
        i += 1
    first = _bare(tokens[i].group())
    if first in _SUBORDINATORS and i == 0:
        return _subordinate_first(tokens)
    if first in _PREPOSITIONS:
        named = _particle_name_end(text, tokens, i)
        if named:  # "Von der Leyen betonte": a surname, not a preposition
            return tokens[i].start(), tokens[named - 1].end()
        return _preposition_first(tokens, i)
    adverb = first in _ADVERBS or bool(_PRONOMINAL_ADVERB.fullmatch(first))
    if adverb or (first.endswith(_ADVERB_ENDINGS) and i + 1 < len(tokens)):
        return _adverb_first(tokens, i)
    if first in DE_SPEECH_VERBS and tokens[i].group()[:1].islower():
        return _inverted(tokens, i)  # the clause began before a quoted name: "„AP“ sagte X"
    if first in _OBJECT_CASE:
        # "Den Unmut der CDU brachte die Sprecherin zum Ausdruck": an object comes first.
        return _inverted(tokens, _constituent_end(tokens, i))
    return _pointing_back_first(tokens, i) or _subject_first(tokens, i)


def _particle_name_end(text: str, tokens: list[re.Match[str]], i: int) -> int | None:
    """Where a surname that opens with its particle ends ("Von der Leyen", "Von Weizsäcker"),
    when a verb follows it and the article writes it after a first name elsewhere ("Ursula
    von der Leyen"); None for a preposition ("Von der Regierung hieß es")."""
    if tokens[i].group() != "Von":
        return None
    j = i + 1 + (i + 2 < len(tokens) and tokens[i + 1].group() in ("der", "dem", "den"))
    if j + 1 >= len(tokens) or not is_verb_like(tokens[j + 1].group()):
        return None
    surname = tokens[j].group()
    if not surname[:1].isupper() or not surname.isalpha():
        return None
    written = " ".join(t.group() for t in tokens[i : j + 1])
    full = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+\s+v" + re.escape(written[1:]) + r"\b")
    return j + 1 if full.search(text) else None


def _pointing_back_first(tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """ "Das musste Minister Steinbrück einräumen": "Das" or "Dies" alone before the verb is
    the object pointing back; the subject follows the verb."""
    if _bare(tokens[i].group()) not in ("das", "dies") or i + 1 >= len(tokens):
        return None
    return _inverted(tokens, i + 1) if is_verb_like(tokens[i + 1].group()) else None


def _subject_first(tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """The subject first, the finite verb after it (and after an apposition)."""
    first = _bare(tokens[i].group())
    stop = _noun_phrase_end(tokens, i)
    if stop == i or stop >= len(tokens):
        return None
    stop = _apposition_end(tokens, stop)
    if stop >= len(tokens) or not is_verb_like(tokens[stop].group()):
        return None
    if first in POSSESSIVE and not any(t.group()[:1].isupper() for t in tokens[i + 2 : stop]):
        # "Seine Zuversicht gründet sich auf …": the possessor, an earlier speaker, speaks
        # ("Ihr Vorsitzender Eberhard Brandt erklärte" names him).
        return tokens[i].start(), tokens[i].end()
    return tokens[i].start(), tokens[stop - 1].end()


def _preposition_first(tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """A prepositional phrase first, the subject after the verb: "In der Sitzung sagte die
    Ministerin"; past an infinitive clause ("Um … zu gewinnen, will Oettinger") or a relative
    clause inside the phrase ("In einem Bericht, der danach erschien, rechtfertigte …")."""
    end = _constituent_end(tokens, i + 1)
    found = _inverted(tokens, end)
    if found is None and _bare(tokens[i].group()) in _INFINITIVE:
        return _inverted(tokens, _skip_clause(tokens, i))
    relative = (
        end < len(tokens)
        and tokens[end - 1].group().endswith(",")
        and _bare(tokens[end].group()) in _RELATIVE_PRONOUNS
    )
    if found is None and relative:
        return _inverted(tokens, _skip_clause(tokens, end))
    return found


def _subordinate_first(tokens: list[re.Match[str]]) -> tuple[int, int] | None:
    """A subordinate clause first: the subject follows the main verb after it ("Als die
    Feuerwehr eintraf, rief der Hausmeister"); a "wie" clause with a speech verb names the
    source itself ("Wie der Minister erklärte, sieht die Regierung …")."""
    clause = _skip_clause(tokens, 1)
    if _bare(tokens[0].group()) == "wie" and any(
        _bare(t.group()) in DE_SPEECH_VERBS for t in tokens[1:clause]
    ):
        stop = _noun_phrase_end(tokens, 1)
        return (tokens[1].start(), tokens[stop - 1].end()) if stop > 1 else None
    return _inverted(tokens, clause)


def _adverb_first(tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """An adverb first, perhaps with its own phrase: "Höhnisch veröffentlichte der
    Verfasser", "Passend zu den Gefahren warnte die Moderatorin"."""
    verb = i + 1
    if verb < len(tokens) and _bare(tokens[verb].group()) in _PREPOSITIONS:
        verb = _constituent_end(tokens, verb + 1)
    found = _inverted(tokens, verb) or _inverted(tokens, _skip_clause(tokens, i))
    if found is None and tokens[i].group().endswith(","):
        # "Höhnisch, wohl auf das Presseecho reagierend, veröffentlichte der Verfasser":
        # past a participle clause set off by commas.
        found = _inverted(tokens, _skip_clause(tokens, i + 1))
    return found


def _apposition_end(tokens: list[re.Match[str]], stop: int) -> int:
    """Past an apposition or relative clause set off by commas after a subject noun phrase:
    "Sadiq Khan, einer der Abgeordneten, verurteilte"."""
    end = stop
    if stop < len(tokens) and is_verb_like(tokens[stop].group()):
        return end  # "Der 58-Jährige habe darin geschrieben, er …": the verb follows at once
    for j in range(stop - 1, min(len(tokens), stop + 30)):
        if not tokens[j].group().endswith(","):
            continue
        if j + 1 < len(tokens) and is_verb_like(tokens[j + 1].group()):
            return j + 1
    return end


def _inverted(tokens: list[re.Match[str]], verb: int) -> tuple[int, int] | None:
    """The subject right after the finite verb at ``tokens[verb]``."""
    if verb >= len(tokens) or not is_verb_like(tokens[verb].group()):
        return None
    if tokens[verb].group().endswith((",", ";", ":")):
        return None  # "„…“ bezeichnet, denen …": the verb ends its clause, no subject follows
    i = verb + 1
    while i < len(tokens) and _bare(tokens[i].group()) in _MIDFIELD:
        i += 1
    if i < len(tokens) and _bare(tokens[i].group()) in ("es", "man"):
        return None  # "hieß es", "sagte man": no one in particular
    if i < len(tokens) and _bare(tokens[i].group()) in ("er", "sie"):
        return tokens[i].start(), tokens[i].end()
    stop = _noun_phrase_end(tokens, i)
    if stop == i:
        return None
    return tokens[i].start(), tokens[stop - 1].end()


# Lower-case words that open a clause after a quotation without being its finite verb.
_NOT_A_VERB = words("so wie was als dass ob weil wenn und oder aber sondern denn doch nur auch")
_PASSIVE = words("wird wurde werden wurden")
_QUOTED_BY = re.compile(r"\bzitiert\b")
_AFTER_SO = re.compile(r",\s*(?:so|laut)\s+(?=\S)")


def after_quote_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The speaker named after a quotation's closing mark, up to the sentence's end ``end``.

    "„…“, sagte Jelpke gegenüber Spiegel Online": the noun phrase right after the verb, not
    the likeliest-looking name further on; "„…“ beenden, so Rice" and "„…“, so die FIFA":
    the noun phrase after "so" or "laut" anywhere in the rest of the sentence.
    """
    tokens = [t for t in _TOKEN.finditer(text, start, end) if _bare(t.group())]
    if not tokens:
        return None
    first = _bare(tokens[0].group())
    if first in DE_SPEECH_VERBS and tokens[0].group()[:1].islower():
        return _inverted(tokens, 0)
    if first in _PASSIVE and _QUOTED_BY.search(text, start, _sentence_end(text, start)):
        return _inverted(tokens, 0)  # "„…“ wird der Franzose im Fachblatt zitiert"
    comma = text[start:end].lstrip().startswith(",")
    if comma and first not in _NOT_A_VERB and is_verb_like(tokens[0].group()):
        # "„…“, strich Romney in Arbutus heraus": after the comma the finite verb comes first.
        found = _inverted(tokens, 0)
        if found:
            return found
    if _verb_ends_the_quoted_clause(tokens) and SPEECH_VERB.search(
        text, tokens[1].start(), clause_end(text, tokens[1].start(), end)
    ):
        # "„…“ sei, hatte Koch-Mehrin damals gesagt": the quoted clause's verb, then speech.
        found = _inverted(tokens, 1)
        if found:
            return found
    so = _AFTER_SO.search(text, start, end)
    if so is None:
        return None
    rest = list(_TOKEN.finditer(text, so.end(), end))
    phrase = _phrase_after_midfield(rest)
    if phrase is None:
        return None
    i, stop = phrase
    return rest[i].start(), rest[stop - 1].end()


def _verb_ends_the_quoted_clause(tokens: list[re.Match[str]]) -> bool:
    """ "sei, hatte …": the verb that closes the quoted clause, then a finite verb first."""
    if len(tokens) < 3 or not tokens[0].group().endswith(","):
        return False
    closing = tokens[0].group().rstrip(",")
    return bool(_KONJUNKTIV.fullmatch(closing)) and is_verb_like(tokens[1].group())


_CLAUSE_STOP = re.compile(r"[,;:]")


def clause_end(text: str, start: int, end: int) -> int:
    """Where the clause from ``start`` ends: the next comma, colon or semicolon, or ``end``."""
    found = _CLAUSE_STOP.search(text, start, end)
    return found.start() if found else end


_ACCORDING = re.compile(
    r"\b[Nn]ach\s+(?:den\s+|der\s+|dem\s+)?(?:eigenen\s+)?(?:Angaben|Aussagen?|Meinung|Ansicht|"
    r"Auffassung|Darstellungen?|Einschätzung|Bewertung|Worten|Informationen|Berechnungen|"
    r"Ankündigung|Idee|Überzeugung)\s+(?:des|der|von|vom)\s+"
    # "Nach einer vom DFB veröffentlichten Erklärung": the source before the participle.
    r"|\b[Nn]ach\s+(?:einer|einem|der|dem|den)\s+vo[mn]\s+(?=[^,.;:„“]{1,60}?\s[a-zäöüß]+(?:en|ten)"
    r"\s+(?:Erklärung|Mitteilung|Pressemitteilung|Angaben|Stellungnahme|Bericht|Meldung)\b)"
)


# "laut einem Jury-Mitglied", "laut Süddeutscher Zeitung": a source, not the adjective.
_LAUT = re.compile(r"\b[Ll]aut\s+(?=[A-ZÄÖÜ]|(?:de[mnrs]|die|das|eine[mnrs]?)\s)")


# "Darin steht unter anderem: „…“", "Darin heißt es": "darin" is the text named just before.
_IN_IT = re.compile(r"(?:Darin|Hierin|Dort)\s+(?:steht|stand|stehen|standen|heißt|hieß)\b")


def pointing_in_span(text: str, previous: int, start: int, end: int) -> tuple[int, int] | None:
    """The text a sentence opening "Darin steht"/"Darin heißt es" points into: the last speech
    noun of the sentence before it, ``text[previous:start]`` ("Die Staatsanwaltschaft gab eine
    Stellungnahme ab. Darin steht: „…“" gives "Stellungnahme")."""
    if not _IN_IT.match(text, start, end):
        return None
    nouns = list(_SPEECH_NOUN.finditer(text, previous, start))
    return (nouns[-1].start(), nouns[-1].end()) if nouns else None


def according_to_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The source in "nach Angaben des künstlerischen Leiters", "nach Ansicht von Wulff",
    "laut einem Sprecher" between ``start`` and ``end``: the noun phrase after the genitive,
    "von" or "laut"."""
    near = max(start, end - 400)  # the source stands near the quotation it gives
    matches = list(_ACCORDING.finditer(text, near, end)) + list(_LAUT.finditer(text, near, end))
    matches.sort(key=lambda m: m.start())
    if not matches:
        return _for_whom(text, start, end)
    found = matches[-1]
    tokens = list(_TOKEN.finditer(text, found.end(), end))
    stop = _noun_phrase_end(tokens, 0, after_det=True)
    if stop == 0:
        return None
    return tokens[0].start(), tokens[stop - 1].end()


def _for_whom(text: str, start: int, end: int) -> tuple[int, int] | None:
    """ "Für den Theologen Hans Küng sei der Rücktritt „…“": a sentence that opens with "für"
    and a person gives that person's view."""
    if not text.startswith("Für ", start):
        return None
    tokens = list(_TOKEN.finditer(text, start + 4, end))
    stop = _noun_phrase_end(tokens, 0, after_det=True)
    words = [t.group().strip(",()") for t in tokens[:stop]]
    named = any(a[:1].isupper() and b[:1].isupper() for a, b in itertools.pairwise(words))
    if stop == 0 or not named:
        return None
    return tokens[0].start(), tokens[stop - 1].end()


_POINTS_BACK = re.compile(r"[\s.!?]*(?:Das|Dies|So)\s+(?=[a-zäöü])")


def pointing_back_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """ "„Ja, es gibt Zumutungen“. Das musste Minister Steinbrück einräumen": the next
    sentence points back at the quotation with "Das", "Dies" or "So" and names its speaker
    after the verb."""
    m = _POINTS_BACK.match(text, start, end)
    if m is None:
        return None
    tokens = list(itertools.islice(_TOKEN.finditer(text, m.end(), end), _CLAUSE_TOKENS))
    return _inverted(tokens, 0) if tokens else None


_SO_TAIL = re.compile(r"\b(?:weiter|abschließend|außerdem|zudem|ergänzend|damals)\b")
_SO_BEFORE = re.compile(r",\s*(?:so|laut)\s+(?=\S)")


_WIE_BEFORE = re.compile(r"\bwie\s+(?:sich\s+)?(?=\S)")


def wie_before_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """ "…, wie sich Tauss ausdrückte, „…“": a "wie" clause right before the quotation names
    its source (the noun phrase after "wie", then one verb)."""
    matches = list(_WIE_BEFORE.finditer(text, max(start, end - 120), end))
    if not matches:
        return None
    tokens = list(_TOKEN.finditer(text, matches[-1].end(), end))
    stop = _noun_phrase_end(tokens, 0)
    if stop == 0 or stop + 1 != len(tokens) or not is_verb_like(tokens[stop].group()):
        return None
    if not tokens[stop].group().endswith(",") or text[tokens[stop].end() : end].strip():
        return None
    return tokens[0].start(), tokens[stop - 1].end()


def so_before_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """ "Der Einsatz solle sich, so Gall, „…“": the noun phrase after "so" or "laut" that ends
    right before the quotation (only a comma or a colon between)."""
    matches = list(_SO_BEFORE.finditer(text, max(start, end - 200), end))
    if not matches:
        return None
    tokens = list(_TOKEN.finditer(text, matches[-1].end(), end))
    stop = _noun_phrase_end(tokens, 0)
    if stop == 0 or _SO_TAIL.sub("", text[tokens[stop - 1].end() : end]).strip(" ,:"):
        return None
    return tokens[0].start(), tokens[stop - 1].end()


def only_konjunktiv(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` reports speech by its Konjunktiv alone: no speech verb,
    speech noun or "so"/"laut" names a source, so its subject need not be the speaker ("Die
    Studie zeige in Wahrheit, „…“" goes on with what the last speaker said)."""
    return bool(_KONJUNKTIV.search(text, start, end)) and not (
        SPEECH_VERB.search(text, start, end)
        or _SPEECH_NOUN.search(text, start, end)
        or _SO_OR_LAUT.search(text[start:end])
    )


_CARRY_SENTENCES = 3  # how far back a run of Konjunktiv sentences is followed to its source


def carried_speaker_span(
    text: str,
    sentences: Sequence[tuple[int, int]],
    k: int,
    is_person: Callable[[int, int], bool],
) -> tuple[int, int] | None:
    """The speaker of the run of reported speech that sentence ``k`` goes on with.

    Walks back over sentences in the Konjunktiv to the nearest one that names a source with
    a speech verb, "so"/"laut" or "nach Angaben" ("Hartmann erklärte, ihr lägen „…“. Die
    Einsicht sei ihr verweigert worden"), and gives that sentence's speaker. An indicative
    sentence without speech ends the walk: right before sentence ``k`` its subject is the
    source if ``is_person`` says it names a person ("An die Adresse Brüssels hatte Steinbrück
    Positives zu vermelden. Erstmals sei …"), else there is none.
    """
    for j in range(k - 1, max(-1, k - 1 - _CARRY_SENTENCES), -1):
        a, b = sentences[j]
        if (
            SPEECH_VERB.search(text, a, b)
            or _SO_OR_LAUT.search(text[a:b])
            or _ACCORDING.search(text, a, b)
        ):
            return reported_speaker_span(text, a, b)
        if not _KONJUNKTIV.search(text, a, b):
            found = main_subject_span(text, a, b) if j == k - 1 else None
            return found if found and is_person(*found) else None
    return None


_QUOTE_CLOSE = re.compile(r"[“”\"»«]")
_LAUT_BEFORE = re.compile(r"\b[Ll]aut\s+")


def reported_speaker_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The source a sentence of reported speech names, read in German order: after "so" or
    "laut", in "nach Angaben des …", after a quotation ("„…“, äußerte sich Schavan"), or
    the subject of its main clause."""
    for pattern in (_AFTER_SO, _LAUT_BEFORE):
        found = pattern.search(text, start, end)
        if found is not None:
            rest = list(_TOKEN.finditer(text, found.end(), end))
            stop = _noun_phrase_end(rest, 0, after_det=True)
            if stop:
                return rest[0].start(), rest[stop - 1].end()
    if text[start] in '„“”"»«':
        close = _QUOTE_CLOSE.search(text, start + 1, end)
        if close:
            return after_quote_span(text, close.end(), end)
    return according_to_span(text, start, end) or main_subject_span(text, start, end)


# An ordinal before a month or a count noun ends no sentence: "am 20. August", "im 19.
# Jahrhundert", "zum 3. Mal".
_ORDINAL_END = re.compile(r"\b\d{1,2}\.$")
_ORDINAL_NOUN = re.compile(
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
    r"Dezember|Jahrhunderts?|Jahrestag|Mal|Platz|Spieltag|Runde|Etappe)\b"
)
# A stop with no space after it, between two words, ends one: "sagte der Papst.Der Bruder".
_GLUED_STOP = re.compile(r"(?<=[a-zäöüß]{3}[.!?])(?=[A-ZÄÖÜ][a-zäöüß])")


def _ordinal_cut(text: str, last: tuple[int, int], start: int) -> bool:
    """Whether the sentence ``last`` was cut after an ordinal that ``text[start:]`` goes on."""
    same_line = "\n" not in text[last[1] : start]
    return same_line and bool(_ORDINAL_END.search(text, *last) and _ORDINAL_NOUN.match(text, start))


def german_sentences(text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``sentences`` mended for German: joined where an ordinal was taken for a stop, split
    where a stop lost its space."""
    joined: list[tuple[int, int]] = []
    for a, b in sentences:
        if joined and _ordinal_cut(text, joined[-1], a):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    out = []
    for a, b in joined:
        for cut in _GLUED_STOP.finditer(text, a, b):
            out.append((a, cut.start()))
            a = cut.start()
        out.append((a, b))
    return out


# Verbs that say where words stand rather than who says them: "Auf der Homepage heißt es",
# "In der Zeitung fand sich die Feststellung", "war die Parole „…“ zu lesen".
_WHERE_WRITTEN = re.compile(
    r"\b(?:heißt es|hieß es|steht|stand|stehen|standen|fand sich|findet sich|fanden sich|"
    r"finden sich)\b|\bzu lesen\b|\bdie Rede\b"
)
_RELATIVE = words("denen dessen deren welchem welcher welchen welche")
_IN_PLACE = re.compile(r"(?:^|(?<=\s))(?:[Ii]n|[Ii]m|[Aa]uf)\s+")


def document_source_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The text a sentence quotes from when it says where words stand, not who said them:
    "Auf der Homepage des Vereins heißt es: „…“" gives "der Homepage des Vereins".

    ``text[start:end]`` is the sentence up to the quotation; the place is the first "in",
    "im" or "auf" phrase in it with a noun, and the sentence must have such a verb.
    """
    stop_at = _sentence_end(text, end)
    if not _WHERE_WRITTEN.search(text, start, stop_at):
        return None
    for found in _IN_PLACE.finditer(text, start, end):
        # The verb in the same clause: not "protestierten in Tikrit mit Transparenten, auf
        # denen Sprüche wie „…“ standen".
        comma_before = text.rfind(",", start, found.start())
        clause = comma_before + 1 if comma_before >= 0 else start
        comma = text.find(",", found.end(), stop_at)
        if not _WHERE_WRITTEN.search(text, clause, stop_at if comma < 0 else comma):
            continue
        tokens = list(itertools.islice(_TOKEN.finditer(text, found.end(), end), 20))
        opens_clause = comma_before >= 0 and not text[clause : found.start()].strip()
        if not tokens or opens_clause or _bare(tokens[0].group()) in _RELATIVE:
            continue  # ", auf denen …", ", auf dem geschrieben stand": a relative clause
        stop = _noun_phrase_end(tokens, 0, after_det=True)
        if stop and any(_is_noun(t.group()) for t in tokens[:stop]):
            return tokens[0].start(), tokens[stop - 1].end()
    return None


def _is_noun(token: str) -> bool:
    """A capitalised word, or a compound whose last part is ("documenta-Homepage")."""
    word = token.lstrip('(„“"»«')
    return word[:1].isupper() or word.rsplit("-", 1)[-1][:1].isupper()


_STOP = re.compile(r"[.!?](?:\s|$)|\n")


def _sentence_end(text: str, pos: int) -> int:
    """The end of the sentence that holds ``pos`` (its next stop or line break)."""
    found = _STOP.search(text, pos)
    return found.end() if found else len(text)


# Conjunctions that open a subordinate clause whose subject follows them ("weil die
# Regierung Georgien als „…“ bezeichnet hat").
_CLAUSE_OPENERS = words("weil da dass daß nachdem obwohl zumal wonach sodass während wenn")
_RELATIVE_PRONOUNS = words("der die das welche welcher welches")


def clause_speaker_span(
    text: str, start: int, verb: int, is_person: Callable[[int, int], bool]
) -> tuple[int, int] | None:
    """The speaker when the speech verb at ``verb`` sits in a subordinate or relative clause.

    "…, weil die Regierung es als „…“ bezeichnet hat": the subject after the conjunction;
    "die Marke, die Gerhard Schröder zum Ziel erklärt hatte: „…“": the person after the
    relative pronoun; "ein Kommentar, der die Entscheidung als „…“ bezeichnet": no person
    follows the pronoun, so it is the subject and speaks for the noun before the comma.
    None when the verb's clause is a main clause (no comma or colon before it from ``start``).
    """
    cut = max(text.rfind(",", start, verb), text.rfind(":", start, verb))
    if cut < start:
        return None
    tokens = list(itertools.islice(_TOKEN.finditer(text, cut + 1, verb), 20))
    if len(tokens) < 2:
        return None
    first = _bare(tokens[0].group())
    if first not in _CLAUSE_OPENERS and first not in _RELATIVE_PRONOUNS:
        return None
    stop = _noun_phrase_end(tokens, 1)
    found = (tokens[1].start(), tokens[stop - 1].end()) if stop > 1 else None
    if first in _CLAUSE_OPENERS:
        return found
    if found and is_person(*found):
        return found
    return _antecedent_span(text, start, cut)


def _antecedent_span(text: str, start: int, comma: int) -> tuple[int, int] | None:
    """The noun phrase that ends at ``comma`` ("erschien ein Kommentar|, der …"), back to its
    determiner."""
    tokens = list(_TOKEN.finditer(text, max(start, comma - 200), comma))
    if not tokens or not tokens[-1].group()[:1].isupper():
        return None
    i = len(tokens) - 1
    while i > 0:
        word = _bare(tokens[i - 1].group())
        if word in _DETERMINERS:
            i -= 1
            break
        if not (tokens[i - 1].group()[:1].isupper() or word.endswith(_ADJECTIVE_END)):
            break
        i -= 1
    return tokens[i].start(), tokens[-1].end()


# A verb that says what someone called something, right after the quotation: "als „…“
# bezeichnet hat", "„…“ nannte".
_NAMING_VERB = re.compile(
    r"[“”\"»«]\s*(?:bezeichnet|bezeichnete|bezeichneten|genannt|nannte|nannten|nennt|"
    r"beschrieben|beschrieb|erklärt|betitelt|betitelte)\b"
)


def naming_verb_after(text: str, close: int) -> int | None:
    """Where a naming verb stands right after the closing mark at ``close``, or None."""
    found = _NAMING_VERB.match(text, close)
    return found.end() if found else None


def last_clause_start(text: str, start: int, end: int) -> int:
    """Where the last main clause of ``text[start:end]`` (up to a quotation) begins, when
    two speech clauses stand one after the other: "Die Kommission kritisierte das Gesetz
    scharf: So sagte Olli Rehn: „…“", "Eisenmann wies die Behauptung zurück, die Sprecherin
    Sandra Boser erklärte: „…“". ``start`` when there is only one."""
    verbs = [m for m in SPEECH_VERB.finditer(text, start, end) if m.group() in DE_SPEECH_VERBS]
    if len(verbs) < 2:
        return start
    last = verbs[-1].start()
    for cut in (text.rfind(":", verbs[-2].end(), last), text.find(",", verbs[-2].end(), last)):
        if cut < 0:
            continue
        rest = text[cut + 1 : last].split()
        # A new clause opens with its subject or an adverb, not with a conjunction ("…, wie
        # Müller sagte": the same speech) or a relative pronoun: "die" opens a main clause
        # only when its noun phrase is right before the verb ("die Sprecherin erklärte").
        word = _bare(rest[0]) if rest else "wie"
        if word in _CLAUSE_OPENERS or word in ("wie", "als"):
            continue
        if word in _RELATIVE_PRONOUNS:
            found = main_subject_span(text, cut + 1, end)
            if found is None or text[found[1] : last].strip(" ,"):
                continue
        return cut + 1
    return start


_LISTED = re.compile(r"[\s),;]*(?:und|sowie)\s+")


def listed_speaker_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The last of several speakers listed with their words: "…, Mohammed ElBaradei („…“),
    und der Ministerpräsident Jens Stoltenberg: „…“" gives the noun phrase after "und"
    when it runs up to the colon before the quote (``text[start:end]``)."""
    found = _LISTED.match(text, start, end)
    if found is None or not text[start:end].rstrip().endswith(":"):
        return None
    tokens = list(itertools.islice(_TOKEN.finditer(text, found.end(), end), 20))
    stop = _noun_phrase_end(tokens, 0)
    if stop == 0 or stop != len(tokens) or not tokens[-1].group().endswith(":"):
        return None
    return tokens[0].start(), tokens[-1].end() - 1


def after_verb_span(text: str, verb: int, end: int) -> tuple[int, int] | None:
    """The noun phrase right after the verb that ends at ``verb`` (past "sich" and particles):
    the subject when something else stands first ("Der Zeitung sagte Filep Karma",
    "Ähnlich äußerte sich der US-Präsident George W. Bush")."""
    tokens = list(itertools.islice(_TOKEN.finditer(text, verb, end), _CLAUSE_TOKENS))
    phrase = _phrase_after_midfield(tokens)
    if phrase is None:
        return None
    i, stop = phrase
    stop = _apposition_end(tokens, stop)
    return tokens[i].start(), tokens[stop - 1].end()


def _phrase_after_midfield(tokens: list[re.Match[str]]) -> tuple[int, int] | None:
    """The token range of the noun phrase after the midfield words ("sich", particles) that
    open ``tokens``, if one follows."""
    i = 0
    while i < len(tokens) and _bare(tokens[i].group()) in _MIDFIELD:
        i += 1
    stop = _noun_phrase_end(tokens, i)
    return None if stop == i else (i, stop)
