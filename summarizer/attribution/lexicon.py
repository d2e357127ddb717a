"""Word lists the rules read: speech verbs, titles, pronouns, function words (en, de)."""

from __future__ import annotations

import functools
import re

__all__ = [
    "DE_SPEECH_VERBS",
    "FUNCTION_WORDS",
    "HONORIFICS",
    "PRONOUNS",
    "ROLE_NOUNS",
    "SPEECH_VERB",
    "TITLE_WORDS",
    "is_title",
    "words",
]


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: word lists stay readable as paragraphs."""
    return frozenset(text.split())


_EN_VERBS = """
said says say saying stated told tells telling warned warns warning stressed stresses
emphasized emphasised emphasizes emphasises argued argues arguing called calling calls
insisted insists posted posts urged urges noted notes added adds claimed claims explained
explains asked asks wrote writes tweeted tweets declared declares announced announces
acknowledged acknowledges admitted admits suggested suggests continued replied replies
responded responds remarked recalled predicted promised pledged vowed demanded contended
countered conceded observed maintained asserted complained charged agreed testified joked
quipped reiterated reiterates described describing blasted slammed criticized criticised
praised lamented conceded recounted confirmed denied denies stated explained writing
according pressed answered opined described describes cited quoted wondered
boasted bragged retorted cautioned echoed summed reasoned interjected chimed texted emailed
proclaimed thundered confided alleged revealed disclosed hinted touted hailed mocked tweeted
shouted yelled exclaimed concluded reads read saying telling arguing adding noting insisting
warning explaining writing asking urging stressing claiming asserting reported reports
assured assures responds indicated mocked accused predicting promising vowing
write continues fumed scoffed sniffed snapped griped groused mused marveled marvelled beamed gushed
concludes recalls remembered remembers contends concedes observes asserts complains predicts
laments boasts retorts cautions quips jokes exhorted
"""
_DE_VERBS = """
sagte sagt sagten sagen erklärte erklärt erklärten betonte betont betonten meinte meint
kritisierte kritisiert forderte fordert warnte warnt schrieb schreibt bekräftigte äußerte
äußert verkündete verkündet bestätigte bestätigt behauptete behauptet antwortete antwortet
ergänzte ergänzt unterstrich unterstreicht kommentierte kommentiert mahnte mahnt fügte
teilte teilt sprach spricht zitierte zitiert hieß heißt berichtete berichtet laut zufolge
erläuterte erläutert kündigte versicherte versichert räumte verwies verweist bezeichnete
bezeichnet nannte nennt schätzte appellierte twitterte
rief ruft riefen riet rät schrieben sprachen wies weist verwiesen unterstrichen beschrieb
beschreibt bestritt bestreitet empfiehlt empfahl empfahlen verspricht versprach bat baten
warb wirbt bekanntgegeben bekanntgab bekanntgaben gesagt mitgeteilt hinzugefügt eingeräumt
widersprach widerspricht widersprachen verriet verrät gestand gesteht schrie verlautete
"""
# Weak verbs of saying, judging and asking: each stem gives its past, present and participle
# ("begründ" -> begründete, begründet, begründeten, begründen).
_DE_WEAK_STEMS = """
begründ konstatier attackier würdig lob tadel bedauer beklag klag frag bemängel beanstand
bezweifel zweifel resümier bilanzier prophezei ankündig sicher erinner skandier kontert
reagier entgegn wiederhol präzisier bekenn dementier vermut mutmaß
prognostizier schilder verteidig beschwer protestier verlang beteuer bekräftig
kritisier bestätig erläuter ergänz verkünd kommentier zitier twitter appellier schätz
hoff feier begrüß pranger vereinbar bewert beurteil verurteil äußer charakterisier
erwider bemerk ermahn monier rüg spott scherz seufz erzähl argumentier beharr
dräng folger leugn enthüll
"""


def _weak_forms(stems: str) -> str:
    def forms(stem: str) -> list[str]:
        e = "e" if stem.endswith(("d", "t", "chn", "gn")) else ""
        infinitive = f"{stem}n" if stem.endswith(("er", "el")) else f"{stem}en"
        return [f"{stem}{e}te", f"{stem}{e}t", f"{stem}{e}ten", infinitive]

    return " ".join(form for stem in stems.split() for form in forms(stem))


_DE_VERBS += _weak_forms(_DE_WEAK_STEMS)
DE_SPEECH_VERBS = words(_DE_VERBS)
"""The German speech verbs, whose subject may follow them (V2: "Dazu sagte Müller")."""
_EN_PHRASES = ("shot back", "fired back", "pushed back", "went on", "chimed in", "barked")


def _by_first_letter(alternatives: list[str]) -> str:
    """``a|b|c`` regex alternation factored by first letter, order kept within each letter.

    "said|stated|told" becomes "s(?:aid|tated)|t(?:old)": the same matches (only words that
    share a first letter can compete, and their order is kept), but the regex engine tests one
    letter per group instead of every word at every position, several times faster.
    """
    groups: dict[str, list[str]] = {}
    for word in alternatives:
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


# German verbs of saying whose particle ends the clause ("führte das Gericht aus, dass",
# "gab die Anwältin an, dass", "stellte er klar:"): a speech verb only with its particle.
_DE_SEPARABLE = {
    "führt führte führten": "aus",
    "gab gaben gibt": "an",
    "stellt stellte stellten": "fest|klar",
    "hob hoben hebt": "hervor",
    "merkt merkte merkten": "an",
    "deutete deutet deuteten": "an",
    "legte legt legten": "dar",
    "hielt hält hielten": "fest|entgegen",
    "schlug schlägt schlugen": "vor",
    "warf wirft warfen": "vor",
    "wandte wandten": "ein",
}


def _separable() -> str:
    """Each finite form, followed in its clause by its particle before a comma, colon,
    quotation mark or stop."""
    return "|".join(
        rf"{form}(?=[^.:;!?„“”\"»«]{{0,80}}?\s(?:{particles})(?=\s*[,:.„“”\"»«]))"
        for forms, particles in _DE_SEPARABLE.items()
        for form in forms.split()
    )


SPEECH_VERB = re.compile(
    r"\b("
    + _by_first_letter(
        sorted(words(_EN_VERBS + _DE_VERBS) | set(_EN_PHRASES), key=len, reverse=True)
    )
    + "|"
    + _separable()
    + r")\b"
)
"""A speech or attribution verb; "laut" and "zufolge" are German attribution particles."""

TITLE_WORDS = words(
    """
    president vice prime minister chancellor sen senator rep representative gov governor
    secretary general mayor judge justice ceo chairman chairwoman chair director spokesman
    spokeswoman spokesperson leader speaker ambassador commissioner attorney chief king queen
    pope premier pm mp mep adviser advisor aide candidate nominee frontrunner front-runner
    envoy councillor councilman councilwoman officer official lawmaker sheriff lt col gen
    adm sgt capt commander founder deputy executive manager professor prof head economist
    analyst strategist pollster minority majority whip treasurer anchor host reporter
    coordinator administrator superintendent inspector rabbi bishop cardinal archbishop
    kanzler kanzlerin präsident präsidentin minister ministerin sprecher sprecherin chef
    chefin vorsitzende vorsitzender bürgermeister bürgermeisterin abgeordnete abgeordneter
    richter richterin generalsekretär ministerpräsident ministerpräsidentin senator arzt ärztin
    editor prince princess
    """
)
"""Lower-cased words that make the words before a name a role ("German Chancellor")."""

_DE_TITLE_SUFFIXES = (
    "minister",
    "ministerin",
    "kanzler",
    "kanzlerin",
    "präsident",
    "präsidentin",
    "sprecher",
    "sprecherin",
    "chef",
    "chefin",
    "vorsitzende",
    "vorsitzender",
    "meister",
    "meisterin",
    "senator",
    "senatorin",
    "sekretär",
    "direktor",
    "direktorin",
    "experte",
    "expertin",
    "leiter",
    "leiterin",
    "stadtrat",
    "stadträtin",
    "anwalt",
    "anwältin",
    "beauftragte",
    "beauftragter",
    "kommissar",
    "kommissarin",
    "botschafter",
    "botschafterin",
    "dezernent",
    "dezernentin",
    "referent",
    "referentin",
    "trainer",
    "trainerin",
    "richterin",
    "arzt",
    "ärztin",
    "kandidat",
    "kandidatin",
    "landrat",
    "landrätin",
    "sekretärin",
)

HONORIFICS = words("mr mrs ms miss dr sir dame herr frau dr.")
"""Dropped from names and not kept as roles."""

PRONOUNS = words("he she they we i it er sie wir ich es")
PERSON_PRONOUNS = words("he she er sie")

ROLE_NOUNS = words(
    """
    spokesman spokeswoman spokesperson official officials aide aides adviser advisers
    campaign report statement source sources analyst analysts expert experts critics
    supporters police authorities ministry department committee group agency spokespeople
    representative representatives lawyer lawyers attorney memo letter study poll survey
    document release statement government administration office friend friends colleague
    colleagues wife husband mother father son daughter brother sister neighbor neighbour
    resident residents voter voters supporter member members staffer witness man woman
    person people scientist consultant researcher economist editorial newspaper paper
    magazine website post tweet poll pollster survey lawyers judge prosecutors prosecutor
    headline ad advertisement video blog blogger column columnist activist activists
    """
)
"""Lower-case head nouns of nominal speakers ("a White House spokesman", "the report")."""

FUNCTION_WORDS = words(
    """
    zero one two three four five six seven eight nine ten dozens hundreds thousands
    the a an and but or nor however in on at of for to from by with without he she it they we
    i you this that these those while when where after before as if despite meanwhile also
    still yet so then there here his her its their our my your what who which why how not no
    yes all some many most more one two three first last next new old other such both each
    even just only though although because since until unless once now today yesterday
    tomorrow tonight monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december following
    according under over into about among between during through against
    der die das ein eine einer eines einem einen dem den des er sie es wir ich ihr auch laut
    nach wie so am im zum zur bei mit für auf dies diese dieser dieses aber und oder doch
    dass weil wenn als da dann noch nun heute gestern morgen man sein seine ihre unser
    montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz juni juli
    oktober dezember vor seit zu von vom aus über unter gegen ohne um bis durch hier dort
    later earlier instead separately afterward afterwards moreover furthermore indeed another
    amid much
    damit dazu daraufhin hierzu zudem außerdem danach dann deshalb daher jedoch trotzdem
    dennoch zuvor bereits inzwischen jetzt ebenfalls allerdings zugleich gleichzeitig bisher
    anschließend dabei darüber zuletzt erst erstmals kürzlich unterdessen derzeit zwar
    insgesamt tatsächlich demnach dadurch deswegen somit zunächst schließlich letztlich
    ebenso außer wer was wo warum wann welche welcher welches dies diesem diesen jedem jeder
    sein seine seiner seinem seinen ihre ihrer ihrem ihren unsere allerlei beide alle viele
    """
)
"""Lower-cased words that a capitalised run never starts with, and speakers never are."""


@functools.lru_cache(maxsize=16384)
def is_title(word: str) -> bool:
    """Whether a word is a title or role word, including German compounds ("Außenminister")."""
    low = word.lower().strip(".,")
    if low in TITLE_WORDS:
        return True
    tail = low.rsplit("-", 1)[-1]
    if tail in TITLE_WORDS:
        return True
    # German compounds, also in the genitive ("des Regierungssprechers", "Ministerpräsidenten")
    stems = (low, low.removesuffix("s"), low.removesuffix("en"), low.removesuffix("n"))
    return len(low) > 6 and any(stem.endswith(_DE_TITLE_SUFFIXES) for stem in stems)
