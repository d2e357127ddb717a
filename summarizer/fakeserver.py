"""A fake OpenAI-compatible chat server on 127.0.0.1 for tests, fault tests and benchmarks.

Every fault this server produces is synthetic: the 429s, 5xx answers, hangs, dropped
connections, malformed JSON, length stops and refusals are injected on purpose so that the
batch runner's handling of them can be tested and measured. None of them was observed from a
real provider, and the completions are not model output: each is a ``Draft`` built
deterministically from the article (first sentences for the issue and summary, verbatim quoted
passages for the actors' quotes).

Standard library only (asyncio streams, HTTP/1.1 keep-alive), so newsroom scripts can run it
too. Use it in-process::

    with FakeServer(latency=0.05, rpm=600) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="fake")

or from a shell: ``python -m summarizer.fakeserver --port 8000 --latency 0.2 --rpm 500``.

Routes: ``POST /v1/chat/completions``; ``GET /v1/models``; ``GET /stats`` (counts by outcome);
``DELETE /stats`` (reset). Outcomes counted: ``ok`` plus the ``Fault`` values plus
``json_schema_rejected`` and ``bad_request``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import math
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import TracebackType
from typing import Any

__all__ = ["FakeServer", "FakeServerConfig", "Fault", "Stats", "build_draft", "format_reset"]


class Fault(StrEnum):
    """A synthetic failure the server can inject; the value is also its outcome name."""

    RATE_LIMITED = "rate_limited"  # 429 with Retry-After, as if a limit had been hit
    SERVER_ERROR = "server_error"  # 500
    UNAVAILABLE = "unavailable"  # 503
    TIMEOUT = "timeout"  # hold the connection, answer nothing
    DROPPED = "dropped"  # read the request, close the connection without an answer
    MALFORMED = "malformed"  # 200 with JSON content cut in half
    LENGTH = "length"  # 200, finish_reason "length", content cut in half
    REFUSAL = "refusal"  # 200 with message.refusal set and no content


@dataclass(frozen=True, kw_only=True)
class FakeServerConfig:
    """How the fake server behaves. Times are in seconds.

    Attributes:
        latency: Fixed delay before every answer except 429s (which come at once, as OpenAI's do).
        jitter: Extra delay drawn uniformly from ``[0, jitter]``.
        rpm, tpm: Request and token limits per minute, enforced as token buckets that start full
            and refill continuously; ``None`` means unlimited. A request's token cost is its
            estimated prompt tokens plus ``max_tokens`` (or the answer's size when absent).
        fault_rates: Probability of each fault per request, e.g. ``{Fault.SERVER_ERROR: 0.01}``.
        fault_at: Faults by 1-based request number (every chat request counts, 429s too);
            these take precedence over ``fault_rates``.
        reject_json_schema: Answer ``response_format.type == "json_schema"`` with a 500, as
            llama.cpp's server does.
        hang: How long a ``TIMEOUT`` fault holds the connection if the client does not give up.
        seed: Seeds the jitter and fault draws.
    """

    host: str = "127.0.0.1"
    port: int = 0
    model: str = "fake-model"
    latency: float = 0.0
    jitter: float = 0.0
    rpm: int | None = None
    tpm: int | None = None
    fault_rates: Mapping[Fault, float] = field(default_factory=dict)
    fault_at: Mapping[int, Fault] = field(default_factory=dict)
    reject_json_schema: bool = False
    hang: float = 600.0
    seed: int = 0


@dataclass(frozen=True)
class Stats:
    """What the server has served: chat requests in total and by outcome, tokens, connections."""

    total: int
    by_outcome: dict[str, int]
    prompt_tokens: int
    completion_tokens: int
    connections: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_outcome": self.by_outcome,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "connections": self.connections,
        }


# ---- the deterministic answer --------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUOTED = re.compile(r"[“\"]([^“”\"]{12,800}?)[”\"]")
_NAME = r"((?:[A-Z][\w'\u2019.-]+ ){0,4}[A-Z][\w'\u2019-]+)"
_VERB = r"(?:said|says|stated|added|told|warned|argued|insisted|declared|wrote)"
_SPEAKER_AFTER = re.compile(rf"[\s,.]*(?:{_NAME}\s+{_VERB}\b|{_VERB}\s+{_NAME})")
_SPEAKER_BEFORE = re.compile(rf"{_NAME}\s+{_VERB}\b[^.“”\"]{{0,60}}$")
_ANY_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")
_OPPOSES = re.compile(r"\b(not|never|no|oppose[sd]?|against|premature|reject\w*)\b", re.I)
_SUPPORTS = re.compile(r"\b(support\w*|welcome\w*|prepared|ready|agree\w*|back\w*)\b", re.I)


def _article_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The article: inside ``<article>`` tags in the last user message that has them, else the
    last user message as a whole (re-asks are short and carry no article)."""
    user_texts = [_message_text(m) for m in messages if m.get("role") == "user"]
    for text in reversed(user_texts):
        start = text.find("<article")  # str.find: a DOTALL regex costs more than the draft
        end = text.rfind("</article>")
        if start >= 0 and end > start:
            return text[text.find(">", start) + 1 : end].strip()
    return user_texts[-1] if user_texts else ""


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def _speaker(article: str, start: int, end: int) -> str | None:
    after = _SPEAKER_AFTER.match(article, end, end + 80)
    if after:
        return after.group(1) or after.group(2)
    before = _SPEAKER_BEFORE.search(article, max(0, start - 160), max(0, start - 1))
    return before.group(1) if before else None


def _stance(quote: str) -> str:
    if _OPPOSES.search(quote):
        return "opposes" if not _SUPPORTS.search(quote) else "mixed"
    return "supports" if _SUPPORTS.search(quote) else "unclear"


def build_draft(article: str, *, max_actors: int = 4) -> dict[str, Any]:
    """A valid ``Draft`` as a dict, built deterministically from the article text."""
    head = _SENTENCE_END.split(article[:2000].strip(), maxsplit=3)
    sentences = [s.strip() for s in head[:3] if s.strip()]
    first = sentences[0] if sentences else "the article"
    if len(first) > 160:
        first = first[:160].rsplit(" ", 1)[0]
    issue = f"What is at stake in: {first.rstrip('.!?:,;')}?"
    summary = " ".join(sentences[:3])[:800] or "The article is empty."
    fallback = _ANY_NAME.search(article)
    quotes_by_actor: dict[str, list[str]] = {}
    for match in itertools.islice(_QUOTED.finditer(article), 12):  # bounded cost per request
        quote = match.group(1).strip().rstrip(",")
        if len(quote.split()) < 3:
            continue
        actor = _speaker(article, match.start(), match.end())
        actor = actor or (fallback.group(0) if fallback else "Unnamed source")
        if actor in quotes_by_actor or len(quotes_by_actor) < max_actors:
            quotes_by_actor.setdefault(actor, []).append(quote)
    positions = [
        {
            "actor": actor,
            "kind": "person",
            "role": "",
            "stance": _stance(quotes[0]),
            "position": f"{actor} is quoted as saying: {quotes[0][:200]}",
            "quotes": quotes[:3],
        }
        for actor, quotes in quotes_by_actor.items()
    ]
    return {"issue": issue, "summary": summary, "positions": positions}


@functools.lru_cache(maxsize=256)
def _draft_json(article: str) -> str:
    """Benchmarks often repeat articles; the cache keeps the server from limiting them."""
    return json.dumps(build_draft(article), ensure_ascii=False)


def _estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


# ---- rate limits ---------------------------------------------------------------------------


class _Bucket:
    """A token bucket that starts full and refills continuously over a minute."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = self.capacity
        self.stamp = time.monotonic()

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 when it is now); ``inf`` if it never is."""
        if amount > self.capacity:
            return math.inf
        return max(0.0, (amount - self.level) / self.rate)

    def reset_in(self) -> float:
        return (self.capacity - self.level) / self.rate


def format_reset(seconds: float) -> str:
    """Format a duration the way OpenAI's ``x-ratelimit-reset-*`` headers do: ``20ms``,
    ``1.5s``, ``6m0s``, ``1h2m3s``."""
    if seconds < 1:
        return f"{math.ceil(seconds * 1000)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(minutes)}m{round(secs, 3):g}s"
    return f"{int(hours)}h{text}" if hours else text


# ---- HTTP ----------------------------------------------------------------------------------

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_Headers = list[tuple[str, str]]


@dataclass
class _Answer:
    status: int
    body: dict[str, Any]
    headers: _Headers = field(default_factory=list)


def _error(status: int, message: str, kind: str, code: str | None = None) -> _Answer:
    error = {"message": message, "type": kind, "param": None, "code": code}
    return _Answer(status, {"error": error})


def _encode(answer: _Answer, *, request_id: str, keep_alive: bool) -> bytes:
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


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, version = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, target.split("?", 1)[0], version, headers


class _Drop(Exception):
    """Close the connection without answering."""


class FakeServer:
    """The fake server; start it with ``with``, ``async with``, ``start()`` or ``serve()``.

    ``with`` and ``async with`` run it in a background thread with its own event loop, so the
    test's loop is never slowed by the server. ``config`` fields can be passed as keywords:
    ``FakeServer(latency=0.1, fault_at={2: Fault.SERVER_ERROR})``.
    """

    def __init__(self, config: FakeServerConfig | None = None, /, **changes: Any) -> None:
        self.config = replace(config or FakeServerConfig(), **changes)
        self.port = self.config.port
        self._rng = random.Random(self.config.seed)
        self._chat_numbers = itertools.count(1)  # what fault_at refers to
        self._ids = itertools.count(1)
        self._run_id = os.urandom(4).hex()
        self._lock = threading.Lock()
        self._reset_counts()
        self._requests = _Bucket(self.config.rpm) if self.config.rpm else None
        self._tokens = _Bucket(self.config.tpm) if self.config.tpm else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    # ---- public surface --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to an OpenAI client."""
        return f"{self.url}/v1"

    @property
    def stats(self) -> Stats:
        """A snapshot of what has been served so far."""
        with self._lock:
            return Stats(
                total=sum(self._outcomes.values()),
                by_outcome=dict(self._outcomes),
                prompt_tokens=self._prompt_tokens,
                completion_tokens=self._completion_tokens,
                connections=self._connections,
            )

    def reset_stats(self) -> None:
        with self._lock:
            self._reset_counts()

    def start(self) -> FakeServer:
        """Serve from a background thread; return once the port is bound."""
        self._thread = threading.Thread(target=self._run_thread, name="fakeserver", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    async def serve(self, *, ready: asyncio.Event | None = None) -> None:
        """Serve in the running loop until cancelled or ``stop()`` is called."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, self.config.host, self.config.port)
        self.port = server.sockets[0].getsockname()[1]
        if ready is not None:
            ready.set()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()

    # ---- internals -------------------------------------------------------------------------

    def _reset_counts(self) -> None:
        self._outcomes: Counter[str] = Counter()
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._connections = 0

    def _count(self, outcome: str, prompt: int = 0, completion: int = 0) -> None:
        with self._lock:
            self._outcomes[str(outcome)] += 1  # plain strings, not Fault members, in stats
            self._prompt_tokens += prompt
            self._completion_tokens += completion

    def _run_thread(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as exc:  # surfaced to start(), which re-raises it in its thread
            self._failure = exc
            self._ready.set()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        with self._lock:
            self._connections += 1
        try:
            await self._serve_connection(reader, writer)
        except (
            _Drop,
            ConnectionError,
            ValueError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            writer.transport.abort()
        except asyncio.CancelledError:
            # Shutting down. Swallowed on purpose: on 3.11 a cancelled connection task makes
            # asyncio's stream callback log a traceback for every open connection.
            writer.transport.abort()
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while not reader.at_eof():
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed an idle keep-alive connection
            method, path, version, headers = _parse_head(head)
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request_id = f"req_{self._run_id}{next(self._ids):010x}"
            answer = await self._route(method, path, body, reader)
            keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            writer.write(_encode(answer, request_id=request_id, keep_alive=keep_alive))
            await writer.drain()
            if not keep_alive:
                return

    async def _route(
        self, method: str, path: str, body: bytes, reader: asyncio.StreamReader
    ) -> _Answer:
        if path == "/v1/chat/completions" and method == "POST":
            return await self._chat(body, reader)
        if path == "/stats" and method == "GET":
            return _Answer(200, self.stats.to_dict())
        if path == "/stats" and method == "DELETE":
            self.reset_stats()
            return _Answer(200, self.stats.to_dict())
        if path == "/v1/models" and method == "GET":
            model = {"id": self.config.model, "object": "model", "owned_by": "fakeserver"}
            return _Answer(200, {"object": "list", "data": [model]})
        return _error(404, f"No route for {method} {path}.", "invalid_request_error")

    async def _chat(self, raw: bytes, reader: asyncio.StreamReader) -> _Answer:
        number = next(self._chat_numbers)
        try:
            request = json.loads(raw)
            messages = request["messages"]
            prompt = sum(_estimate_tokens(_message_text(m)) + 4 for m in messages) + 3
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._count("bad_request")
            return _error(400, f"Invalid chat request: {exc!r}.", "invalid_request_error")
        if request.get("stream"):
            self._count("bad_request")
            return _error(400, "The fake server does not stream.", "invalid_request_error")
        content = _draft_json(_article_text(messages))
        max_tokens = request.get("max_completion_tokens") or request.get("max_tokens")
        limited = self._take_budget(prompt + (max_tokens or _estimate_tokens(content)))
        if limited.status == 429:
            self._count(Fault.RATE_LIMITED)
            return limited
        fault = self._pick_fault(number)
        if fault == Fault.RATE_LIMITED:
            self._count(fault)
            return _error(429, "Synthetic rate limit.", "requests", "rate_limit_exceeded")
        if self.config.reject_json_schema and _wants_json_schema(request):
            self._count("json_schema_rejected")
            return _error(500, "JSON schema conversion failed (synthetic).", "server_error")
        await self._delay()
        answer = await self._fault_answer(fault, reader) if fault else None
        if answer is None:
            answer = self._completion(request, content, fault, prompt, max_tokens)
        answer.headers.extend(limited.headers)
        return answer

    def _take_budget(self, tokens: int) -> _Answer:
        """Charge one request and ``tokens``; a 429 when either bucket is short."""
        now = time.monotonic()
        charges = [
            (bucket, amount, kind)
            for bucket, amount, kind in (
                (self._requests, 1, "requests"),
                (self._tokens, tokens, "tokens"),
            )
            if bucket is not None
        ]
        for bucket, _, _ in charges:
            bucket.refill(now)
        wait, kind = max(((b.wait_for(amount), k) for b, amount, k in charges), default=(0.0, ""))
        if wait == 0:
            for bucket, amount, _ in charges:
                bucket.level -= amount
        headers = _limit_headers(charges)
        if wait == 0:
            return _Answer(200, {}, headers)
        if math.isinf(wait):
            message = f"Request too large: {tokens} tokens, limit {self.config.tpm} per minute."
        else:
            message = f"Rate limit reached for {kind}. Please try again in {format_reset(wait)}."
            headers += [
                ("retry-after", str(math.ceil(wait))),
                ("retry-after-ms", f"{wait * 1000:.0f}"),
            ]
        return _Answer(429, _error(429, message, kind, "rate_limit_exceeded").body, headers)

    def _pick_fault(self, number: int) -> Fault | None:
        if number in self.config.fault_at:
            return self.config.fault_at[number]
        draw = self._rng.random()
        for fault, rate in self.config.fault_rates.items():
            if draw < rate:
                return fault
            draw -= rate
        return None

    async def _delay(self) -> None:
        delay = self.config.latency + self._rng.uniform(0, self.config.jitter)
        if delay > 0:
            await asyncio.sleep(delay)

    async def _fault_answer(self, fault: Fault, reader: asyncio.StreamReader) -> _Answer | None:
        """The answer for a fault that is not a completion; ``None`` for those that are."""
        if fault == Fault.SERVER_ERROR:
            self._count(fault)
            return _error(500, "Synthetic internal server error.", "server_error")
        if fault == Fault.UNAVAILABLE:
            self._count(fault)
            return _error(503, "Synthetic overload; try again later.", "server_error")
        if fault == Fault.DROPPED:
            self._count(fault)
            raise _Drop
        if fault == Fault.TIMEOUT:
            self._count(fault)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    reader.read(1), self.config.hang
                )  # ends when client hangs up
            raise _Drop
        return None

    def _completion(
        self,
        request: Mapping[str, Any],
        content: str,
        fault: Fault | None,
        prompt: int,
        max_tokens: int | None,
    ) -> _Answer:
        finish = "length" if fault == Fault.LENGTH else "stop"
        text: str | None = content
        refusal = None
        if fault in (Fault.MALFORMED, Fault.LENGTH):
            text = content[: len(content) // 2]
        elif fault == Fault.REFUSAL:
            text, refusal = None, "I'm sorry, but I can't help with that request. (synthetic)"
        completion = _estimate_tokens(text or refusal or "")
        if fault == Fault.LENGTH and max_tokens:
            completion = max_tokens
        self._count(fault or "ok", prompt, completion)
        message = {"role": "assistant", "content": text, "refusal": refusal}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        body = {
            "id": f"chatcmpl-{self._run_id}{next(self._ids):010x}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.config.model,
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
            "system_fingerprint": "fp_fakeserver",
        }
        return _Answer(200, body)


def _limit_headers(charges: list[tuple[_Bucket, int, str]]) -> _Headers:
    headers = []
    for bucket, _, kind in charges:
        headers += [
            (f"x-ratelimit-limit-{kind}", str(int(bucket.capacity))),
            (f"x-ratelimit-remaining-{kind}", str(max(0, int(bucket.level)))),
            (f"x-ratelimit-reset-{kind}", format_reset(bucket.reset_in())),
        ]
    return headers


def _wants_json_schema(request: Mapping[str, Any]) -> bool:
    response_format = request.get("response_format")
    return isinstance(response_format, dict) and response_format.get("type") == "json_schema"


# ---- python -m summarizer.fakeserver -------------------------------------------------------


def _fault(value: str) -> Fault:
    try:
        return Fault(value)
    except ValueError:
        choices = ", ".join(f.value for f in Fault)
        raise argparse.ArgumentTypeError(f"unknown fault {value!r}; one of: {choices}") from None


def _fault_rate(text: str) -> tuple[Fault, float]:
    fault, _, rate = text.partition("=")
    try:
        return _fault(fault), float(rate)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected FAULT=RATE, got {text!r}") from None


def _fault_at(text: str) -> tuple[int, Fault]:
    number, _, fault = text.partition("=")
    try:
        return int(number), _fault(fault)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N=FAULT, got {text!r}") from None


def _parse_args(argv: Sequence[str] | None) -> FakeServerConfig:
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.fakeserver",
        description="A fake OpenAI-compatible chat server; every fault it produces is synthetic.",
        epilog="Example: python -m summarizer.fakeserver --port 8000 --latency 0.2 --rpm 500 "
        "--fault-rate server_error=0.01 --fault-at 3=dropped",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--model", default="fake-model")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--jitter", type=float, default=0.0, help="extra seconds, uniform")
    parser.add_argument("--rpm", type=int, help="requests per minute before 429")
    parser.add_argument("--tpm", type=int, help="tokens per minute before 429")
    parser.add_argument(
        "--fault-rate", type=_fault_rate, action="append", default=[], metavar="FAULT=RATE"
    )
    parser.add_argument(
        "--fault-at", type=_fault_at, action="append", default=[], metavar="N=FAULT"
    )
    parser.add_argument("--reject-json-schema", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    return FakeServerConfig(
        host=args.host,
        port=args.port,
        model=args.model,
        latency=args.latency,
        jitter=args.jitter,
        rpm=args.rpm,
        tpm=args.tpm,
        fault_rates=dict(args.fault_rate),
        fault_at=dict(args.fault_at),
        reject_json_schema=args.reject_json_schema,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> None:
    server = FakeServer(_parse_args(argv))
    ready = asyncio.Event()

    async def run() -> None:
        task = asyncio.create_task(server.serve(ready=ready))
        await ready.wait()
        print(server.base_url, flush=True)  # scripts read the port from here with --port 0
        await task

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
