"""Turn a file, stdin or an HTML page into an Article: decoding, sniffing and trafilatura.

Plain text is kept as it is. HTML goes through trafilatura for the main article text, title and
date; the text keeps one paragraph per block, blank-line separated, with the words (and the
quotation marks) exactly as the page has them, so that quotes can be checked verbatim later.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from summarizer.errors import ConfigError, InputError
from summarizer.schema import Article

if TYPE_CHECKING:  # trafilatura (with lxml) is the slowest import here: only HTML loads it
    from trafilatura.settings import Document

__all__ = [
    "HTML_SUFFIXES",
    "MAX_FILE_BYTES",
    "MIN_ARTICLE_WORDS",
    "Decoded",
    "article_from_bytes",
    "article_from_text",
    "check_encoding",
    "decode_bytes",
    "extract_html",
    "looks_like_html",
    "read_article",
]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MAX_FILE_BYTES = 20 * 1024 * 1024
# Fewer words than this out of a page is a menu or a cookie notice that trafilatura fell back
# on, not an article.
MIN_ARTICLE_WORDS = 10
_SNIFF = 4096

_HTML_START = re.compile(r"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<(p|div|span|br|article|section|main|h[1-6]|ul|ol|li|table|a|b|i|em|strong|blockquote)\b"
    r"[^>]*>",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_MAGIC = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "gzip-compressed",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


def looks_like_html(text: str) -> bool:
    """Whether text is HTML: a document start, or markup from its first character.

    Plain text that merely contains a ``<`` (``x < y``) is not HTML.
    """
    head = text[:_SNIFF].lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return False
    return bool(_HTML_START.match(head) or _HTML_TAG.search(head))


class Decoded(NamedTuple):
    """Text decoded from bytes, and how.

    Attributes:
        text: The decoded text.
        encoding: The codec used (Python's name for it, e.g. ``utf-8``, ``cp1252``).
        guessed: True when nothing declared the encoding (no byte-order mark, no charset
            from the server or the page, no ``encoding`` argument) and the bytes were not
            UTF-8: the caller should say which encoding was assumed.
        source: The file or URL, for messages.
    """

    text: str
    encoding: str
    guessed: bool
    source: str

    def note(self) -> str:
        """One line telling the user which encoding was assumed and how to change it."""
        other = "cp1250" if self.encoding == "cp1252" else "cp1252"
        return (
            f"note: {self.source}: not UTF-8 and no charset declared; assumed {self.encoding}. "
            f"If accents look wrong, pass --encoding (e.g. --encoding {other})."
        )


# Text that decodes cleanly as Western European is taken as such when the detector finds
# other encodings no better: Latin-1 / Windows-1252 is by far the most common legacy
# encoding of news text, and the detector alone cannot tell French from Czech on a few
# accented letters (it once took Latin-1 French for cp1250: Hélène -> Hélčne).
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "iso8859_14"})
_OBSCURE = re.compile(r"mac_\w+|cp(?:037|273|424|437|500|7\d\d|8[0-6]\d|1006|1026|1125|1140)")


def decode_bytes(
    data: bytes, *, source: str, encoding: str | None = None, declared: str | None = None
) -> Decoded:
    """Decode text of unknown encoding, or raise an InputError saying how to fix it.

    Tries, in order: the ``encoding`` given, a byte-order mark, UTF-8, the ``declared``
    charset (an HTTP header or an HTML ``<meta>``), Windows-1252 (a superset of Latin-1)
    when the text decodes cleanly in it and the detector finds nothing more likely, then the
    detector's best guess. NUL bytes or a known file signature mean binary.

    Args:
        data: The raw bytes.
        source: The file or URL, for messages.
        encoding: The encoding the user says the bytes are in; no guessing then.
        declared: A charset the container claims, if any.

    Raises:
        InputError: Binary data, or bytes that do not decode.
        ConfigError: ``encoding`` is not a codec Python knows.
    """
    if encoding is not None:
        return Decoded(
            _decode_or_raise(data, check_encoding(encoding), source), encoding, False, source
        )
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return Decoded(_decode_or_raise(data, codec, source), codec, False, source)
    _reject_binary(data, source)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False, source)
    except UnicodeDecodeError:
        pass
    if declared is None and looks_like_html(data[:_SNIFF].decode("ascii", "ignore")):
        match = _META_CHARSET.search(data[:_SNIFF])
        declared = match.group(1).decode("ascii") if match else None
    if declared and _known_codec(declared):
        try:
            return Decoded(data.decode(declared), declared, False, source)
        except UnicodeDecodeError:
            pass
    guess = _guess(data)
    if guess is None:
        raise InputError(
            "not UTF-8 and its encoding could not be detected; pass --encoding, or re-save it "
            "as UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8`).",
            source=source,
        )
    return Decoded(_decode_or_raise(data, guess, source), guess, True, source)


def _guess(data: bytes) -> str | None:
    """Windows-1252 when the text decodes cleanly in it, the detector finds it plausible and
    rates no common encoding's reading as more coherent; else the detector's best guess; None
    when nothing fits. DOS and Mac code pages do not compete with Western: on a page with
    three accented letters the detector once preferred cp775 (Baltic DOS), which no newsroom
    writes in."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    western = [m.coherence for m in matches if _WESTERN & set(m.could_be_from_charset)]
    if western and _clean(data, "cp1252"):
        rivals = [
            m.coherence
            for m in matches
            if not _WESTERN & set(m.could_be_from_charset) and not _OBSCURE.fullmatch(m.encoding)
        ]
        if max(rivals, default=0.0) <= max(western):
            return "cp1252"
    best = matches[0].encoding if matches else None
    if best and _CJK.match(best) and _mostly_ascii(data) and _clean(data, "cp1252"):
        # A short Western text with a few accents can read as a Chinese or Japanese
        # double-byte code to the detector (seen: big5hkscs for "Hélène ... coût"); real CJK
        # text is never nine-tenths ASCII.
        return "cp1252"
    return best


_CJK = re.compile(r"big5|gb|hz|euc|shift_jis|cp932|cp936|cp949|cp950|iso2022|johab", re.I)


def _mostly_ascii(data: bytes) -> bool:
    return sum(b < 0x80 for b in data) >= 0.9 * len(data)


def _clean(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def extract_html(
    html: str | bytes, *, source: str | None = None, url: str | None = None
) -> Article:
    """Extract the main article from an HTML page with trafilatura.

    Args:
        html: The page, as text or as raw bytes (decoded with :func:`decode_bytes`).
        source: Where the page came from (file, URL, archive), for error messages.
        url: The page's address, stored on the article unless the page names a canonical one.

    Raises:
        InputError: The page holds no article text (an index page, a paywall, a script shell).
    """
    import trafilatura
    from trafilatura.settings import Document

    where = source or url or "HTML"
    if isinstance(html, bytes):
        html = decode_bytes(html, source=where).text
    if not html.strip():
        raise InputError("the HTML is empty; there is no article to extract.", source=where)
    with warnings.catch_warnings():
        # Date parsing deep inside trafilatura warns about odd time zones; not ours to fix.
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    text = _body_text(doc) if isinstance(doc, Document) else ""
    if not isinstance(doc, Document) or len(text.split()) < MIN_ARTICLE_WORDS:
        raise InputError(
            "no article text found in the HTML (an index page, a paywall, or a page built by "
            "JavaScript?); save the article's text and pass that instead.",
            source=where,
        )
    return Article(
        text=text,
        title=doc.title or None,
        date=doc.date or None,
        url=doc.url or url,
        source=doc.sitename or None,
    )


def read_article(
    path: str | os.PathLike[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    encoding: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Article:
    """Read one article from a text, Markdown or HTML file, or from stdin when path is ``-``.

    HTML (by suffix, or sniffed from the content) goes through :func:`extract_html`; anything
    else is taken as the article's plain text.

    Args:
        path: A file path, or ``-`` for standard input.
        stdin: The binary stream to read for ``-`` (default ``sys.stdin.buffer``).
        max_bytes: Refuse inputs larger than this.
        encoding: The file's encoding; by default it is decoded as :func:`decode_bytes` says.
        notify: Receives one line when the encoding had to be guessed (see ``Decoded.note``).

    Raises:
        InputError: Missing, unreadable, empty, binary, undecodable or too large input, or HTML
            with no article text.
    """
    if os.fspath(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        return article_from_bytes(
            data, source="<stdin>", max_bytes=max_bytes, encoding=encoding, notify=notify
        )
    file = Path(path)
    data = _read_file(file, max_bytes, os.fspath(path))
    is_html = True if file.suffix.lower() in HTML_SUFFIXES else None  # others are sniffed
    article = article_from_bytes(
        data,
        source=os.fspath(path),
        max_bytes=max_bytes,
        html=is_html,
        encoding=encoding,
        notify=notify,
    )
    return article.model_copy(update={"id": article.id or file.name})


def article_from_bytes(
    data: bytes,
    *,
    source: str,
    max_bytes: int = MAX_FILE_BYTES,
    html: bool | None = None,
    encoding: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Article:
    """Build an Article from raw bytes: HTML is extracted, anything else is plain text.

    Args:
        data: The raw content.
        source: Where it came from, for error messages.
        max_bytes: Refuse content larger than this.
        html: Force HTML (True) or plain text (False); None sniffs the content.
        encoding: The content's encoding; by default :func:`decode_bytes` decides.
        notify: Receives one line when the encoding had to be guessed.
    """
    if len(data) > max_bytes:
        raise InputError(
            f"larger than {max_bytes // (1024 * 1024)} MiB; is this really one article?",
            source=source,
        )
    if not data.strip():
        what = "empty" if not data else "blank (whitespace only)"
        raise InputError(f"the input is {what}; there is no article to read.", source=source)
    decoded = decode_bytes(data, source=source, encoding=encoding)
    if decoded.guessed and notify is not None:
        notify(decoded.note())
    text = decoded.text
    if html or (html is None and looks_like_html(text)):
        return extract_html(text, source=source)
    return article_from_text(text, source=source)


def article_from_text(text: str, *, source: str) -> Article:
    """Wrap plain text as an Article, refusing text that is empty once stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InputError("the text is empty; there is no article to read.", source=source)
    return Article(text=text)


def _read_file(file: Path, max_bytes: int, shown: str) -> bytes:
    """The file's bytes; errors name it as the user wrote it (Path folds ``a//b`` to ``a/b``)."""
    try:
        if file.is_dir():
            raise InputError(
                "is a directory; pass one article file, or run a batch over the folder.",
                source=shown,
            )
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"is {size / 1024 / 1024:.1f} MiB, over the {max_bytes // (1024 * 1024)} MiB "
                "limit for one article; is this an archive? Run a batch over it instead.",
                source=shown,
            )
        with file.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file; check the path.", source=shown) from None
    except PermissionError:
        raise InputError("permission denied; check the file's permissions.", source=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}.", source=shown) from exc


def _reject_binary(data: bytes, source: str) -> None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(
                f"looks like {kind}, not text or HTML; convert it to text first "
                "(e.g. `pdftotext` for a PDF).",
                source=source,
            )
    if b"\x00" in data[:_SNIFF]:
        raise InputError(
            "looks like a binary file (it contains NUL bytes), not text or HTML; convert it "
            "to UTF-8 text first.",
            source=source,
        )


def _decode_or_raise(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot be decoded as {codec} (byte {data[exc.start]:#04x} at offset {exc.start}); "
            "pass the right --encoding, or re-save it as UTF-8.",
            source=source,
        ) from None


def check_encoding(name: str) -> str:
    """The encoding name, if Python knows it.

    Raises:
        ConfigError: It does not; the message names a few that it does.
    """
    if not _known_codec(name):
        raise ConfigError(
            f"unknown encoding {name!r}; use a name Python knows, e.g. utf-8, cp1252, latin-1 "
            "or cp1250."
        )
    return name


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _body_text(doc: Document) -> str:
    """One paragraph per block of trafilatura's tree, blank-line separated.

    trafilatura's own text output puts one newline between paragraphs and line breaks alike;
    converting block by block keeps the paragraph structure readers (and the model) rely on.
    A leading heading that repeats the title is dropped: the title has its own field.
    """
    from trafilatura.xml import xmltotxt

    blocks = [xmltotxt(block, False).strip() for block in doc.body]
    blocks = [block for block in blocks if block]
    if blocks and doc.title and _same_words(blocks[0], doc.title):
        blocks = blocks[1:]
    return "\n\n".join(blocks)


def _same_words(a: str, b: str) -> bool:
    return a.split() == b.split()
