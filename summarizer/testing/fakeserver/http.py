"""HTTP/1.1 on the wire: parse a request head, encode a JSON answer, shape OpenAI errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]] = field(default_factory=list)


class Drop(Exception):
    """Close the connection without answering."""


def error(
    status: int, message: str, kind: str, code: str | None = None, param: str | None = None
) -> Answer:
    """An answer whose body is shaped like an OpenAI error."""
    body = {"message": message, "type": kind, "param": param, "code": code}
    return Answer(status, {"error": body})


def encode(answer: Answer, *, request_id: str, keep_alive: bool) -> bytes:
    body = json.dumps(answer.body, ensure_ascii=False).encode()
    lines = [
        f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Unknown')}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        f"x-request-id: {request_id}",
        f"connection: {'keep-alive' if keep_alive else 'close'}",
        *(f"{name}: {value}" for name, value in answer.headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    """Method, path without query, HTTP version, and lower-cased headers."""
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, version = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, target.split("?", 1)[0], version, headers
