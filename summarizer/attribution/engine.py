"""``analyze``: quotes, their speakers, reported speech and actors for one article."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from summarizer.attribution.cancel import checkpoint
from summarizer.attribution.cues import (
    Cue,
    Subject,
    cue_after,
    cue_before,
    phrase_subject,
    sentence_subject,
    statement_subject,
    subject_left,
)
from summarizer.attribution.english import lower_openers
from summarizer.attribution.german import (
    ARTICLES,
    POSSESSIVE,
    according_to_span,
    after_quote_span,
    after_verb_span,
    carried_speaker_span,
    clause_end,
    clause_speaker_span,
    document_source_span,
    german_sentences,
    is_reported,
    is_verb_like,
    last_clause_start,
    listed_speaker_span,
    main_subject_span,
    names_something,
    naming_verb_after,
    only_konjunktiv,
    pointing_back_span,
    pointing_in_span,
    so_before_span,
    sounds_spoken,
    wie_before_span,
)
from summarizer.attribution.index import MentionIndex
from summarizer.attribution.language import detect_language
from summarizer.attribution.lexicon import (
    DE_SPEECH_VERBS,
    PERSON_PRONOUNS,
    SPEECH_VERB,
    is_title,
    words,
)
from summarizer.attribution.model import (
    SPEECH_KINDS,
    Actor,
    Attribution,
    FoundQuote,
    QuoteKind,
    Statement,
)
from summarizer.attribution.names import Mention, find_mentions, name_tokens
from summarizer.attribution.quotes import Span, find_spans, paragraph_bounds
from summarizer.attribution.sentences import mask_datelines, mask_quotes, split_sentences

__all__ = ["analyze"]

_ORG_WORDS = words(
    """house senate congress party council committee department ministry university news
    times post network court union commission office agency bank group company press"""
)


_END_MARKS = '.!?:;"”“«»'  # a paragraph ending in one of these is prose
_SPACE = re.compile(r"\s")
_BULLETS = re.compile("[ •*–—-]*")  # what may precede a quote that opens its paragraph


@dataclass(slots=True)
class _Doc:
    """Working state for one article; private to this module."""

    text: str
    masked: str
    paragraphs: list[tuple[int, int]]
    sentences: list[tuple[int, int]]
    mentions: list[Mention]
    headings: set[int]
    language: str = "en"
    starts: list[int] = field(default_factory=list)
    _index: MentionIndex | None = None

    def sentence_start(self, pos: int) -> int:
        return self.sentence(pos)[0]

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence that holds ``pos``."""
        if not self.starts:
            self.starts = [s for s, _ in self.sentences]
        return self.sentences[max(bisect.bisect_right(self.starts, pos) - 1, 0)]

    def sentence_after(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence after the one that holds ``pos`` (or that one)."""
        self.sentence(pos)  # fills self.starts
        k = bisect.bisect_right(self.starts, pos)
        return self.sentences[min(k, len(self.sentences) - 1)]

    @property
    def german(self) -> bool:
        return self.language == "de"

    @property
    def index(self) -> MentionIndex:
        """The mentions indexed for lookups, built on first use."""
        if self._index is None:
            self._index = MentionIndex(self.text, self.mentions)
        return self._index


def _headings(text: str, paragraphs: list[tuple[int, int]]) -> set[int]:
    """Paragraphs that read as a headline or section heading rather than prose."""
    found = set()
    for i, (a, b) in enumerate(paragraphs):
        line = text[a:b].strip()
        unpunctuated = not line or line[-1] not in _END_MARKS
        if i and not unpunctuated:
            continue  # prose: no need to count its words
        words = len(line.split())
        if (i == 0 and words <= 20 and not SPEECH_VERB.search(line)) or (
            unpunctuated and words <= 12
        ):
            found.add(i)
    return found


def _before(doc: _Doc, span: Span) -> str:
    """The paragraph's text before ``span``'s opening mark, right-stripped, or its end.

    The end holds the last word whole (or all of the text), which is all that callers read:
    copying the whole text before every quote made long paragraphs quadratic.
    """
    start = doc.paragraphs[span.paragraph][0]
    size = 64
    while True:
        cut = max(start, span.open_mark - size)
        before = doc.text[cut : span.open_mark].rstrip()
        if cut == start or _SPACE.search(before):
            return before
        size *= 2


def _kind(doc: _Doc, span: Span) -> QuoteKind:
    if span.paragraph in doc.headings:
        return "headline"
    words = doc.text[span.start : span.end].split()
    if len(words) < 3 and not span.continues:
        return "short"
    before = _before(doc, span)
    if (before and before[-1].isalnum()) or doc.text[span.start].islower():
        return "partial"
    return "direct"


_NAME_GLUE = words(
    """of the and for in on at de la le du del da di der die das und für von vom im am zu zur
    zum des dem den a an et e y"""
)

# Nouns that a title follows ("the film", "die Zeitung", "des Typs"); German compounds end
# in them ("Fernsehserie", "Fachblatt").
_WORK_NOUNS = (
    "titled",
    "entitled",
    "book",
    "film",
    "movie",
    "album",
    "song",
    "series",
    "newspaper",
    "magazine",
    "titel",
    "buch",
    "lied",
    "serie",
    "sendung",
    "zeitung",
    "zeitschrift",
    "magazin",
    "magazins",
    "magazines",
    "blatt",
    "typs",
    "motto",
)


def _is_name(doc: _Doc, span: Span) -> bool:
    """Whether the quoted words name something ("the “Yemen Observer”") rather than quote it.

    A name is short, carries no sentence punctuation, starts with a capital and capitalises
    every word but the small joining ones, and sits inside a sentence.
    """
    tokens = doc.text[span.start : span.end].split()
    before = _before(doc, span)
    if not tokens or not before or not before[-1].isalnum():
        return False
    if before.rsplit(None, 1)[-1].lower().endswith(_WORK_NOUNS):
        # "the film “...”", "dem Lied „...“": the title of a work, whatever its shape.
        return len(tokens) <= 12 and tokens[-1][-1] not in ".!?…"
    if len(tokens) > 6 or any(w[-1] in ".!?,;:…" for w in tokens):
        return False
    return tokens[0][:1].isupper() and all(
        w[:1].isupper() or w[:1].isdigit() or w.lower() in _NAME_GLUE or not w[:1].isalpha()
        for w in tokens
    )


# A transcript's turn: "“WALLACE: Let's start with …" or "MIKE PENCE: Well, look, …".
_TURN_LABEL = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2}):\s")


def _turn_cue(doc: _Doc, span: Span) -> Cue | None:
    """A quoted transcript turn names its speaker in capitals before a colon."""
    label = _TURN_LABEL.match(doc.text, span.start, span.end)
    if label is None or len(label.group(1)) < 3:
        return None
    name = label.group(1).title()
    return Cue(Subject("name", name, None, span.start), label.group(1), ":")


def _cue_for(doc: _Doc, spans: Sequence[Span], i: int, kind: QuoteKind) -> Cue | None:
    checkpoint()  # the batch may have given up on this article (cancel.py)
    span = spans[i]
    turn = _turn_cue(doc, span)
    if turn:
        return turn
    para_start = doc.paragraphs[span.paragraph][0]
    prev_close = spans[i - 1].close_mark if i and spans[i - 1].paragraph == span.paragraph else None
    if (
        prev_close is not None
        and doc.german
        and kind != "short"
        and _quoted_name(doc, spans[i - 1])
    ):
        prev_close = None  # "Gegenüber der Agentur „AP“ sagte X: „…“": one clause
    region_start = max(doc.sentence_start(span.open_mark), (prev_close or para_start - 1) + 1)
    sentence = doc.sentence_start(span.open_mark)
    before = (doc.german and _german_cue(doc, region_start, span.open_mark)) or cue_before(
        doc.masked, region_start, span.open_mark, sentence
    )
    if kind == "partial" and before:
        return before
    after = _after_cue(doc, spans, i, has_lead_in=before is not None)
    if after:
        return after
    if before:
        return before
    if _BULLETS.fullmatch(doc.text, para_start, span.open_mark):
        opener = _opener_cue(doc, spans, i)
        if opener is not None or span.paragraph:
            return opener
    if prev_close is not None and prev_close >= sentence:
        return None  # a second quote in the sentence shares the first one's speaker
    german = _german_fallback(doc, span, sentence, para_start) if doc.german else None
    if german:
        return german
    if region_start < span.open_mark:
        return _sentence_subject(doc, sentence, span.open_mark)
    if sentence > para_start:
        return _previous_sentence_cue(doc, sentence)
    return None


def _opener_cue(doc: _Doc, spans: Sequence[Span], i: int) -> Cue | None:
    """A quote that opens its paragraph: signed on the next line, led in by the paragraph
    before ("Rutte posted on X:"), or carrying on that paragraph's subject."""
    span = spans[i]
    signed = _signature_cue(doc, span)
    if signed or not span.paragraph:
        return signed
    lead_in = _lead_in_cue(doc, span.paragraph - 1)
    quoted_before = i and spans[i - 1].paragraph == span.paragraph - 1
    if lead_in or quoted_before:
        return lead_in
    return _previous_subject(doc, span.paragraph - 1)


def _after_cue(doc: _Doc, spans: Sequence[Span], i: int, *, has_lead_in: bool) -> Cue | None:
    """The cue after a quotation's closing mark, up to the next quotation in its paragraph."""
    span = spans[i]
    if span.close_mark is None:
        return None
    signed = _signed_after_cue(doc, span)
    if signed:
        return signed
    # Spans come in document order: the next one is the only one that can follow in this
    # paragraph (reading every later span here made the engine quadratic in the quotes).
    nxt = spans[i + 1] if i + 1 < len(spans) else None
    para_end = doc.paragraphs[span.paragraph][1]
    limit = nxt.open_mark if nxt and nxt.paragraph == span.paragraph else para_end
    if doc.german:
        german = _german_cue_after(doc, span.close_mark, limit, nxt, has_lead_in=has_lead_in)
        if german or (has_lead_in and doc.text[span.end - 1] in ".!?…"):
            return german  # a finished German quote keeps its lead-in over the next sentence
        if naming_verb_after(doc.masked, span.close_mark):
            return None  # "als „…“ bezeichnet, denen …": the verb's subject came before
    cue = cue_after(doc.masked, span.close_mark, limit)
    if cue and cue.verb == "so" and not doc.german:
        return None  # English "…,” so government should help": a conjunction, not "so Rice"
    return cue


def _german_fallback(doc: _Doc, span: Span, sentence: int, para_start: int) -> Cue | None:
    """A German quote with no cue next to it: "Damit sei „…“" goes on from the sentence
    before; else the subject of its own sentence, read in German order."""
    if sentence > para_start and not SPEECH_VERB.search(doc.masked, *doc.sentence(sentence)):
        carried = _previous_sentence_cue(doc, sentence)
        if carried:
            return carried
    if sentence >= span.open_mark:
        # "Nach Ansicht von Wulff ist … gefallen. „Es ist nur ein Gutachten.“": a quotation
        # that is its own sentence goes on from the source before it.
        return _carried_cue(doc, sentence)
    named_at = naming_verb_after(doc.masked, span.close_mark) if span.close_mark else None
    if named_at:
        # "…, weil die Regierung Georgien als „…“ bezeichnet hat": the verb's clause.
        clause = clause_speaker_span(doc.masked, sentence, span.open_mark, _person_test(doc))
        subject = _german_subject(doc, clause) if clause else None
        if subject:
            return Cue(subject, doc.text[sentence:named_at].strip(" :,"), "")
    found = main_subject_span(doc.masked, sentence, span.open_mark)
    subject = _german_subject(doc, found) if found else None
    if not _names_speaker(doc, subject, pronoun=False) and only_konjunktiv(
        doc.masked, *doc.sentence(sentence)
    ):
        carried = _carried_cue(doc, sentence)
        # "Sie könne sich vorstellen, „…“": "sie" is the source of the run when it is named.
        pronoun = subject is not None and subject.kind == "pronoun"
        if carried and (not pronoun or carried.subject.kind == "name"):
            return carried
    if subject is None:
        return None
    return Cue(subject, doc.text[sentence : span.open_mark].strip(" :,"), "")


def _carried_cue(doc: _Doc, sentence: int) -> Cue | None:
    """A German sentence in the Konjunktiv with no source of its own: the speaker of the
    reported speech it goes on with."""
    k = bisect.bisect_right(doc.starts, sentence) - 1
    found = carried_speaker_span(doc.masked, doc.sentences, k, _person_test(doc))
    subject = _german_subject(doc, found) if found else None
    return Cue(subject, "reported speech before", "") if subject else None


_LOOK_BACK = 16  # characters read before a name for the number a quantity opens with
# A person named by age: "der 58-Jährige", "die 38-Jährige", "des 25-Jährigen".
_AGED = re.compile(r"\d+-[Jj]ährige[nr]?")
# German noun endings no first name has: "Bewerbung von Kanada" is no "Ursula von der Leyen".
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "nis", "tum", "ment")


