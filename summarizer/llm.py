"""The LLM call: the only module that imports openai.

Two layers:

- ``OpenAIChat`` is the transport: one chat completion against any OpenAI-compatible endpoint,
  SDK errors mapped to ``LLMError`` (after the SDK's own retries). ``summarizer.testing.FakeLLM``
  implements the same ``ChatModel`` protocol without a network.
- ``structured_call`` asks for JSON matching a pydantic model: picks the output mode (``auto``
  tries strict Structured Outputs and falls back to JSON mode once per client), refuses to
  parse refusals and truncated answers, re-asks with the validation errors fed back, and runs
  one optional follow-up check (the quote re-ask).

``OpenAIBatches`` makes the Batch API's Files and Batches calls (``batch.batchapi`` drives
them through the ``BatchEndpoint`` protocol). Both build their SDK client with
``_sdk_client`` and map its errors with ``_sdk_errors``: one construction, one set of messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from summarizer._secrets import remember
from summarizer.config import Settings
from summarizer.errors import LLMError, OutputValidationError
from summarizer.schema import Usage

if TYPE_CHECKING:  # the SDK takes a second to import: only calls that talk to a model load it
    import openai

    from summarizer.templates import Message

__all__ = [
    "TERMINAL",
    "BatchEndpoint",
    "BatchInfo",
    "ChatModel",
    "ChatRequest",
    "ChatResponse",
    "Mode",
    "OpenAIBatches",
    "OpenAIChat",
    "StreamProgress",
    "Structured",
    "http_error",
    "judge_response",
    "request_body",
    "send_schema_field",
    "shared_json_schema",
    "strict_json_schema",
    "structured_call",
    "watch_streams",
]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
Mode = Literal["json_schema", "json_object"]

# Statuses with which servers that lack Structured Outputs reject json_schema requests:
# llama.cpp answers 500, vLLM/Ollama versions 400 or 422, some gateways 501.
_REJECTS_JSON_SCHEMA = {400, 422, 500, 501}
_RATE_HEADERS = ("retry-after", "retry-after-ms", "x-request-id")


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to make."""

    messages: Sequence[Message]
    model: str
    mode: Mode
    schema: dict[str, Any]
    schema_name: str
    max_tokens: int
    temperature: float
    probe: bool = False
    """True for the first json_schema attempt in auto mode: no SDK retries, a rejection is
    expected from servers without Structured Outputs."""


@dataclass(frozen=True)
class ChatResponse:
    """What came back: the text and everything needed to judge it."""

    content: str | None
    finish_reason: str | None
    usage: Usage
    refusal: str | None = None
    request_id: str | None = None
    model: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamProgress:
    """How a streamed answer is coming along: for a live status while the model writes."""

    model: str
    elapsed_s: float
    chunks: int
    done: bool = False


_watcher: contextvars.ContextVar[Callable[[StreamProgress], None] | None] = contextvars.ContextVar(
    "summarizer_stream_watcher", default=None
)


@contextlib.contextmanager
def watch_streams(callback: Callable[[StreamProgress], None]) -> Iterator[None]:
    """Call ``callback`` as streamed answers arrive, in this context (the CLI's live status).

    The pipeline builds its clients deep inside; a context variable reaches them without a
    parameter on every function in between, and ``asyncio.run`` carries it into the loop.
    """
    token = _watcher.set(callback)
    try:
        yield
    finally:
        _watcher.reset(token)


class ChatModel(Protocol):
    """Anything that can answer a ChatRequest.

    ``supports_json_schema`` is None until the first auto-mode call finds out; it then holds
    the answer for the client's lifetime.
    """

    supports_json_schema: bool | None

    async def complete(self, request: ChatRequest) -> ChatResponse: ...


