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

or from a shell: ``python -m summarizer.testing.fakeserver --port 8000 --latency 0.2 --rpm 500``.

Routes: ``POST /v1/chat/completions``; ``GET /v1/models``; ``GET /stats`` (counts by outcome);
``DELETE /stats`` (reset). Outcomes counted: ``ok`` plus the ``Fault`` values plus
``json_schema_rejected`` and ``bad_request``.

Modules: ``config`` (settings, faults), ``answers`` (the Draft from the article), ``limits``
(RPM/TPM buckets and headers), ``http`` (the wire format), ``chat`` (the completions route and
its faults), ``stats`` (counts), ``server`` (lifecycle, connections, routing), ``__main__`` (CLI).
"""

from summarizer.testing.fakeserver.answers import build_draft
from summarizer.testing.fakeserver.config import FakeServerConfig, Fault
from summarizer.testing.fakeserver.limits import format_reset
from summarizer.testing.fakeserver.server import FakeServer
from summarizer.testing.fakeserver.stats import Stats

__all__ = ["FakeServer", "FakeServerConfig", "Fault", "Stats", "build_draft", "format_reset"]