def _full_name(subject: Subject | None) -> bool:
    """A first name and a surname (two capitalised words, no genitive between)."""
    if subject is None or subject.kind != "name":
        return False
    words = subject.name.split()
    return len(words) > 1 and all(w[:1].isupper() or w in ("von", "van", "de", "zu") for w in words)


def _person_test(doc: _Doc) -> Callable[[int, int], bool]:
    """Whether the noun phrase at ``doc.masked[a:b]`` names a person (for german.py)."""

    def is_person(a: int, b: int) -> bool:
        return _names_speaker(doc, _german_subject(doc, (a, b)), pronoun=False)

    return is_person


def _names_speaker(doc: _Doc, subject: Subject | None, *, pronoun: bool = True) -> bool:
    """Whether a German subject can be a speaker on its own: "er" or "sie", or a person
    named with a role or a full name somewhere in the article ("Elshorst" for "Hansjörg
    Elshorst"); "die Studie", "die Bundesregierung" and "man" are not."""
    if subject is None:
        return False
    if subject.kind == "pronoun":
        return pronoun and subject.name in PERSON_PRONOUNS
    if subject.kind != "name":
        return False
    named = _canonical(doc, subject)
    words = named.name.split()
    # A first name and a surname, perhaps with "von" ("Ursula von der Leyen"), but not a
    # noun with a genitive ("Pflichten der Union").
    glue = [w for w in words if not w[:1].isupper()]
    particles = " ".join(glue).replace("von der", "von")
    personal = len(words) > 1 and all(w in ("von", "van", "de", "zu") for w in particles.split())
    personal = personal and not words[0].lower().endswith(_NOUN_ENDINGS)
    # "Kosten von 80 Millionen Euro": capitalised words after a number are a quantity.
    before = doc.masked[max(0, subject.start - _LOOK_BACK) : subject.start].rstrip()
    personal = personal and not before[-1:].isdigit()
    aged = any(_AGED.fullmatch(w) for w in words)  # "der 58-Jährige"
    return bool(named.role) or any(is_title(w) for w in words) or personal or aged


