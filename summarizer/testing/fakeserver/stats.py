"""What the fake server has served: a thread-safe tally and its ``Stats`` snapshots."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any


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


class Tally:
    """Counts outcomes, tokens and connections; the server's thread and a caller's may race."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def count(self, outcome: str, prompt: int = 0, completion: int = 0) -> None:
        with self._lock:
            self._outcomes[str(outcome)] += 1  # plain strings, not Fault members, in stats
            self._prompt_tokens += prompt
            self._completion_tokens += completion

    def connected(self) -> None:
        with self._lock:
            self._connections += 1

    def reset(self) -> None:
        with self._lock:
            self._reset()

    def snapshot(self) -> Stats:
        with self._lock:
            return Stats(
                total=sum(self._outcomes.values()),
                by_outcome=dict(self._outcomes),
                prompt_tokens=self._prompt_tokens,
                completion_tokens=self._completion_tokens,
                connections=self._connections,
            )

    def _reset(self) -> None:
        self._outcomes: Counter[str] = Counter()
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._connections = 0
