"""Measure how many requests per second the fake server answers, with a minimal client.

The client is raw asyncio keep-alive HTTP in a separate process, so the figure is the
server's, not the openai SDK's. Usage: ``python bench/fakeserver_load.py [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import subprocess
import sys
import time
from multiprocessing.queues import Queue
from pathlib import Path

ARTICLE = (Path(__file__).parents[2] / "shared" / "seed-article.txt").read_text(encoding="utf-8")


def _request(port: int, variant: int = 0) -> bytes:
    body = json.dumps(
        {
            "model": "fake-model",
            "messages": [
                {"role": "system", "content": "Summarise the positions in the article."},
                {"role": "user", "content": f"<article>\n{ARTICLE}\nRef {variant}.\n</article>"},
            ],
            "response_format": {"type": "json_object"},
        }
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _worker(port: int, deadline: float, counts: list[int], requests: list[bytes]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < deadline:
        writer.write(requests[counts[0] % len(requests)])
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        counts[0] += 1
    writer.close()


async def _load(port: int, connections: int, seconds: float, distinct: int = 1) -> float:
    """Requests per second; ``distinct`` articles in rotation (the server caches 256)."""
    requests = [_request(port, n) for n in range(distinct)]
    counts = [0]
    start = time.perf_counter()
    await asyncio.gather(
        *(_worker(port, start + seconds, counts, requests) for _ in range(connections))
    )
    return counts[0] / (time.perf_counter() - start)


def _client(port: int, connections: int, seconds: float, distinct: int, out: Queue[float]) -> None:
    out.put(asyncio.run(_load(port, connections, seconds, distinct)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--distinct", type=int, default=1, help="articles in rotation")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testing.fakeserver", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().rsplit(":", 1)[1].split("/")[0])
        results: Queue[float] = multiprocessing.Queue()
        client = multiprocessing.Process(
            target=_client, args=(port, args.connections, args.seconds, args.distinct, results)
        )
        client.start()
        rate = results.get()
        client.join()
        print(
            f"{rate:.0f} requests/s over {args.connections} keep-alive connections, "
            f"{args.distinct} distinct article(s)"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