def _quoted_name(doc: _Doc, span: Span) -> bool:
    """A short capitalised quotation in the same sentence as the next quote: a name inside
    the clause that leads up to it, not a quote with its own cue."""
    words = doc.text[span.start : span.end].split()
    return len(words) < 4 and words[0][:1].isupper() and words[-1][-1:] not in ".!?…"


def _german_cue(doc: _Doc, start: int, open_mark: int) -> Cue | None:
    """The subject of the German main clause that leads up to a quote ("Dazu gab das
    Ministerium bekannt: „…“"), when that clause is speech."""
    sentence = doc.sentence(open_mark)
    previous = doc.sentence_start(sentence[0] - 1) if sentence[0] else sentence[0]
    source = (
        pointing_in_span(doc.masked, previous, sentence[0], open_mark)
        or so_before_span(doc.masked, start, open_mark)
        or wie_before_span(doc.masked, start, open_mark)
        or according_to_span(doc.masked, sentence[0], open_mark)
        or document_source_span(doc.masked, sentence[0], open_mark)
        or listed_speaker_span(doc.masked, start, open_mark)
    )
    if source:
        subject = _german_subject(doc, source)
        if subject:
            return Cue(subject, doc.text[source[0] : open_mark].strip(" :,"), "")
    start = _after_colon_clause(doc.masked, start, open_mark)
    region = doc.masked[start:open_mark].rstrip()
    verb = SPEECH_VERB.search(doc.masked, start, open_mark)
    if not region or not (region.endswith(":") or verb):
        return None
    verbs = list(SPEECH_VERB.finditer(doc.masked, start, open_mark))
    if verbs:
        clause = clause_speaker_span(doc.masked, start, verbs[-1].start(), _person_test(doc))
        subject = _german_subject(doc, clause) if clause else None
        if subject:
            return Cue(subject, region.strip(" :,"), verbs[-1].group())
    found = main_subject_span(
        doc.masked, last_clause_start(doc.masked, start, open_mark), open_mark
    )
    found = found or main_subject_span(doc.masked, start, open_mark)
    subject = _german_subject(doc, found) if found else None
    quoting = verbs and verbs[-1].group().startswith("zitier")  # its object is the speaker
    verb_end = verbs[-1].end() if verbs else _verb_after(doc.masked, found, open_mark)
    if verb_end and not quoting and not _names_speaker(doc, subject):
        # V2: what stands first may be an object or an adverb; a person right after the
        # speech verb is its subject ("Der Zeitung sagte Filep Karma: „…“"), or after the
        # verb of a clause that leads in with a colon ("Die Anwendung stellte der
        # SPD-Vorsitzende Franz Müntefering in Frage: „…“").
        after = after_verb_span(doc.masked, verb_end, open_mark)
        if after and _names_speaker(doc, _german_subject(doc, after), pronoun=False):
            found, subject = after, _german_subject(doc, after)
    if not verb and not _names_speaker(doc, subject):
        carried = only_konjunktiv(doc.masked, *sentence) and _carried_cue(doc, sentence[0])
        if carried:
            return carried
    if subject is None:
        return None
    return Cue(subject, region.strip(" :,"), verb.group() if verb else ":")