class OpenAIChat:
    """A ChatModel backed by the openai SDK (OpenAI, Azure OpenAI v1, vLLM, llama.cpp, Ollama).

    The SDK client it builds belongs to the event loop it first runs on (its connections
    do): a new loop gets a new one. Code that runs one loop per call (``asyncio.run`` each
    time) awaits ``aclose()`` before each loop ends; ``summarize()`` does so itself.

    Args:
        settings: Endpoint, key, timeout and retries.
        client: An ``openai.AsyncOpenAI`` to use instead of building one (for custom httpx
            transports, proxies or Azure); it is the caller's to close.
    """

    def __init__(self, settings: Settings, *, client: openai.AsyncOpenAI | None = None):
        self.settings = settings
        path = urlsplit(settings.base_url).path.rstrip("/") if settings.base_url else ""
        self._memory_key = f"{settings.endpoint_host}{path}|{settings.model}"
        known = _recall(settings.endpoint_memory, self._memory_key)
        self._remembered = known.get("json_schema")
        self._given = client
        self._client = client
        if client is not None:
            _remember_client(client)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._send_schema_field = send_schema_field(settings)
        # llama-cpp-python's server (interrupt_requests, on by default) drops a stream when
        # another request arrives: once seen, this client streams one answer at a time.
        self._one_stream_at_a_time = known.get("serial_streams") is True
        self._stream_turn: asyncio.Semaphore | None = None

    @property
    def supports_json_schema(self) -> bool | None:
        """None until the first auto-mode call finds out; remembered across processes when
        ``settings.endpoint_memory`` names a file (the CLI's default)."""
        return self._remembered

    @supports_json_schema.setter
    def supports_json_schema(self, value: bool | None) -> None:
        if value is not None and value != self._remembered:
            _remember(self.settings.endpoint_memory, self._memory_key, "json_schema", value)
        self._remembered = value

    def _sdk(self) -> openai.AsyncOpenAI:
        """The SDK client, rebuilt when a sync caller runs us on a new event loop."""
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = _sdk_client(self.settings)
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool (only the one this object built); the next call opens
        a new one."""
        if self._client is not None and self._given is None:
            await self._client.close()
            self._client = None
            self._loop = None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        client = self._sdk()
        if request.probe:
            client = client.with_options(max_retries=0)
        body = request_body(request, send_schema_field=self._send_schema_field)
        with _sdk_errors(self.settings, timeout=self._timeout):
            if self.settings.stream:
                return await self._stream_once_more_if_cut(client, body)
            raw = await client.chat.completions.with_raw_response.create(
                model=body["model"],
                messages=body["messages"],
                temperature=body["temperature"],
                max_tokens=body["max_tokens"],
                extra_body={"response_format": body["response_format"]},
            )
            completion = raw.parse()
        if not completion.choices:
            raise LLMError("The endpoint returned no choices.", request_id=raw.request_id)
        choice = completion.choices[0]
        usage = completion.usage
        return ChatResponse(
            content=choice.message.content,
            finish_reason=choice.finish_reason,
            refusal=getattr(choice.message, "refusal", None),
            usage=Usage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
            ),
            request_id=raw.request_id,
            model=completion.model,
            headers=_rate_headers(raw.headers),
        )

    async def _stream_once_more_if_cut(
        self, client: openai.AsyncOpenAI, body: dict[str, Any]
    ) -> ChatResponse:
        """A streamed answer; if the server cut the stream off (another request arrived),
        stream one answer at a time from now on and ask again, once."""
        try:
            return await self._turn(client, body)
        except _StreamCut:
            if not self._one_stream_at_a_time:
                logger.info(
                    "%s cut a stream off when another request arrived; streaming one answer "
                    "at a time from now on.",
                    self.settings.endpoint_host,
                )
                self._one_stream_at_a_time = True
                _remember(self.settings.endpoint_memory, self._memory_key, "serial_streams", True)
        try:
            return await self._turn(client, body)
        except _StreamCut as cut:
            raise LLMError(
                f"{self.settings.endpoint_host} cut the answer off twice before it was "
                "finished. Try again later, or set SUMMARIZER_STREAM=false.",
                reason="stream_cut",
            ) from cut

    async def _turn(self, client: openai.AsyncOpenAI, body: dict[str, Any]) -> ChatResponse:
        if not self._one_stream_at_a_time:
            return await self._streamed(client, body)
        if self._stream_turn is None:
            self._stream_turn = asyncio.Semaphore(1)
        async with self._stream_turn:
            return await self._streamed(client, body)

    async def _open_stream(self, client: openai.AsyncOpenAI, body: dict[str, Any]) -> Any:
        """The raw streamed response, or ``_StreamCut`` if its body broke off at once."""
        import httpx2
        import openai

        try:
            raw = await client.chat.completions.with_raw_response.create(
                model=body["model"],
                messages=body["messages"],
                temperature=body["temperature"],
                max_tokens=body["max_tokens"],
                stream=True,
                stream_options={"include_usage": True},
                extra_body={"response_format": body["response_format"]},
            )
        except openai.APIConnectionError as exc:
            # A body broken off after the server accepted the request is a cut (a transport
            # that reads the whole body first, as a recorder does, breaks here); a refused
            # connection is not.
            if isinstance(exc.__cause__, httpx2.RemoteProtocolError):
                raise _StreamCut(str(exc.__cause__)) from exc
            raise
        return raw

    async def _streamed(self, client: openai.AsyncOpenAI, body: dict[str, Any]) -> ChatResponse:
        """One streamed completion: the timeout bounds each wait for the next chunk, so a slow
        model that is still writing is never cut off and asked again behind itself."""
        import httpx2
        import openai

        raw = await self._open_stream(client, body)
        stream = raw.parse()
        watcher = _watcher.get()
        started = time.monotonic()
        text: list[str] = []
        refusal: list[str] = []
        finish: str | None = None
        model: str | None = None
        usage = Usage()
        chunks = 0
        try:
            async for chunk in stream:
                model = chunk.model or model
                usage = _usage_of(chunk, usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        text.append(choice.delta.content)
                        chunks += 1
                    if getattr(choice.delta, "refusal", None):
                        refusal.append(choice.delta.refusal or "")
                    finish = choice.finish_reason or finish
                if watcher is not None:
                    watcher(StreamProgress(body["model"], time.monotonic() - started, chunks))
        except openai.APITimeoutError:
            raise  # silence past the timeout: not a cut, the caller's timeout rules apply
        except (openai.APIConnectionError, httpx2.TransportError) as exc:
            # The server had answered 200 and begun the stream: a break now is a cut (seen
            # while llama.cpp was still reading the prompt, before the first chunk).
            raise _StreamCut(str(exc)) from exc
        if finish is None:
            raise _StreamCut("the stream ended without a finish reason")
        if watcher is not None:
            watcher(StreamProgress(body["model"], time.monotonic() - started, chunks, done=True))
        if usage.prompt_tokens == 0 and usage.completion_tokens == 0:
            # A server that ignores include_usage (llama-cpp-python's): count the prompt
            # ourselves, and one token per content chunk, which is what such servers send.
            from summarizer.tokens import count_messages, tokenizer_for

            tokenizer = tokenizer_for(body["model"], download=self.settings.tiktoken_download)
            usage = Usage(
                prompt_tokens=count_messages(tokenizer, body["messages"]), completion_tokens=chunks
            )
        return ChatResponse(
            content="".join(text) or None,
            finish_reason=finish,
            refusal="".join(refusal) or None,
            usage=usage,
            request_id=raw.request_id,
            model=model,
            headers=_rate_headers(raw.headers),
        )

    def _timeout(self) -> LLMError:
        wait = "between two parts of a streamed answer" if self.settings.stream else "per request"
        return LLMError(
            f"{self.settings.endpoint_host}: no answer for {self.settings.timeout:g}s {wait} "
            f"(after {self.settings.max_retries} retries). Raise SUMMARIZER_TIMEOUT, or try "
            "again later.",
            reason="timeout",
        )


class _StreamCut(Exception):
    """The server closed a stream before its finish (not an error the caller sees)."""


def _sdk_client(settings: Settings, *, timeout: float | None = None) -> openai.AsyncOpenAI:
    """The one place an SDK client is built: key, endpoint, timeout and the SDK's retries."""
    import openai

    key = settings.api_key
    return openai.AsyncOpenAI(
        api_key=key.get_secret_value() if key else "no-key-needed",
        base_url=settings.base_url,
        timeout=settings.timeout if timeout is None else timeout,
        max_retries=settings.max_retries,
    )


