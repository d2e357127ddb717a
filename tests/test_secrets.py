"""No credential reaches anything the tool writes, even when the server echoes it back.

The server here is synthetic: a local HTTP server on 127.0.0.1 that answers every call with an
error quoting the request's Authorization header, as some proxies and servers do
("Incorrect API key provided: Bearer sk-...").
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from summarizer import _secrets
from summarizer.cli import cli
from tests.conftest import SEED

KEY = "sk-synthetic-0123456789abcdefSECRET"
USER, PASSWORD = "alice", "s3cret-pass%21"  # percent-encoded in the URL: "s3cret-pass!"
BASIC = base64.b64encode(b"alice:s3cret-pass!").decode()
FORBIDDEN = [KEY, "s3cret-pass", BASIC]


class _Echo(BaseHTTPRequestHandler):
    status = 401

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        echoed = self.headers.get("authorization", "")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {echoed}"}})
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    _secrets.forget()


def _run(args: list[str], env: dict[str, str]) -> Result:
    settings = {"SUMMARIZER_MAX_ATTEMPTS": "1", "SUMMARIZER_MAX_RETRIES": "0"}
    return CliRunner().invoke(cli, args, env={**settings, **env})


def _clean(text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text


@pytest.mark.parametrize("how", ["key", "url-credentials"])
def test_an_echoed_credential_never_reaches_stderr(echo_port: int, how: str) -> None:
    host = f"127.0.0.1:{echo_port}/v1"
    env = (
        {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"http://{host}"}
        if how == "key"
        else {"OPENAI_BASE_URL": f"http://{USER}:{PASSWORD}@{host}"}
    )
    result = _run(["summarize", str(SEED)], env)
    assert result.exit_code == 1
    assert "Incorrect API key provided" in result.stderr  # the message itself still arrives
    _clean(result.stderr + result.stdout)


def test_an_echoed_credential_never_reaches_the_results_or_the_report(
    echo_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_Echo, "status", 500)  # a failing proxy: the batch writes error lines
    archive = tmp_path / "in.jsonl"
    archive.write_text(json.dumps({"id": "a", "text": SEED.read_text()}) + "\n")
    out, page = tmp_path / "out.jsonl", tmp_path / "report.html"
    env = {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": f"http://{USER}:{PASSWORD}@127.0.0.1:{echo_port}/v1",
    }
    ran = _run(["batch", str(archive), "-o", str(out), "--no-cache", "--quiet"], env)
    reported = _run(["report", str(out), "-o", str(page)], {})
    written = out.read_text(encoding="utf-8")
    assert "Incorrect API key provided" in written
    _clean(ran.stderr + written + reported.stderr + page.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("url", "message", "shown"),
    [
        ("http://tok3n-as-user-name@proxy/v1", "denied for tok3n-as-user-name", "denied for ***"),
        (None, "proxy said: Bearer sk-unknown-1234567", "proxy said: Bearer ***"),
        (None, "Basic training is not a credential", "Basic training is not a credential"),
    ],
    ids=["token-as-user", "unknown-bearer", "ordinary-words"],
)
def test_scrub(url: str | None, message: str, shown: str) -> None:
    _secrets.remember(url=url)
    try:
        assert _secrets.scrub(message) == shown
    finally:
        _secrets.forget()


def test_an_echoed_credential_never_reaches_a_batch_api_error(
    echo_port: int, tmp_path: Path
) -> None:
    archive = tmp_path / "in.jsonl"
    archive.write_text(json.dumps({"id": "a", "text": SEED.read_text()}) + "\n")
    env = {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": f"http://{USER}:{PASSWORD}@127.0.0.1:{echo_port}/v1",
    }
    out = tmp_path / "out.jsonl"
    result = _run(["batchapi", "submit", str(archive), "-o", str(out), "--no-cache"], env)
    assert result.exit_code == 1
    assert "HTTP 401 from the endpoint: Incorrect API key provided" in result.stderr
    assert "Check OPENAI_API_KEY" in result.stderr
    _clean(result.stderr + result.stdout)