_NEXT_WORD = re.compile(r"\s*(\S+)")


def _verb_after(text: str, found: tuple[int, int] | None, stop: int) -> int | None:
    """Where the word after the noun phrase ``found`` ends, when it reads as a finite verb."""
    if found is None:
        return None
    word = _NEXT_WORD.match(text, found[1], stop)
    return word.end() if word and is_verb_like(word.group(1)) else None


_QUOTED_IN_PHRASE = re.compile(r"[„»\"]([^„“”»«\"]{2,60})[“”«\"]")


def _german_subject(doc: _Doc, found: tuple[int, int]) -> Subject | None:
    """The speaker a German noun phrase names; a possessive ("Seine Zuversicht") points back
    to an earlier "er" or "sie"."""
    quoted = _QUOTED_IN_PHRASE.search(doc.text, *found)
    if quoted and not _QUOTED_IN_PHRASE.search(doc.text, quoted.end(), found[1]):
        # "Die „Süddeutsche Zeitung“ hatte berichtet": the quoted name, which the masked text
        # hides (one quoted name only: "der „…“-Kolumnist „…“" is no name to read).
        return Subject("name", quoted.group(1), None, quoted.start(1))
    word = doc.masked[found[0] : found[1]].lower()
    if word in POSSESSIVE:
        return Subject("pronoun", "er" if word.startswith("sein") else "sie", None, found[0])
    comma = doc.masked.find(",", *found)
    if comma > found[0]:
        # "Frank Biermann, Vorsitzender der …-Union, sagte": the name before the apposition.
        head = phrase_subject(doc.masked, found[0], comma)
        role_first = doc.text[found[0] : comma].split()
        while role_first and role_first[0].lower() in ARTICLES:
            role_first = role_first[1:]  # "Der Fraktionschef der Grünen" is his role without "Der"
        if not _full_name(head):
            # "die Sprecherin der Opposition, Eva Kern,": the name in the apposition.
            named = phrase_subject(doc.masked, comma + 1, found[1])
            if named is not None and _full_name(named):
                return replace(named, role=named.role or " ".join(role_first).strip(" ,"))
        if head is not None and head.kind == "name":
            role = doc.text[comma + 1 : found[1]].strip(" ,")
            if head.role is None and any(is_title(w) for w in role.split()[:3]):
                return replace(head, role=role)
            return head
    subject = phrase_subject(doc.masked, *found)
    if subject and subject.kind == "name" and doc.masked[subject.start - 1 : subject.start] == "-":
        # "der documenta-Homepage": the whole compound, not its capitalised tail.
        start = doc.masked.rfind(" ", found[0], subject.start) + 1 or found[0]
        name = doc.masked[start : subject.start] + subject.name
        return replace(subject, name=name, start=start)
    return subject


_COLON_CLAUSE = re.compile(r":\s+(?=[A-ZÄÖÜ])")


def _after_colon_clause(text: str, start: int, open_mark: int) -> int:
    """Where the clause that leads to a quote begins: after a colon, a capital opens a clause
    of its own with its own subject, when that clause holds the speech verb ("Auch die FDP
    schloss sich an: Der Sprecher, Werner Hoyer, bewertete … als „…“")."""
    for colon in _COLON_CLAUSE.finditer(text, start, open_mark):
        if SPEECH_VERB.search(text, colon.end(), open_mark):
            start = colon.end()
    return start


