"""Fetch a news page over HTTP and extract its article: bounded in time, size and redirects.

Every failure a user can meet with a URL (bad address, no connection, timeout, HTTP error,
a PDF instead of a page, a page too large, a page with no article) is an InputError naming the
URL and what to do about it.
"""

from __future__ import annotations

import email.message
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.config import redact_url
from summarizer.errors import InputError
from summarizer.schema import Article
from summarizer.sources.extract import article_from_text, decode_bytes, extract_html, read_article

if TYPE_CHECKING:  # a file or stdin needs no HTTP client: only a URL loads it
    import httpx2

__all__ = [
    "MAX_PAGE_BYTES",
    "TIMEOUT",
    "Page",
    "fetch_article",
    "fetch_page",
    "is_url",
    "load_article",
    "user_agent",
]

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 10 * 1024 * 1024
TIMEOUT = 20.0
MAX_REDIRECTS = 5
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain"})
_SCHEMES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class Page:
    """A downloaded page.

    Attributes:
        body: The (decompressed) bytes.
        media_type: ``text/html``, ``application/xhtml+xml`` or ``text/plain``.
        charset: The charset the server declared, if any.
        url: The final URL, after redirects.
    """

    body: bytes
    media_type: str
    charset: str | None
    url: str


def is_url(source: str) -> bool:
    """Whether ``source`` is an http(s) address; the scheme is case-insensitive (RFC 3986)."""
    return source[:8].lower().startswith(_SCHEMES)


def load_article(
    source: str, *, encoding: str | None = None, notify: Callable[[str], None] | None = None
) -> Article:
    """The article at a URL, in a file, or on stdin (``-``).

    Args:
        source: A URL, a file path, or ``-``.
        encoding: The text's encoding, overriding any charset the server or page declares.
        notify: Receives one line when the encoding had to be guessed.

    Raises:
        InputError: As for :func:`fetch_article` or ``extract.read_article``.
    """
    if is_url(source):
        return fetch_article(source, encoding=encoding, notify=notify)
    scheme, sep, rest = source.partition("://")
    if sep and scheme.isalpha() and len(scheme) > 1:  # not C:\ on Windows
        local = f" pass the file's path ({rest or '/'}) instead" if scheme == "file" else ""
        raise InputError(
            f"only http:// and https:// addresses can be fetched;{local or ' download it first'}.",
            source=redact_url(source),
        )
    return read_article(source, encoding=encoding, notify=notify)


def fetch_article(
    url: str,
    *,
    client: httpx2.Client | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    encoding: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Article:
    """Download a web page and extract its article text, title and date.

    Args:
        url: An http or https address.
        client: An httpx2 client to send the request with (its own redirect limit and
            transport apply); by default a short-lived one is made.
        timeout: Seconds for the whole download, and for each connect and read.
        max_bytes: Stop reading and fail beyond this many (decompressed) bytes.
        max_redirects: Redirects to follow, when no client is given.
        encoding: The page's encoding, overriding the charset it declares.
        notify: Receives one line when the encoding had to be guessed (no charset declared
            by the server or the page, and not UTF-8).

    Raises:
        InputError: The page cannot be fetched, is not HTML or plain text, is too large, or
            holds no article.
    """
    page = fetch_page(
        url, client=client, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects
    )
    if not page.body.strip():
        raise InputError(
            "the page is empty; there is no article to read.", source=redact_url(page.url)
        )
    shown = redact_url(page.url)  # results and reports are shared: no credentials in them
    decoded = decode_bytes(page.body, source=shown, encoding=encoding, declared=page.charset)
    if decoded.guessed and notify is not None:
        notify(decoded.note())
    text = decoded.text
    if page.media_type in _TEXT_TYPES:
        article = article_from_text(text, source=shown)
        return article.model_copy(update={"url": shown})
    return extract_html(text, source=shown, url=shown)


def fetch_page(
    url: str,
    *,
    client: httpx2.Client | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Page:
    """Download an HTML or plain-text page, following redirects.

    Raises:
        InputError: As for :func:`fetch_article`, except a page with no article.
    """
    import httpx2

    if not is_url(url):
        raise InputError(
            "not an http(s) URL; pass a web address or a file path.", source=redact_url(url)
        )
    url = _lower_scheme(url)
    if not urllib.parse.urlsplit(url).hostname:
        raise InputError("the address has no host name; check it.", source=redact_url(url))
    owned = client is None
    if client is None:
        client = httpx2.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": user_agent()},
        )
    try:
        return _download(client, url, timeout, max_bytes)
    except httpx2.TooManyRedirects:
        raise InputError(
            "too many redirects; open the URL in a browser.", source=redact_url(url)
        ) from None
    except httpx2.TimeoutException:
        raise InputError(
            f"timed out after {timeout:g} s; try again later or save the page.",
            source=redact_url(url),
        ) from None
    except (httpx2.ConnectError, httpx2.UnsupportedProtocol, httpx2.InvalidURL) as exc:
        reason = str(exc).rstrip(".")
        raise InputError(
            f"cannot connect: {reason}; check the address.", source=redact_url(url)
        ) from None
    except httpx2.HTTPError as exc:
        raise InputError(f"the download failed: {exc}.", source=redact_url(url)) from None
    finally:
        if owned:
            client.close()


def _lower_scheme(url: str) -> str:
    """``HTTPS://Example.org/A`` -> ``https://Example.org/A``: the scheme is case-insensitive,
    the rest is left as given (paths are case-sensitive)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.lower()}{sep}{rest}"


def user_agent() -> str:
    """The User-Agent header: the tool's name and version."""
    from summarizer._version import __version__

    return f"summarizer/{__version__} (news summarisation tool)"


def _download(client: httpx2.Client, url: str, timeout: float, max_bytes: int) -> Page:
    import httpx2

    deadline = time.monotonic() + timeout
    with client.stream("GET", url, follow_redirects=True) as response:
        final_url = str(response.url)
        if response.status_code >= 400:
            reason = response.reason_phrase or "error"
            raise InputError(
                f"the server answered HTTP {response.status_code} {reason}; check the URL.",
                source=redact_url(url),
            )
        media_type, charset = _content_type(response.headers.get("content-type"))
        if media_type and media_type not in _HTML_TYPES | _TEXT_TYPES:
            raise InputError(
                f"is {media_type}, not a web page; download it and convert it to text first.",
                source=redact_url(url),
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(url, max_bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(url, max_bytes)
            if time.monotonic() > deadline:
                raise httpx2.ReadTimeout("overall deadline", request=response.request)
            chunks.append(chunk)
    logger.debug("fetched %s: %d bytes, %s", final_url, size, media_type or "no content type")
    return Page(b"".join(chunks), media_type or "text/html", charset, final_url)


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    message = email.message.Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _too_large(url: str, max_bytes: int) -> InputError:
    return InputError(
        f"the page is larger than {max_bytes / 1024 / 1024:g} MiB; save the article text and "
        "pass the file instead.",
        source=redact_url(url),
    )
