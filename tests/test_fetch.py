"""Tests for summarizer.sources.fetch against a local HTTP server on 127.0.0.1 serving pages.

pytest runs with ``--block-network``, which blocks every connect, 127.0.0.1 included, unless
the host is allowed: the module-wide mark below lets loopback through and nothing else.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx2
import pytest

from summarizer.errors import InputError
from summarizer.sources.fetch import fetch_article, fetch_page, is_url, load_article, user_agent
from tests.pages import ARTICLE, NO_ARTICLE, QUOTE, Handler, redirect, send, serve

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


def _endless(request: BaseHTTPRequestHandler) -> None:
    """A huge page with no Content-Length: the client must stop reading by itself."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Connection", "close")
    request.end_headers()
    chunk = b"<p>" + b"filler text " * 5000 + b"</p>\n"
    for _ in range(2000):  # 120 MB if nobody stops
        request.wfile.write(chunk)


def _gzipped(request: BaseHTTPRequestHandler) -> None:
    body = gzip.compress(ARTICLE)
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Content-Encoding", "gzip")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def _echo_user_agent(request: BaseHTTPRequestHandler) -> None:
    send(200, request.headers.get("User-Agent", "").encode(), "text/plain")(request)


RELEASE = threading.Event()


def _slow(request: BaseHTTPRequestHandler) -> None:
    RELEASE.wait(5)
    send(200, ARTICLE)(request)


ROUTES: dict[str, Handler] = {
    "/article": send(200, ARTICLE),
    "/moved": redirect("/article"),
    "/loop": redirect("/loop"),
    "/missing": send(404, b"<h1>Not Found</h1>"),
    "/broken": send(500, b"oops"),
    "/report.pdf": send(200, b"%PDF-1.7\n...", "application/pdf"),
    "/huge": send(200, b"<p>" + b"x" * 300_000 + b"</p>"),
    "/endless": _endless,
    "/no-article": send(200, NO_ARTICLE),
    "/empty": send(200, b""),
    "/plain": send(200, QUOTE.encode(), "text/plain; charset=utf-8"),
    "/latin1": send(
        200,
        ARTICLE.decode().replace("“", '"').replace("”", '"').encode("latin-1"),
        "text/html; charset=ISO-8859-1",
    ),
    "/latin1-undeclared": send(
        200,
        ARTICLE.decode()
        .replace("“", '"')
        .replace("”", '"')
        .replace("councillor Ruth Obi", "councillor Hélène Côté")
        .replace('<meta charset="utf-8">', "")
        .encode("latin-1"),
        "text/html",
    ),
    "/gzip": _gzipped,
    "/ua": _echo_user_agent,
    "/slow": _slow,
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(ROUTES) as url:
        try:
            yield url
        finally:
            RELEASE.set()


@pytest.mark.parametrize(
    ("path", "final"),
    [("/article", "/article"), ("/moved", "/article"), ("/gzip", "/gzip")],
    ids=["direct", "redirect", "gzip"],
)
def test_fetch_article(base_url: str, path: str, final: str) -> None:
    article = fetch_article(base_url + path)

    assert QUOTE in article.text
    assert "Home" not in article.text
    assert article.title == "Council rejects bridge plan"
    assert article.url == base_url + final


def test_fetch_plain_text(base_url: str) -> None:
    article = fetch_article(f"{base_url}/plain")

    assert article.text == QUOTE


def test_fetch_uses_declared_charset(base_url: str) -> None:
    notes: list[str] = []
    assert "councillor Ruth Obi" in fetch_article(f"{base_url}/latin1", notify=notes.append).text
    assert notes == []  # declared: not a guess


def test_fetch_says_when_it_guessed_the_charset(base_url: str) -> None:
    notes: list[str] = []

    article = fetch_article(f"{base_url}/latin1-undeclared", notify=notes.append)

    assert "councillor Hélène Côté" in article.text
    assert len(notes) == 1
    assert "/latin1-undeclared" in notes[0]
    assert "assumed cp1252" in notes[0]
    given = fetch_article(f"{base_url}/latin1-undeclared", encoding="latin-1")
    assert "councillor Hélène Côté" in given.text


def test_user_agent_names_the_tool(base_url: str) -> None:
    page = fetch_page(f"{base_url}/ua")

    assert page.body.decode() == user_agent()
    assert page.body.startswith(b"summarizer/")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/broken", "HTTP 500"),
        ("/report.pdf", "is application/pdf, not a web page"),
        ("/no-article", "no article text found"),
        ("/empty", "the page is empty"),
        ("/loop", "too many redirects"),
    ],
    ids=["404", "500", "pdf", "no-article", "empty", "redirect-loop"],
)
def test_fetch_errors_name_the_url(base_url: str, path: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        fetch_article(base_url + path)

    assert info.value.source == base_url + path
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("path", ["/huge", "/endless"], ids=["content-length", "streamed"])
def test_fetch_stops_at_the_size_cap(base_url: str, path: str) -> None:
    with pytest.raises(InputError, match="larger than"):
        fetch_article(base_url + path, max_bytes=100_000)


def test_fetch_times_out(base_url: str) -> None:
    with pytest.raises(InputError, match=r"timed out after 0\.3 s"):
        fetch_article(f"{base_url}/slow", timeout=0.3)


def test_fetch_connection_refused() -> None:
    with socket.socket() as sock:  # a port nothing listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(InputError, match="cannot connect"):
        fetch_article(f"http://127.0.0.1:{port}/article")


@pytest.mark.parametrize("url", ["ftp://example.com/a", "example.com/a", "file:///etc/passwd"])
def test_fetch_refuses_non_http_urls(url: str) -> None:
    with pytest.raises(InputError, match=r"not an http\(s\) URL"):
        fetch_article(url)


@pytest.mark.parametrize("scheme", ["HTTP", "Http", "hTtP"])
def test_fetch_accepts_the_scheme_in_any_case(base_url: str, scheme: str) -> None:
    """RFC 3986: the scheme is case-insensitive; editors paste ``HTTPS://`` from old mail."""
    url = base_url.replace("http", scheme, 1) + "/article"

    assert is_url(url)
    article = load_article(url)

    assert article.title == "Council rejects bridge plan"
    assert article.url == f"{base_url}/article"  # the scheme lowered, the rest as given


@pytest.mark.parametrize("source", ["-", "story.txt", "https-notes.txt", "HTTP:/one-slash"])
def test_is_url_only_for_http_addresses(source: str) -> None:
    assert not is_url(source)


def test_fetch_with_injected_client(base_url: str) -> None:
    with httpx2.Client(headers={"User-Agent": "custom/1.0"}, max_redirects=0) as client:
        assert fetch_page(f"{base_url}/ua", client=client).body == b"custom/1.0"
        with pytest.raises(InputError, match="too many redirects"):
            fetch_article(f"{base_url}/moved", client=client)


def test_credentials_in_the_url_never_reach_the_result(base_url: str) -> None:
    host = base_url.removeprefix("http://")
    article = fetch_article(f"http://bob:hunter2@{host}/article")
    assert article.url == f"{base_url}/article"
    assert "hunter2" not in article.model_dump_json()