# A source signed in parentheses right after the quotation: "„…“ (Konrad-Adenauer-Stiftung)".
_SOURCE_IN_PARENS = re.compile(r"[.,]?\s*\(([A-ZÄÖÜ][\w.-]*(?:\s+[\w.-]+){0,5})\)\s*(?:[.;]|$)")
_VERB_THEN_NAME = re.compile(
    r"[\s,]*(?:" + "|".join(sorted(DE_SPEECH_VERBS - {"laut", "zufolge"})) + r")"
    r"(?:\s+(?:der|die|das|dem|den))?\s*"
)


def _german_cue_after(
    doc: _Doc, close: int, limit: int, nxt: Span | None, *, has_lead_in: bool = False
) -> Cue | None:
    """„…“, sagte Jelpke gegenüber Spiegel Online" or "„…“ beenden, so Rice": the German
    speaker after the quotation, read by word order; "„…“, schrieb „Die Zeit“" gives the
    quoted name that follows (``nxt``, the next quotation). A next sentence that points
    back ("Dies sagte der Präsident") counts only for a quote with no lead-in of its own."""
    end = min(doc.sentence(close)[1], limit)
    signed = _SOURCE_IN_PARENS.match(doc.masked, close + 1, limit)
    if signed:
        # "„Die Wahlen sind frei abgelaufen.“ (Konrad-Adenauer-Stiftung).": the source.
        subject = phrase_subject(doc.masked, signed.start(1), signed.end(1))
        if subject is not None:
            return Cue(subject, signed.group(1), "")
    found = after_quote_span(doc.masked, close + 1, end)
    if found is None and end < limit and not has_lead_in:
        found = pointing_back_span(doc.masked, close + 1, min(doc.sentence_after(close)[1], limit))
    subject = phrase_subject(doc.masked, *found) if found else None
    named = nxt is not None and nxt.open_mark == limit and _quoted_name(doc, nxt)
    if subject is None and nxt and named and _VERB_THEN_NAME.fullmatch(doc.text, close + 1, limit):
        subject = Subject("name", doc.text[nxt.start : nxt.end], None, nxt.start)
    if subject is None:
        return None
    region = doc.text[close + 1 : max(end, found[1] if found else end)].strip(" ,.:")
    words = region.split(maxsplit=2)
    points_back = words[:1] in (["Das"], ["Dies"], ["So"]) and len(words) > 1
    verb = words[1] if points_back else (words or [""])[0]
    return Cue(subject, region, verb.strip(",."))


def _previous_sentence_cue(doc: _Doc, sentence: int) -> Cue | None:
    """A quote that opens a sentence after ``Bystrom agreed.`` in the same paragraph."""
    start = doc.sentence_start(sentence - 1)
    if any(mark in doc.text[start:sentence] for mark in '“”„"»«'):
        return None  # a quote with its own cue: the quotes' speakers carry over instead
    verbs = [m for m in SPEECH_VERB.finditer(doc.masked, start, sentence) if m.group()]
    if not verbs:
        return None
    verb = verbs[-1]
    found = main_subject_span(doc.masked, start, sentence) if doc.german else None
    if found:
        # "Oskar Lafontaine, Fraktionschef der Linkspartei, sprach sich … aus.": read in German
        # order, the name before the apposition, not the noun nearest the verb.
        subject = _german_subject(doc, found)
    elif verb.group().endswith("ing"):
        subject = sentence_subject(doc.masked, start, verb.start())
    else:
        subject = statement_subject(doc.masked, start, verb)
    if subject is None:
        return None
    return Cue(subject, "previous sentence", verb.group())


_SIGNATURE = re.compile(r"[ \t]*[-–—―]+[ \t]*(?=[A-Z])")
# Signed on the same line, right after the closing mark: "“…shame.” ― Sonya Herridge".
_SIGNED_AFTER = re.compile(r"(?:[^\S\n]|[.,])*[-–—―]+[^\S\n]*(?=[A-Z])")


def _signed_after_cue(doc: _Doc, span: Span) -> Cue | None:
    """A quotation signed after a dash on its own line: "“…shame.” ― Sonya Herridge" (the
    paragraph ends with the signature, so it is no lead-in to the next quote)."""
    if span.close_mark is None:
        return None
    dash = _SIGNED_AFTER.match(doc.masked, span.close_mark + 1)
    end = doc.paragraphs[span.paragraph][1]
    if dash is None or dash.end() >= end:
        return None
    line = doc.masked.find("\n", dash.end(), end)
    stop = line if line > 0 else end
    signer = doc.masked.find(",", dash.end(), stop)
    subject = phrase_subject(doc.masked, dash.end(), signer if signer > 0 else stop)
    if subject is None or subject.kind != "name":
        return None
    return Cue(subject, doc.text[dash.start() : stop].strip(" .,"), "")


def _signature_cue(doc: _Doc, span: Span) -> Cue | None:
    """A quote-only paragraph signed on the next line: "“…”" then "- Clinton." or
    "—Jane Roe, Dayton, Ohio." names the speaker."""
    if span.close_mark is None or span.paragraph + 1 >= len(doc.paragraphs):
        return None
    if doc.text[span.close_mark + 1 : doc.paragraphs[span.paragraph][1]].strip(" \t.,"):
        return None  # the paragraph goes on after the quote
    a, b = doc.paragraphs[span.paragraph + 1]
    dash = _SIGNATURE.match(doc.masked, a, b)
    if dash is None:
        return None
    signer = doc.masked.find(",", dash.end(), b)
    subject = phrase_subject(doc.masked, dash.end(), signer if signer > 0 else b)
    if subject is None or subject.kind != "name":
        return None
    return Cue(subject, doc.text[a:b].strip(), "")


