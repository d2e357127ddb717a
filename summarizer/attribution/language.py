"""Which language an article is written in: an ISO 639-1 code, detected offline.

py3langid's naive Bayes model ships inside its wheel (97 languages, no download); reading the
first few thousand characters is as accurate on news as reading all of it, and keeps the cost
bounded whatever the article's length.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["LANGUAGE_NAMES", "detect_language", "language_name"]

_SAMPLE = 600  # characters read: 100% right on both dev sets (README), about 1 ms

LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "hu": "Hungarian",
    "ro": "Romanian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}
"""English names of the languages a prompt is most likely to be asked to write in."""


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # numpy: loaded on first use

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in ("en", "de", ...).

    Text with no letters (nothing to go by) counts as English, the engine's first language.
    """
    sample = text[:_SAMPLE]
    if not any(c.isalpha() for c in sample):
        return "en"
    code, _ = _identifier().classify(sample)
    return str(code)


def language_name(code: str) -> str:
    """The English name of a language code ("de" -> "German"); the code if it is not listed."""
    return LANGUAGE_NAMES.get(code, code)
