"""``python -m summarizer.testing.fakeserver``: serve until interrupted, printing the base URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence

from summarizer.testing.fakeserver.config import FakeServerConfig, Fault
from summarizer.testing.fakeserver.server import FakeServer


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
        prog="python -m summarizer.testing.fakeserver",
        description="A fake OpenAI-compatible chat server; every fault it produces is synthetic.",
        epilog="Example: python -m summarizer.testing.fakeserver --port 8000 --latency 0.2 "
        "--rpm 500 "
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