def _previous_subject(doc: _Doc, paragraph: int) -> Cue | None:
    """A quote-only paragraph after "Carter said that ...": the speaker carries over."""
    _, b = doc.paragraphs[paragraph]
    if paragraph in doc.headings:
        return None
    if doc.german:
        return _carried_cue(doc, doc.sentence_after(b - 1)[0])
    start = doc.sentence_start(b - 1)
    verb = SPEECH_VERB.search(doc.masked, start, b)
    subject = sentence_subject(doc.masked, start, verb.start() if verb else b)
    if subject is None or subject.kind == "nominal":
        return None
    return Cue(subject, "previous paragraph", verb.group() if verb else "")


def _sentence_subject(doc: _Doc, start: int, end: int) -> Cue | None:
    """No speech verb: the quote's own sentence names its source ("Kasich resisted: ...")."""
    subject = subject_left(doc.masked, start, end)
    if subject is None:
        mentions = [m for m in find_mentions(doc.masked, start, end) if not _opens_participle(m)]
        if not mentions:
            return None
        subject = Subject("name", mentions[0].name, mentions[0].role, mentions[0].start)
    return Cue(subject, doc.text[start:end].strip(" :,"), "")


def _opens_participle(mention: Mention) -> bool:
    """Whether ``mention`` is a participle opening its clause ("Reprising one of her lines")."""
    return mention.name.lower().endswith(("ing", "ed")) and " " not in mention.name


def _lead_in_cue(doc: _Doc, paragraph: int) -> Cue | None:
    """``Name posted on X:`` as the paragraph before a quote that opens its paragraph."""
    a, b = doc.paragraphs[paragraph]
    line = doc.masked[a:b].rstrip()
    if not line.endswith(":"):
        return None
    colon = a + len(line) - 1
    start = doc.sentence_start(colon)
    cue = cue_before(doc.masked, start, colon)
    if cue:
        return cue
    mentions = find_mentions(doc.masked, start, colon)
    if mentions:
        first = mentions[0]
        subject = Subject("name", first.name, first.role, first.start)
        return Cue(subject, doc.text[start:colon].strip(), "")
    return None


def _person_like(mention: Mention, speakers: set[str]) -> bool:
    tokens = name_tokens(mention.name)
    if not tokens:
        return False
    if mention.role or tokens[-1] in speakers:
        return True
    return len(tokens) > 1 and not _ORG_WORDS.intersection(tokens)


_QUOTE_MARK = re.compile(r"[“”„\"»«]")


def _resolve(doc: _Doc, subject: Subject, speakers: set[str]) -> Subject | None:
    """A named subject with the fullest name the article uses; pronouns to their antecedent.

    A subject that holds a quotation ('a "xxx xxx"', 'Clinton "…?" former Obama adviser') is
    a misread phrase, not a speaker: the masked quotation would show as a name.
    """
    if _QUOTE_MARK.search(subject.name):
        return None
    if subject.role and _QUOTE_MARK.search(subject.role):
        subject = replace(subject, role=None)
    if subject.kind == "nominal":
        return subject
    if subject.kind == "pronoun":
        if subject.name not in PERSON_PRONOUNS:
            return None
        earlier = bisect.bisect_right(doc.index.ends, subject.start)
        for k in range(earlier - 1, -1, -1):  # no copy of the mentions before: one per pronoun
            mention = doc.mentions[k]
            if _person_like(mention, speakers):
                return _canonical(doc, Subject("name", mention.name, mention.role, mention.start))
        return None
    return _canonical(doc, subject)


_NAME_WORDS = 4


def _canonical(doc: _Doc, subject: Subject) -> Subject:
    tokens = name_tokens(subject.name)
    if not tokens:
        return subject
    best = doc.index.nearest_fuller(tokens, subject.start)
    if best and doc.german and _of_someone(best.name, subject.name):
        best = None  # "das Fazit von Sandra Boser" is not a fuller "Sandra Boser"
    # The nearest fuller name may have a fuller one still ("Blasio" -> "De Blasio" -> "Bill
    # de Blasio"): follow it, so that one person is one actor. A person's name has a few
    # words; a longer capitalised run is a headline ("Hollande Says Donald Trump").
    fuller = best
    while fuller is not None and len(name_tokens(fuller.name)) <= _NAME_WORDS:
        best = fuller
        fuller = doc.index.nearest_fuller(name_tokens(best.name), best.start)
    name = best.name if best else subject.name
    role = subject.role or (best.role if best else None)
    if role is None:
        role = doc.index.first_role(name)
    return Subject("name", name, role, subject.start)


def _of_someone(fuller: str, name: str) -> bool:
    """Whether ``fuller`` is something "von" or "vom" ``name`` rather than a longer form of it
    ("Fazit von Sandra Boser", "Michal Kadlec von Bayer")."""
    at = fuller.find(name.split()[0])
    return at > 0 and fuller[:at].split()[-1:] in (["von"], ["vom"])


