"""The credentials this process knows, and scrubbing them from every message it writes.

A server or proxy may quote the request's Authorization header in its error message
("Incorrect API key provided: Bearer sk-..."). Such text reaches stderr, the error lines of
a batch's output and the HTML report. ``scrub`` is the one filter they all go through: the
error tree applies it in ``SummarizerError.__str__`` and the writers apply it to anything
else they print.

The known secrets are process-wide because errors are rendered far from the settings that
hold them. ``remember`` is called when settings or a client carry a credential.
"""

from __future__ import annotations

import base64
import re
import threading
from urllib.parse import unquote, urlsplit

__all__ = ["forget", "remember", "scrub"]

MASK = "***"
_MIN_LENGTH = 8  # shorter values ("x", "fake") are no secret and would mask ordinary words
# Credentials in an Authorization header the tool did not set itself ("Bearer abc1..."); a
# digit tells a credential from a word ("Basic training").
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+(?=[\w.~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}")

_known: set[str] = set()
_lock = threading.Lock()


def remember(*, api_key: str | None = None, url: str | None = None) -> None:
    """Add an API key and a URL's credentials (user:password, their Basic-auth form)."""
    found = [api_key] if api_key else []
    if url:
        parts = urlsplit(url)
        if parts.username or parts.password:  # httpx sends them as Basic auth
            for user, password in {
                (parts.username or "", parts.password or ""),
                (unquote(parts.username or ""), unquote(parts.password or "")),
            }:
                pair = f"{user}:{password}"
                # A user with no password is a token ("https://TOKEN@host").
                found += [pair, password or user, base64.b64encode(pair.encode()).decode()]
    with _lock:
        _known.update(s for s in found if len(s) >= _MIN_LENGTH)


def forget() -> None:
    """Forget every known secret (for tests)."""
    with _lock:
        _known.clear()


def scrub(text: str) -> str:
    """``text`` with every known secret, and any Authorization credential, masked."""
    with _lock:
        secrets = sorted(_known, key=len, reverse=True)  # a longer secret may hold a shorter
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _AUTH_VALUE.sub(lambda m: f"{m.group(1)} {MASK}", text)
