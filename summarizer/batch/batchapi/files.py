"""The Batch API's JSON Lines files: request files out, output and error files back in.

OpenAI's Batch API and vLLM's ``run_batch`` read the same request lines::

    {"custom_id": "a1", "method": "POST", "url": "/v1/chat/completions", "body": {...}}

and write the same result lines (OpenAI splits them into an output and an error file)::

    {"id": "batch_req_1", "custom_id": "a1", "error": null,
     "response": {"status_code": 200, "request_id": "req_1", "body": {chat.completion}}}

The body is ``llm.request_body``, the very body an online call sends. No openai import here:
the files are plain JSON, and reading a vLLM output needs no client.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import InputError, LLMError
from summarizer.llm import (
    ChatRequest,
    ChatResponse,
    Mode,
    http_error,
    request_body,
    send_schema_field,
)
from summarizer.pipeline import Prepared
from summarizer.schema import Draft, Usage

__all__ = [
    "ENDPOINT",
    "MAX_BYTES",
    "MAX_REQUESTS",
    "CustomIds",
    "Part",
    "RequestWriter",
    "ResultIndex",
    "batch_mode",
    "parse_result",
    "request_line",
]

ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000
"""Requests per batch file (OpenAI's limit)."""
MAX_BYTES = 200 * 1024 * 1024
"""Bytes per batch input file (OpenAI's limit: 200 MB)."""


def batch_mode(settings: Settings) -> Mode:
    """The output mode of batch requests. ``auto`` cannot fall back inside a batch, so it
    means json_schema, which OpenAI's Batch API and vLLM both accept."""
    return "json_object" if settings.output_mode == "json_object" else "json_schema"


def request_line(custom_id: str, prepared: Prepared, settings: Settings, mode: Mode) -> bytes:
    """One request line (with its newline): the body an online call would send."""
    request = ChatRequest(
        messages=prepared.messages_for(mode == "json_object"),
        model=settings.model,
        mode=mode,
        schema=prepared.answer_schema(mode),
        schema_name=Draft.__name__,
        max_tokens=settings.max_output_tokens,
        temperature=settings.temperature,
    )
    line = {
        "custom_id": custom_id,
        "method": "POST",
        "url": ENDPOINT,
        "body": request_body(request, send_schema_field=send_schema_field(settings)),
    }
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class CustomIds:
    """Batch custom ids: the article id, unique within a run as the API requires.

    An id seen before in the archive gets ``#<record number>`` appended; the same archive
    always yields the same ids, so ``collect`` can match results to records again.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, record_id: str, number: int) -> str:
        if record_id in self._seen:
            return f"{record_id}#{number}"
        self._seen.add(record_id)
        return record_id


@dataclass
class Part:
    """One request file: at most ``max_requests`` lines and ``max_bytes`` bytes."""

    file: str
    requests: int = 0
    bytes: int = 0
    input_file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    results: list[str] = field(default_factory=list)
    """Downloaded output and error files (names in the run's folder)."""


class RequestWriter:
    """Writes request lines into numbered files, starting a new one before either limit.

    Args:
        folder: Where the files go (``requests-0001.jsonl``, ...).
        max_requests, max_bytes: Per-file limits (OpenAI's by default).
    """

    def __init__(
        self, folder: Path, *, max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES
    ) -> None:
        self.folder = folder
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.parts: list[Part] = []
        self._handle: Any = None
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, line: bytes) -> bool:
        """Append a request; False when it alone exceeds ``max_bytes`` (it is not written)."""
        if len(line) > self.max_bytes:
            return False
        part = self.parts[-1] if self.parts else None
        if (
            part is None
            or part.requests >= self.max_requests
            or part.bytes + len(line) > self.max_bytes
        ):
            self._next_file()
            part = self.parts[-1]
        self._handle.write(line)
        part.requests += 1
        part.bytes += len(line)
        return True

    def _next_file(self) -> None:
        self._close_file()
        part = Part(file=f"requests-{len(self.parts) + 1:04d}.jsonl")
        self._handle = (self.folder / part.file).open("wb")
        self.parts.append(part)

    def _close_file(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None

    def close(self) -> list[Part]:
        self._close_file()
        return self.parts


def parse_result(row: dict[str, Any]) -> ChatResponse | LLMError:
    """One result line: the completion as a ChatResponse, or the LLMError it reports."""
    response = row.get("response")
    error = row.get("error")
    status = response.get("status_code", 200) if isinstance(response, dict) else None
    body = response.get("body") if isinstance(response, dict) else None
    request_id = response.get("request_id") if isinstance(response, dict) else None
    if status == 200 and isinstance(body, dict) and not error:
        return _chat_response(body, request_id)
    if status is not None and status != 200:
        return http_error(status, body or error, request_id=request_id)
    detail = error.get("message") or error.get("code") if isinstance(error, dict) else error
    return LLMError(
        f"The batch did not run this request: {detail or 'no reason given'}.",
        reason="batch",
        request_id=request_id,
    )


def _chat_response(body: dict[str, Any], request_id: str | None) -> ChatResponse | LLMError:
    choices = body.get("choices") or []
    if not choices:
        return LLMError("The endpoint returned no choices.", request_id=request_id)
    choice = choices[0]
    message = choice.get("message") or {}
    usage = body.get("usage") or {}
    return ChatResponse(
        content=message.get("content"),
        finish_reason=choice.get("finish_reason"),
        refusal=message.get("refusal"),
        usage=Usage(
            prompt_tokens=usage.get("prompt_tokens") or 0,
            completion_tokens=usage.get("completion_tokens") or 0,
        ),
        request_id=request_id,
        model=body.get("model"),
    )


class ResultIndex:
    """Result lines by custom id over one or more files, read from disk when asked for.

    Only ids and offsets stay in memory, so outputs of any size can be joined back to the
    archive. A later line for the same id wins (an output file after its error file).
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._where: dict[str, tuple[int, int]] = {}
        for index, path in enumerate(paths):
            for offset, row in _rows(path):
                custom_id = row.get("custom_id")
                if isinstance(custom_id, str):
                    self._where[custom_id] = (index, offset)

    def __len__(self) -> int:
        return len(self._where)

    def get(self, custom_id: str) -> ChatResponse | LLMError | None:
        where = self._where.get(custom_id)
        if where is None:
            return None
        index, offset = where
        with self.paths[index].open("rb") as handle:
            handle.seek(offset)
            return parse_result(json.loads(handle.readline()))


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read the results: {exc.strerror}.", source=str(path)) from None
    with handle:
        offset = 0
        for number, raw in enumerate(handle, 1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except ValueError:
                raise InputError(
                    "not a Batch API result line (JSON expected).", source=str(path), line=number
                ) from None
            if isinstance(row, dict):
                yield start, row