def _remember_client(client: openai.AsyncOpenAI) -> None:
    """A caller's client carries its own credentials: keep them out of logs and outputs too."""
    remember(api_key=client.api_key, url=str(client.base_url))


@contextlib.contextmanager
def _sdk_errors(settings: Settings, *, timeout: Callable[[], LLMError]) -> Iterator[None]:
    """SDK errors as LLMError, with the messages every call shares (after the SDK's retries)."""
    import openai

    try:
        yield
    except openai.APIStatusError as exc:
        raise _status_error(exc) from exc
    except openai.APITimeoutError as exc:
        raise timeout() from exc
    except openai.APIConnectionError as exc:
        raise LLMError(
            f"{settings.endpoint_host}: cannot connect ({exc.__cause__ or exc}). "
            "Check OPENAI_BASE_URL / --base-url and that the server is running.",
            reason="connection",
        ) from exc


def _usage_of(chunk: Any, usage: Usage) -> Usage:
    if chunk.usage is None:
        return usage
    return Usage(
        prompt_tokens=chunk.usage.prompt_tokens, completion_tokens=chunk.usage.completion_tokens
    )


def _rate_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower().startswith("x-ratelimit")}


def _recall(path: Path | None, key: str) -> dict[str, bool]:
    """What earlier processes learnt about this endpoint, fact by fact (never an error)."""
    if path is None:
        return {}
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = known.get(key) if isinstance(known, dict) else None
    if not isinstance(entry, dict):
        return {}
    return {fact: value for fact, value in entry.items() if isinstance(value, bool)}