def _inherit(quotes: list[FoundQuote], spans: Sequence[Span], doc: _Doc) -> list[FoundQuote]:
    """Give speakerless quotes the speaker of their run, paragraph, or preceding quote."""
    out = list(quotes)
    for i in range(1, len(out)):  # runs across paragraphs, forwards then backwards
        if spans[i - 1].continues and out[i].speaker is None and out[i - 1].speaker:
            out[i] = _copy_speaker(out[i], out[i - 1], "continued quotation")
    for i in range(len(out) - 2, -1, -1):
        if spans[i].continues and out[i].speaker is None and out[i + 1].speaker:
            out[i] = _copy_speaker(out[i], out[i + 1], "continued quotation")
    for i in range(len(out)):
        if out[i].speaker or out[i].kind in ("short", "headline"):
            continue
        same = [j for j in (i - 1, i + 1) if 0 <= j < len(out)]
        for j in same:
            if spans[j].paragraph == spans[i].paragraph and out[j].speaker:
                out[i] = _copy_speaker(out[i], out[j], "same paragraph")
                break
        else:
            opens = not _before(doc, spans[i])
            if (
                opens
                and i
                and spans[i - 1].paragraph == spans[i].paragraph - 1
                and out[i - 1].speaker
            ):
                out[i] = _copy_speaker(out[i], out[i - 1], "previous paragraph")
    return out


def _copy_speaker(quote: FoundQuote, source: FoundQuote, how: str) -> FoundQuote:
    return replace(quote, speaker=source.speaker, speaker_role=source.speaker_role, cue=how)


# Speech verbs only beside a direct quote ("...," he continued); without one they are other
# words ("despite continued support for Ukraine, the leaders...").
_QUOTE_ONLY_VERBS = frozenset({"continued", "continues"})


def _german_statement_subject(doc: _Doc, a: int, b: int, verb: re.Match[str]) -> Subject | None:
    """The speaker of a German sentence of reported speech, read as a quote's lead-in is:
    the speech verb's clause up to its first comma, in German word order ("Dazu sagte der
    Minister, …", "Der Fraktionschef der Grünen, Anton Hofreiter, kritisierte, …")."""
    cue = _german_cue(doc, a, clause_end(doc.masked, verb.end(), b))
    return cue.subject if cue else None


def _statements(
    doc: _Doc, spans: Sequence[Span], kinds: Sequence[QuoteKind], speakers: set[str]
) -> list[tuple[Subject, Statement]]:
    """Reported-speech sentences with their resolved speakers.

    ``kinds`` are the spans' kinds before a quoted title or name was told apart.
    """
    direct_at = sorted(
        {s.open_mark for s, kind in zip(spans, kinds, strict=True) if kind == "direct"}
    )
    paragraph_starts = [p[0] for p in doc.paragraphs]
    found = []
    for a, b in doc.sentences:
        checkpoint()
        first = bisect.bisect_left(direct_at, a)
        if first < len(direct_at) and direct_at[first] < b:
            continue  # a sentence holding a direct quote is not reported speech
        if bisect.bisect_right(paragraph_starts, a) - 1 in doc.headings:
            continue
        for verb in SPEECH_VERB.finditer(doc.masked, a, b):
            if doc.masked[verb.start() - 1] == "-" or verb.group().lower() in _QUOTE_ONLY_VERBS:
                continue
            subject = _german_statement_subject(doc, a, b, verb) if doc.german else None
            subject = subject or statement_subject(doc.masked, a, verb)
            resolved = _resolve(doc, subject, speakers) if subject else None
            if resolved:
                found.append((resolved, Statement(doc.text[a:b], a, b, verb.group())))
                break
        else:
            carried = _konjunktiv_statement(doc, a, b, speakers)
            if carried:
                found.append(carried)
    return found


def _konjunktiv_statement(
    doc: _Doc, a: int, b: int, speakers: set[str]
) -> tuple[Subject, Statement] | None:
    """German: a sentence that reports speech by its Konjunktiv alone ("Die Studie zeige,
    dass …", "Damit sei der Weg frei") goes on with the source of the run it belongs to, as
    a quotation in it would."""
    if not doc.german or not only_konjunktiv(doc.masked, a, b):
        return None
    cue = _carried_cue(doc, a)
    resolved = _resolve(doc, cue.subject, speakers) if cue else None
    return (resolved, Statement(doc.text[a:b], a, b, "")) if resolved else None


def _actors(
    quotes: Sequence[FoundQuote],
    statements: Sequence[tuple[Subject, Statement]],
    doc: _Doc,
) -> tuple[Actor, ...]:
    order: list[str] = []
    names: dict[str, str] = {}
    roles: dict[str, str | None] = {}
    by_quotes: dict[str, list[FoundQuote]] = {}
    by_statements: dict[str, list[Statement]] = {}
    items: list[tuple[int, str, str | None, FoundQuote | Statement]] = [
        (q.start, q.speaker, q.speaker_role, q) for q in quotes if q.speaker
    ]
    items += [(s.start, subj.name, subj.role, s) for subj, s in statements]
    for _, name, role, item in sorted(items, key=lambda t: t[0]):
        key = " ".join(name_tokens(name)) or name.lower()
        if key not in names:
            order.append(key)
            names[key], roles[key] = name, role
        roles[key] = roles[key] or role
        if isinstance(item, FoundQuote):
            by_quotes.setdefault(key, []).append(item)
        else:
            by_statements.setdefault(key, []).append(item)
    actors = []
    for key in order:
        aliases = doc.index.aliases(names[key], key)
        actors.append(
            Actor(
                names[key],
                roles[key],
                tuple(aliases),
                tuple(by_quotes.get(key, ())),
                tuple(by_statements.get(key, ())),
            )
        )
    return tuple(actors)


