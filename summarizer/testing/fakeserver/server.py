"""The fake server itself: start and stop, keep-alive connections, and routing."""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from dataclasses import replace
from types import TracebackType
from typing import Any

from summarizer.testing.fakeserver.chat import Chat
from summarizer.testing.fakeserver.config import FakeServerConfig
from summarizer.testing.fakeserver.http import Answer, Drop, encode, error, parse_head
from summarizer.testing.fakeserver.stats import Stats, Tally


class FakeServer:
    """The fake server; start it with ``with``, ``async with``, ``start()`` or ``serve()``.

    ``with`` and ``async with`` run it in a background thread with its own event loop, so the
    test's loop is never slowed by the server. ``config`` fields can be passed as keywords:
    ``FakeServer(latency=0.1, fault_at={2: Fault.SERVER_ERROR})``.
    """

    def __init__(self, config: FakeServerConfig | None = None, /, **changes: Any) -> None:
        self.config = replace(config or FakeServerConfig(), **changes)
        self.port = self.config.port
        self._ids = itertools.count(1)  # request ids and completion ids share one sequence
        self._run_id = os.urandom(4).hex()
        self._tally = Tally()
        self._chat = Chat(self.config, self._tally, self._next_id)
        self._requests = self._chat.limits.requests  # tests drain it to force a 429
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
        return self._tally.snapshot()

    def reset_stats(self) -> None:
        self._tally.reset()

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

    def _next_id(self) -> str:
        return f"{self._run_id}{next(self._ids):010x}"

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
        self._tally.connected()
        try:
            await self._serve_connection(reader, writer)
        except (
            Drop,
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
            method, path, version, headers = parse_head(head)
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request_id = f"req_{self._next_id()}"
            answer = await self._route(method, path, body, reader)
            keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            writer.write(encode(answer, request_id=request_id, keep_alive=keep_alive))
            await writer.drain()
            if not keep_alive:
                return

    async def _route(
        self, method: str, path: str, body: bytes, reader: asyncio.StreamReader
    ) -> Answer:
        if path == "/v1/chat/completions" and method == "POST":
            return await self._chat.answer(body, reader)
        if path == "/stats" and method == "GET":
            return Answer(200, self.stats.to_dict())
        if path == "/stats" and method == "DELETE":
            self.reset_stats()
            return Answer(200, self.stats.to_dict())
        if path == "/v1/models" and method == "GET":
            model = {"id": self.config.model, "object": "model", "owned_by": "fakeserver"}
            return Answer(200, {"object": "list", "data": [model]})
        return error(404, f"No route for {method} {path}.", "invalid_request_error")