def _remember(path: Path | None, key: str, fact: str, value: bool) -> None:
    """Write what this process learnt, atomically; a read-only cache folder only costs the
    next run one probe."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if not isinstance(known, dict):
            known = {}
        entry = known.get(key)
        known[key] = {**(entry if isinstance(entry, dict) else {}), fact: value}
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".endpoints-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(known, out, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError as exc:
        logger.info("Could not remember the endpoint's json_schema support in %s: %s", path, exc)


def send_schema_field(settings: Settings) -> bool:
    """Whether JSON mode also sends the schema: every endpoint but OpenAI's own reads it."""
    return settings.endpoint_host != "api.openai.com"


def request_body(request: ChatRequest, *, send_schema_field: bool) -> dict[str, Any]:
    """The JSON body of the chat completion for ``request``: what ``OpenAIChat`` sends, and
    what a Batch API request line carries (``batch.batchapi.files``), so the two never drift.
    """
    return {
        "model": request.model,
        "messages": list(request.messages),
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "response_format": _response_format(request, send_schema_field=send_schema_field),
    }


def _response_format(request: ChatRequest, *, send_schema_field: bool) -> dict[str, Any]:
    if request.mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {
                "name": request.schema_name,
                "strict": True,
                "schema": request.schema,
            },
        }
    # JSON mode. llama.cpp and vLLM also read a "schema" key and constrain the output to
    # it; OpenAI itself rejects unknown keys, so it gets plain JSON mode.
    if send_schema_field:
        return {"type": "json_object", "schema": request.schema}
    return {"type": "json_object"}


def _status_error(exc: openai.APIStatusError) -> LLMError:
    return http_error(
        exc.status_code,
        exc.body,
        request_id=exc.request_id,
        reason_phrase=exc.response.reason_phrase,
        retry_after=_retry_after(exc.response.headers),
    )


