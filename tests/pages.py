"""A local HTTP server on 127.0.0.1 serving news pages written for the tests.

Shared by the fetch tests and the CLI's URL tests: nothing in the suite needs the internet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]

QUOTE_WORDS = "We will not pay for a bridge to nowhere"
QUOTE = f"“{QUOTE_WORDS},” said councillor Ruth Obi."

ARTICLE = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Council rejects bridge plan</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council rejects bridge plan</h1>
<p>The council rejected the plan for a second river crossing on Monday night, after a debate
that ran for more than four hours and drew a crowd of residents to the town hall.</p>
<p>{QUOTE}</p>
<p>Supporters of the bridge said they would bring the plan back next year with new figures on
the cost of the works and the expected traffic across the river.</p>
</article></body></html>""".encode()

NO_ARTICLE = b"""<!DOCTYPE html><html><head><title>Home</title></head><body>
<nav><a href="/a">A</a> <a href="/b">B</a></nav><div id="app"></div>
<script>render()</script></body></html>"""


def send(status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    """A handler answering with a fixed status, body and content type."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def redirect(to: str) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", to)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up mid-page (size cap, timeout) is the point of some tests


@contextmanager
def serve(routes: Mapping[str, Handler]) -> Iterator[str]:
    """Serve ``routes`` (path -> handler) on a free port; yields the base URL."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            routes.get(self.path, send(404, b"no route"))(self)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
