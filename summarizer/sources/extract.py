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
from pathlib import Path
from typing import BinaryIO

import trafilatura
from charset_normalizer import from_bytes
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from summarizer.errors import InputError
from summarizer.schema import Article

__all__ = [
    "HTML_SUFFIXES",
    "MAX_FILE_BYTES",
    "MIN_ARTICLE_WORDS",
    "article_from_bytes",
    "article_from_text",
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


def decode_bytes(data: bytes, *, source: str, declared: str | None = None) -> str:
    """Decode text of unknown encoding, or raise an InputError saying how to fix it.

    Tries, in order: a byte-order mark, UTF-8, the ``declared`` charset (an HTTP header or an
    HTML ``<meta>``), then charset detection. NUL bytes or a known file signature mean binary.

    Args:
        data: The raw bytes.
        source: The file or URL, for the error message.
        declared: A charset the container claims, if any.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_or_raise(data, codec, source)
    _reject_binary(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared is None and looks_like_html(data[:_SNIFF].decode("ascii", "ignore")):
        match = _META_CHARSET.search(data[:_SNIFF])
        declared = match.group(1).decode("ascii") if match else None
    if declared and _known_codec(declared):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(
            "not UTF-8 and its encoding could not be detected; re-save it as UTF-8 "
            "(e.g. `iconv -f WINDOWS-1252 -t UTF-8`).",
            source=source,
        )
    return _decode_or_raise(data, best.encoding, source)


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
    where = source or url or "HTML"
    if isinstance(html, bytes):
        html = decode_bytes(html, source=where)
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
) -> Article:
    """Read one article from a text, Markdown or HTML file, or from stdin when path is ``-``.

    HTML (by suffix, or sniffed from the content) goes through :func:`extract_html`; anything
    else is taken as the article's plain text.

    Args:
        path: A file path, or ``-`` for standard input.
        stdin: The binary stream to read for ``-`` (default ``sys.stdin.buffer``).
        max_bytes: Refuse inputs larger than this.

    Raises:
        InputError: Missing, unreadable, empty, binary, undecodable or too large input, or HTML
            with no article text.
    """
    if os.fspath(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        return article_from_bytes(data, source="<stdin>", max_bytes=max_bytes)
    file = Path(path)
    data = _read_file(file, max_bytes)
    is_html = True if file.suffix.lower() in HTML_SUFFIXES else None  # others are sniffed
    article = article_from_bytes(data, source=str(file), max_bytes=max_bytes, html=is_html)
    return article.model_copy(update={"id": article.id or file.name})


def article_from_bytes(
    data: bytes, *, source: str, max_bytes: int = MAX_FILE_BYTES, html: bool | None = None
) -> Article:
    """Build an Article from raw bytes: HTML is extracted, anything else is plain text.

    Args:
        data: The raw content.
        source: Where it came from, for error messages.
        max_bytes: Refuse content larger than this.
        html: Force HTML (True) or plain text (False); None sniffs the content.
    """
    if len(data) > max_bytes:
        raise InputError(
            f"larger than {max_bytes // (1024 * 1024)} MiB; is this really one article?",
            source=source,
        )
    if not data.strip():
        what = "empty" if not data else "blank (whitespace only)"
        raise InputError(f"the input is {what}; there is no article to read.", source=source)
    text = decode_bytes(data, source=source)
    if html or (html is None and looks_like_html(text)):
        return extract_html(text, source=source)
    return article_from_text(text, source=source)


def article_from_text(text: str, *, source: str) -> Article:
    """Wrap plain text as an Article, refusing text that is empty once stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InputError("the text is empty; there is no article to read.", source=source)
    return Article(text=text)


def _read_file(file: Path, max_bytes: int) -> bytes:
    try:
        if file.is_dir():
            raise InputError(
                "is a directory; pass one article file, or run a batch over the folder.",
                source=str(file),
            )
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"is {size / 1024 / 1024:.1f} MiB, over the {max_bytes // (1024 * 1024)} MiB "
                "limit for one article; is this an archive? Run a batch over it instead.",
                source=str(file),
            )
        with file.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file; check the path.", source=str(file)) from None
    except PermissionError:
        raise InputError(
            "permission denied; check the file's permissions.", source=str(file)
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}.", source=str(file)) from exc


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
    except (UnicodeDecodeError, LookupError):
        raise InputError(
            f"cannot be decoded as {codec}; re-save it as UTF-8.", source=source
        ) from None


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
    blocks = [xmltotxt(block, False).strip() for block in doc.body]
    blocks = [block for block in blocks if block]
    if blocks and doc.title and _same_words(blocks[0], doc.title):
        blocks = blocks[1:]
    return "\n\n".join(blocks)


def _same_words(a: str, b: str) -> bool:
    return a.split() == b.split()