def http_error(
    status: int,
    body: object,
    *,
    request_id: str | None = None,
    reason_phrase: str = "",
    retry_after: float | None = None,
) -> LLMError:
    """The LLMError for an HTTP error answer (online, or a Batch API error line's response)."""
    detail = ""
    param = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        detail = str(inner.get("message", "") if isinstance(inner, dict) else inner)
        param = inner.get("param") if isinstance(inner, dict) else None
    elif isinstance(body, str):
        detail = body
    detail = " ".join(detail.split())[:300].rstrip(".") or reason_phrase or "no detail"
    if status == 429:
        hint = "Rate limited even after retries: lower the concurrency or --rpm, or wait."
    elif status in (401, 403):
        hint = "Check OPENAI_API_KEY."
    elif status == 404:
        hint = "Check the model name (--model) and OPENAI_BASE_URL."
    elif status == 400 and param:
        hint = f"The endpoint refused the request's {param!r}: check the settings."
    else:
        hint = "The endpoint failed; try again later."
    return LLMError(
        f"HTTP {status} from the endpoint: {detail}. {hint}",
        status=status,
        request_id=request_id,
        reason="rate_limit" if status == 429 else "http",
        retry_after=retry_after,
        param=param if isinstance(param, str) else None,
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


# ---- Batch API -------------------------------------------------------------------------

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch statuses after which nothing more will run (expired and cancelled batches may
still have partial output)."""


@dataclass(frozen=True)
class BatchInfo:
    """What ``GET /v1/batches/{id}`` says about a batch."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: str = ""

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


class BatchEndpoint(Protocol):
    """The Files and Batches calls a Batch API run makes (``OpenAIBatches``)."""

    async def upload(self, path: Path) -> str:
        """Upload a request file (purpose ``batch``); returns the file id."""
        ...

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        """Create a batch over an uploaded file, labelled with ``metadata``."""
        ...

    async def find(self, metadata: dict[str, str], *, limit: int = 100) -> BatchInfo | None:
        """The most recent batch labelled with ``metadata``, among the last ``limit``."""
        ...

    async def retrieve(self, batch_id: str) -> BatchInfo: ...

    async def download(self, file_id: str, path: Path) -> None:
        """Save a file's content to ``path``; a torn download never looks complete."""
        ...

    async def aclose(self) -> None: ...


class OpenAIBatches:
    """A BatchEndpoint backed by the openai SDK (OpenAI, or any server with these endpoints).

    The exchanges follow the API reference: ``POST /v1/files`` (purpose ``batch``),
    ``POST /v1/batches`` (endpoint ``/v1/chat/completions``, window ``24h``),
    ``GET /v1/batches/{id}``, ``GET /v1/batches`` (to find a batch whose creation was
    interrupted), ``GET /v1/files/{id}/content``. Errors are ``LLMError`` with the messages of
    online calls.

    Args:
        settings: Endpoint, key and retries; the timeout is at least 600 s (uploads of up to
            200 MB).
        client: An ``openai.AsyncOpenAI`` to use instead of building one.
    """

    def __init__(self, settings: Settings, *, client: openai.AsyncOpenAI | None = None):
        self.settings = settings
        self._given = client
        self._client = client
        if client is None:
            settings.require_endpoint()
        else:
            _remember_client(client)

    def _sdk(self) -> openai.AsyncOpenAI:
        if self._client is None:
            self._client = _sdk_client(self.settings, timeout=max(self.settings.timeout, 600.0))
        return self._client

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return _sdk_errors(self.settings, timeout=self._timeout)

    def _timeout(self) -> LLMError:
        return LLMError(
            f"{self.settings.endpoint_host}: the Batch API request timed out; run the same "
            "command again.",
            reason="timeout",
        )

    async def aclose(self) -> None:
        """Close the connection pool (only the one this object built)."""
        if self._client is not None and self._given is None:
            await self._client.close()
            self._client = None

    async def upload(self, path: Path) -> str:
        with self._errors(), path.open("rb") as handle:
            created = await self._sdk().files.create(file=handle, purpose="batch")
        return created.id

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        with self._errors():
            batch = await self._sdk().batches.create(
                input_file_id=input_file_id,
                endpoint="/v1/chat/completions",  # batch.batchapi.files.ENDPOINT
                completion_window="24h",
                metadata=metadata,
            )
        return _batch_info(batch)

    async def find(self, metadata: dict[str, str], *, limit: int = 100) -> BatchInfo | None:
        with self._errors():
            page = await self._sdk().batches.list(limit=limit)
        for batch in page.data:
            labels = batch.metadata or {}
            if all(labels.get(k) == v for k, v in metadata.items()):
                return _batch_info(batch)
        return None

    async def retrieve(self, batch_id: str) -> BatchInfo:
        with self._errors():
            return _batch_info(await self._sdk().batches.retrieve(batch_id))

    async def download(self, file_id: str, path: Path) -> None:
        partial = path.with_name(path.name + ".part")
        with self._errors():
            files = self._sdk().files
            async with files.with_streaming_response.content(file_id) as response:
                with partial.open("wb") as handle:
                    async for chunk in response.iter_bytes():
                        handle.write(chunk)
        partial.replace(path)


def _batch_info(batch: Any) -> BatchInfo:
    counts = batch.request_counts
    errors = batch.errors.data if batch.errors is not None and batch.errors.data else []
    return BatchInfo(
        id=batch.id,
        status=batch.status,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        total=counts.total if counts else 0,
        completed=counts.completed if counts else 0,
        failed=counts.failed if counts else 0,
        errors="; ".join(f"{e.code}: {e.message}" for e in errors[:3]),
    )


# ---- structured output -----------------------------------------------------------------


@dataclass(frozen=True)
class Structured(Generic[T]):
    """A validated answer and what it took to get it."""

    value: T
    raw: str
    attempts: int
    usage: Usage
    mode: Mode
    model: str | None


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the subset OpenAI's strict Structured Outputs accept.

    Every property required, no additional properties, no defaults or length keywords.
    """
    schema = model.model_json_schema()

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("default", "minLength", "maxLength", "title"):
                if key in node and not isinstance(node[key], dict):
                    node.pop(key)
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for item in node:
                fix(item)

    fix(schema)
    return schema


@functools.cache
def shared_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """strict_json_schema, built once per model (it costs milliseconds); read-only: copy it
    before changing it."""
    return strict_json_schema(model)


async def structured_call(
    chat: ChatModel,
    output_type: type[T],
    *,
    settings: Settings,
    messages_for: Callable[[bool], list[Message]],
    reask_message: Callable[[list[str]], str],
    validation_context: dict[str, Any] | None = None,
    followup: Callable[[T], str | None] | None = None,
    schema_for: Callable[[Mode], dict[str, Any]] | None = None,
) -> Structured[T]:
    """Ask for JSON matching ``output_type``, re-asking until valid or out of attempts.

    Args:
        chat: The transport.
        output_type: The pydantic model the answer must validate against.
        settings: Model, mode, temperature, output allowance and re-ask limit.
        messages_for: Renders the prompt; called with True when the schema must go into the
            prompt (JSON mode), False for strict Structured Outputs.
        reask_message: Renders the user message that feeds errors back.
        validation_context: Passed to pydantic (e.g. the actor limit).
        followup: Runs once on the first valid answer; a returned message is sent as one more
            turn (e.g. "these quotes are not in the article"), and its valid answer is kept.
        schema_for: The schema to send in a mode, when it is narrower than ``output_type``'s
            (one article's ids, say); the answer is still validated against ``output_type``.

    Raises:
        LLMError: The endpoint failed, refused, was filtered or stopped at the length limit.
        OutputValidationError: Still invalid after ``settings.max_reasks`` re-asks.
    """
    mode = _initial_mode(chat, settings)
    messages = messages_for(mode == "json_object")
    usage = Usage()
    attempts = reasks = 0
    followup_done = followup is None
    best: Structured[T] | None = None
    while True:
        probe = settings.output_mode == "auto" and chat.supports_json_schema is None
        request = ChatRequest(
            messages=messages,
            model=settings.model,
            mode=mode,
            schema=schema_for(mode) if schema_for else shared_json_schema(output_type),
            schema_name=output_type.__name__,
            max_tokens=settings.max_output_tokens,
            temperature=settings.temperature,
            probe=probe and mode == "json_schema",
        )
        attempts += 1
        try:
            response = await chat.complete(request)
        except LLMError as exc:
            if request.probe and exc.status in _REJECTS_JSON_SCHEMA:
                logger.info(
                    "Endpoint rejected json_schema (HTTP %s); using json_object from now on.",
                    exc.status,
                )
                chat.supports_json_schema = False
                mode = "json_object"
                messages = messages_for(True)
                continue
            raise
        if request.probe:
            chat.supports_json_schema = True
        usage = usage + response.usage
        try:
            answer = judge_response(
                response,
                output_type,
                settings=settings,
                mode=mode,
                validation_context=validation_context,
                attempts=attempts,
                usage=usage,
            )
        except OutputValidationError as invalid:
            if best is not None:
                # The follow-up answer broke the format: keep the earlier valid answer.
                return Structured(best.value, best.raw, attempts, usage, best.mode, best.model)
            if reasks >= settings.max_reasks:
                raise
            reasks += 1
            logger.info("Answer %d was invalid, asking again: %s", attempts, invalid.errors)
            messages = [
                *messages,
                {"role": "assistant", "content": invalid.raw_output},
                _user(reask_message(invalid.errors)),
            ]
            continue
        best = answer
        note = None if followup is None or followup_done else followup(answer.value)
        followup_done = True
        if note is None:
            return best
        logger.info("Answer %d is valid; one more turn: %s", attempts, note)
        messages = [*messages, {"role": "assistant", "content": answer.raw}, _user(note)]


def judge_response(
    response: ChatResponse,
    output_type: type[T],
    *,
    settings: Settings,
    mode: Mode,
    validation_context: dict[str, Any] | None = None,
    attempts: int = 1,
    usage: Usage | None = None,
) -> Structured[T]:
    """One raw answer judged: the validated value, or the error that says why there is none.

    ``structured_call`` judges every answer with it (and re-asks on OutputValidationError);
    answers that arrive outside a conversation, from the Batch API or a vLLM ``run_batch``
    output file, are judged by it once.

    Args:
        response: The answer: content, finish reason, refusal, usage.
        output_type: The pydantic model the content must validate against.
        settings: For the output allowance named in a length error.
        mode: The output mode the request used (recorded on the result).
        validation_context: Passed to pydantic (e.g. the actor limit).
        attempts: Calls made so far for this answer, reported on the result or error.
        usage: Tokens of every call so far; the response's own usage by default.

    Raises:
        LLMError: The model refused, was filtered, stopped at the length limit or said nothing.
        OutputValidationError: The content is not JSON matching ``output_type``; ``errors``
            says why, one line each, ready to feed back in a re-ask.
    """
    usage = response.usage if usage is None else usage
    raw = _usable_content(response, settings)
    value, errors = _parse(raw, output_type, validation_context)
    if value is None:
        plural = "" if attempts == 1 else "s"
        raise OutputValidationError(
            f"The model's output was still invalid after {attempts} attempt{plural}: "
            f"{'; '.join(errors[:3])}. Try a larger model, or raise SUMMARIZER_MAX_REASKS.",
            attempts=attempts,
            raw_output=raw,
            errors=errors,
            usage=usage.model_dump(),
        )
    return Structured(value, raw, attempts, usage, mode, response.model)


def _initial_mode(chat: ChatModel, settings: Settings) -> Mode:
    if settings.output_mode != "auto":
        return settings.output_mode
    return "json_object" if chat.supports_json_schema is False else "json_schema"


def _user(content: str) -> Message:
    return {"role": "user", "content": content}


_LOOP = re.compile(r"(.{4,80}?)\1{3,}\s*$", re.DOTALL)


def repeating_tail(text: str) -> str | None:
    """The piece of text an answer ends by repeating (four times or more), if it does: how a
    small model's answer runs into the output limit. Shortened for a message."""
    found = _LOOP.search(text[-2000:])
    if found is None:
        return None
    piece = found.group(1)
    return piece if len(piece) <= 40 else piece[:37] + "..."


def _usable_content(response: ChatResponse, settings: Settings) -> str:
    """The answer text, or an LLMError for refusals, filtering and truncation."""
    rid = response.request_id
    if response.refusal:
        raise LLMError(
            f"The model refused: {response.refusal[:200]}", reason="refusal", request_id=rid
        )
    if response.finish_reason == "length":
        limit = settings.max_output_tokens
        loop = repeating_tail(response.content or "")
        if loop is not None:
            # A small model caught in a loop: more room would only be filled with more of it.
            raise LLMError(
                f"The answer was cut off at the {limit}-token output limit while the model "
                f"repeated {loop!r} over and over, so it was not used. Try again with another "
                "model or template (a larger model rarely loops).",
                reason="length",
                request_id=rid,
            )
        raise LLMError(
            f"The answer was cut off at the {limit}-token output limit, so it was not used. "
            "Raise SUMMARIZER_MAX_OUTPUT_TOKENS or lower SUMMARIZER_MAX_ACTORS.",
            reason="length",
            request_id=rid,
        )
    if response.finish_reason == "content_filter":
        raise LLMError(
            "The provider's content filter stopped the answer.",
            reason="content_filter",
            request_id=rid,
        )
    if not response.content:
        raise LLMError("The model returned an empty answer.", reason="empty", request_id=rid)
    return response.content


def _parse(
    raw: str, output_type: type[T], context: dict[str, Any] | None
) -> tuple[T | None, list[str]]:
    try:
        data = json.loads(_strip_fences(raw))
    except json.JSONDecodeError as exc:
        return None, [f"The reply is not valid JSON ({exc.msg} at character {exc.pos})."]
    try:
        return output_type.model_validate(data, context=context), []
    except ValidationError as exc:
        return None, [_describe(error) for error in exc.errors()]


def _strip_fences(raw: str) -> str:
    text = raw.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _describe(error: Any) -> str:
    """One pydantic error as a line the model can act on."""
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in error["loc"])
    if not where:
        return message
    got = error.get("input")
    if isinstance(got, dict | list):
        return f"{where}: {message}"
    return f"{where}: {message} (got {json.dumps(got)[:80]})"
