"""What the fake server can be told to do: its settings and the faults it can inject."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


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
    UNAUTHORIZED = "unauthorized"  # 401 invalid_api_key: the key is wrong
    FORBIDDEN = "forbidden"  # 403: the key may not use this model or project
    MODEL_NOT_FOUND = "model_not_found"  # 404 model_not_found
    BAD_SETTING = "bad_setting"  # 400 naming max_tokens: a setting the model refuses
    TOO_LONG = "too_long"  # 400 context_length_exceeded, naming messages: this article's fault


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