_LONG_QUOTE = 10  # words: this long and in lower case, a quotation is words, not a name


def _spoken(doc: _Doc, span: Span, kind: QuoteKind, *, judgement: bool = True) -> bool:
    """German quoted words by their own shape: the first person, "dass", a judgement after
    "als", or a direct quote that is a clause of its own ("„Ja, es gibt Zumutungen“")."""
    quoted = doc.text[span.start : span.end]
    before = _before(doc, span)
    clause = kind == "direct" and ", " in quoted
    after = doc.text[span.close_mark + 1 : span.close_mark + 40] if span.close_mark else ""
    return sounds_spoken(quoted, before, after, judgement=judgement) or clause


def _one_german_word(doc: _Doc, span: Span) -> bool:
    """German: one quoted word is a term even beside a speech verb ("schlug vor,
    „Zwangsheiraten“ als Straftat anzuerkennen")."""
    return doc.german and len(doc.text[span.start : span.end].split()) == 1


_LIST_GAP = re.compile(r"\s*(?:,|;|oder|und|sowie|bzw\.)\s*")


def _listed_after_a_name(
    doc: _Doc, spans: Sequence[Span], found: Sequence[FoundQuote], i: int
) -> bool:
    """German: a quotation listed right after a quoted name or term is another of them."""
    close = spans[i - 1].close_mark if i else None
    if close is None or found[i - 1].kind != "short":
        return False
    span = spans[i]
    quoted = doc.text[span.start : span.end]
    listed = _LIST_GAP.fullmatch(doc.text, close + 1, span.open_mark)
    return bool(listed) and len(quoted.split()) <= 12 and quoted[-1:] not in ".!?…"


def _not_speech(doc: _Doc, span: Span, kind: QuoteKind) -> bool:
    """German: a quoted phrase inside a sentence that reports no speech names or marks a term
    ("die Organisation „Ärzte ohne Grenzen“", "unter dem Motto „…“")."""
    if kind == "headline" or not doc.german:
        return False
    quoted, before = doc.text[span.start : span.end], _before(doc, span)
    if _spoken(doc, span, kind):
        return False
    after = doc.text[span.close_mark + 1 : span.close_mark + 80] if span.close_mark else ""
    if names_something(doc.text, span.start, span.end, before, after):
        return True
    a, b = doc.sentence(span.open_mark)
    words = len(quoted.split())
    if is_reported(doc.masked, a, b) or (words >= _LONG_QUOTE and quoted[:1].islower()):
        return False
    return kind == "partial" or (words <= 8 and quoted[-1] not in ".!?…")


def analyze(text: str, *, language: str | None = None) -> Attribution:
    """Find the quotes in ``text``, who said them, and who is reported as saying what.

    Deterministic and offline: rules over the text, no model and no network.

    Args:
        language: The article's ISO 639-1 code ("en", "de", "de-AT"); detected from the text
            if not given. It picks the rules for that language's sentence order.
    """
    language = (language or detect_language(text)).lower().replace("_", "-").split("-")[0]
    paragraphs = paragraph_bounds(text)
    spans = find_spans(text, paragraphs)
    masked = mask_datelines(mask_quotes(text, spans))
    sentences = split_sentences(masked, paragraphs)
    if language == "en":
        masked = lower_openers(masked, sentences)
    doc = _Doc(
        text,
        masked,
        paragraphs,
        german_sentences(masked, sentences) if language == "de" else sentences,
        find_mentions(masked),
        _headings(text, paragraphs),
        language,
    )
    kinds = [_kind(doc, span) for span in spans]
    cues = [_cue_for(doc, spans, i, kinds[i]) for i in range(len(spans))]
    speakers = {
        name_tokens(c.subject.name)[-1]
        for c in cues
        if c and c.subject.kind == "name" and name_tokens(c.subject.name)
    }
    quotes: list[FoundQuote] = []
    for i, (span, kind, cue) in enumerate(zip(spans, kinds, cues, strict=True)):
        subject = _resolve(doc, cue.subject, speakers) if cue else None
        if kind in SPEECH_KINDS and doc.german and _spoken(doc, span, kind, judgement=False):
            pass  # German quoted words, whatever their shape
        elif kind in SPEECH_KINDS and doc.german and _listed_after_a_name(doc, spans, quotes, i):
            kind = "short"  # "darunter „…“, „…“", "(„Hartz IV“, „Rente mit 67“)": one list
        elif (
            kind != "headline"
            and _is_name(doc, span)
            and (kind == "short" or not (cue and cue.verb))
        ):
            kind = "short"  # a quoted title or name, not quoted words
        elif _not_speech(doc, span, kind):
            kind = "short"
        elif kind == "short" and cue and cue.verb and not _one_german_word(doc, span):
            kind = "partial"  # "calling it “completely premature”": quoted words, not a scare quote
        quotes.append(
            FoundQuote(
                text[span.start : span.end],
                span.start,
                span.end,
                subject.name if subject else None,
                subject.role if subject else None,
                cue.text if cue else None,
                kind,
                span.continues,
            )
        )
    quotes = _inherit(quotes, spans, doc)
    statements = _statements(doc, spans, kinds, speakers)
    return Attribution(tuple(quotes), _actors(quotes, statements, doc), text, language)
