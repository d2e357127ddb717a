"""A synthetic stand-in for OpenAI's Files and Batches endpoints, on 127.0.0.1.

Requests and responses follow the OpenAI API reference (File and Batch objects, batch
output and error line formats); nothing here was recorded from OpenAI. The stub "runs" a
batch when it is first retrieved after validation, by answering every request line with
``answer(custom_id, body)``; by default it forwards the body to a ``FakeServer``, so a
batch's completions are exactly what the same fake server answers online.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2 as httpx

Answer = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class StubConfig:
    """What the stub does to a batch beyond answering it.

    Attributes:
        drop: custom ids left out of both output files (as after an expiry).
        corrupt: custom ids whose completion content is replaced by text that is not JSON.
        fail: custom ids answered in the error file with this HTTP status.
        final_status: ``completed``, or ``expired`` / ``cancelled`` / ``failed``.
        polls_before_done: ``in_progress`` answers before the final status.
    """

    drop: set[str] = field(default_factory=set)
    corrupt: set[str] = field(default_factory=set)
    fail: dict[str, int] = field(default_factory=dict)
    final_status: str = "completed"
    polls_before_done: int = 1


class BatchStub:
    """The stub server. ``requests`` lists every (method, path) it received."""

    def __init__(self, answer: Answer, config: StubConfig | None = None) -> None:
        self.answer = answer
        self.config = config or StubConfig()
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.uploads: list[bytes] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                stub._handle(self, "GET")

            def do_POST(self) -> None:
                stub._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> BatchStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- routes ------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append((method, path))
            status, payload, raw = self._route(method, path, handler.headers, body)
        data = raw if raw is not None else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/jsonl" if raw else "application/json")
        handler.send_header("content-length", str(len(data)))
        handler.send_header("x-request-id", f"req_stub_{next(self._ids)}")
        handler.end_headers()
        handler.wfile.write(data)

    def _route(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any], bytes | None]:
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/files":
            return 200, self._upload(headers["content-type"], body), None
        if method == "POST" and path == "/v1/batches":
            return 200, self._create(json.loads(body)), None
        if method == "GET" and path == "/v1/batches":
            data = list(reversed(self.batches.values()))
            return 200, {"object": "list", "data": data, "has_more": False}, None
        if method == "GET" and parts[:2] == ["v1", "batches"] and len(parts) == 3:
            return 200, self._retrieve(parts[2]), None
        if method == "GET" and parts[:2] == ["v1", "files"] and parts[3:] == ["content"]:
            return 200, {}, self.files[parts[2]]["content"]
        error = {"message": f"No route {method} {path}", "type": "invalid_request_error"}
        return 404, {"error": error}, None

    def _upload(self, content_type: str, body: bytes) -> dict[str, Any]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"content-type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        fields: dict[str, Any] = {}
        filename = "upload.jsonl"
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = part.get_payload(decode=True)
            filename = part.get_filename() or filename
        if fields.get("purpose") != b"batch":
            raise ValueError(f"purpose must be batch, got {fields.get('purpose')!r}")
        content = fields["file"]
        self.uploads.append(content)
        return self._new_file(content, filename, "batch")

    def _new_file(self, content: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = f"file-stub{next(self._ids)}"
        self.files[file_id] = {"content": content}
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }

    def _create(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["endpoint"] != "/v1/chat/completions" or request["completion_window"] != "24h":
            raise ValueError(f"unexpected batch request {request}")
        batch_id = f"batch_stub{next(self._ids)}"
        lines = self.files[request["input_file_id"]]["content"].splitlines()
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": request["endpoint"],
            "errors": None,
            "input_file_id": request["input_file_id"],
            "completion_window": "24h",
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(time.time()),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": request.get("metadata"),
            "_polls": 0,
        }
        return self._public(self.batches[batch_id])

    def _retrieve(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        if batch["status"] == "validating":
            batch["status"] = "in_progress"
        elif batch["status"] == "in_progress":
            batch["_polls"] += 1
            if batch["_polls"] >= self.config.polls_before_done:
                self._run(batch)
        return self._public(batch)

    def _run(self, batch: dict[str, Any]) -> None:
        output: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for raw in self.files[batch["input_file_id"]]["content"].splitlines():
            line = json.loads(raw)
            custom_id = line["custom_id"]
            # Every line is answered, so that faults the answering server injects by request
            # number hit the same articles as online; then the stub's own faults apply.
            status, body = self.answer(custom_id, line["body"])
            if custom_id in self.config.drop:
                continue
            row_id = f"batch_req_stub{next(self._ids)}"
            request_id = f"req_stub{next(self._ids)}"
            if custom_id in self.config.fail:
                status = self.config.fail[custom_id]
                body = {"error": {"message": "Synthetic server error.", "type": "server_error"}}
                response = {"status_code": status, "request_id": request_id, "body": body}
                row = {"id": row_id, "custom_id": custom_id, "response": response, "error": None}
                errors.append(row)
                continue
            if custom_id in self.config.corrupt:
                body["choices"][0]["message"]["content"] = '{"issue": "cut'
            response = {"status_code": status, "request_id": request_id, "body": body}
            row = {"id": row_id, "custom_id": custom_id, "response": response, "error": None}
            (output if status == 200 else errors).append(row)
        batch["status"] = self.config.final_status
        batch["request_counts"]["completed"] = len(output)
        batch["request_counts"]["failed"] = len(errors)
        for kind, rows in (("output_file_id", output), ("error_file_id", errors)):
            if rows:
                content = "".join(json.dumps(r) + "\n" for r in rows).encode()
                batch[kind] = self._new_file(content, f"{kind}.jsonl", "batch_output")["id"]

    @staticmethod
    def _public(batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}


def forward_to(base_url: str) -> Answer:
    """Answer each request line by posting its body to an online (fake) server."""

    def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = httpx.post(f"{base_url}/chat/completions", json=body, timeout=30)
        return response.status_code, response.json()

    return answer
