"""The batch runner's logic, with the in-process FakeLLM: lines, cache, resume, retries.

Every failure here (429s, 500s, slow answers) is scripted into the fake on purpose; none was
observed from a real provider. HTTP faults against the fake server are in test_batch_faults.py.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from summarizer.attribution import analyze
from summarizer.attribution.cancel import Cancelled, cancel_on, checkpoint
from summarizer.batch.cache import ResultCache
from summarizer.batch.limiter import RateLimiter
from summarizer.batch.progress import RunTotals
from summarizer.batch.runner import BatchRunner, abatch, offline_engine, run_batch
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, LLMError, TemplateError
from summarizer.llm import ChatRequest, ChatResponse
from summarizer.schema import Article, SummaryResult
from summarizer.sources.archive import Fields, Input, Record
from summarizer.sources.extract import MAX_FILE_BYTES
from summarizer.testing import FakeLLM
from summarizer.views.html import load_results
from tests.conftest import SEED

SETTINGS = Settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", retry_backoff=0.0)
SEED_TEXT = SEED.read_text(encoding="utf-8")
# Not a speed bound: how long to wait before calling a run that should end at once hung.
HANG_GUARD = 120.0


def article(n: int) -> dict[str, Any]:
    return {
        "id": f"a{n}",
        "title": f"Story {n}",
        "text": f"Story number {n}. The minister said: “We will act on item {n} now.”",
    }


def write_archive(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run(
    source: Path, output: Path, client: Any, *, cache: Any = None, **settings: Any
) -> RunTotals:
    return asyncio.run(
        run_batch(
            source,
            output,
            settings=SETTINGS.model_copy(update=settings),
            client=client,
            cache=cache,
            progress=False,
        )
    )


def test_one_line_per_input_record_including_bad_ones(tmp_path: Path) -> None:
    source = write_archive(
        tmp_path / "in.jsonl",
        [
            article(1),
            "{not json",
            {"id": "no-text", "title": "T"},
            {"id": "blank", "text": "   "},
            article(2),
            article(2),  # the same id twice: both records get a line
            {"id": 7, "body": "Numeric id, body field. It said “three words here”."},
        ],
    )
    out = tmp_path / "out.jsonl"
    fake = FakeLLM()
    totals = run(source, out, fake, concurrency=3)
    lines = read_lines(out)
    assert len(lines) == 7
    assert sorted(line["record"] for line in lines) == list(range(1, 8))
    by_record = {line["record"]: line for line in lines}
    assert [by_record[n]["ok"] for n in range(1, 8)] == [
        True,
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert by_record[2]["error"] == "InputError"
    assert by_record[2]["line"] == 2
    assert "malformed JSON" in by_record[2]["message"]
    assert by_record[3]["id"] == "no-text"
    assert "no text field" in by_record[3]["message"]
    assert by_record[4]["attempts"] == 0
    assert by_record[7]["id"] == "7"
    assert by_record[7]["article_id"] == "7"
    assert (totals.ok, totals.errors) == (4, 3)
    # The two identical records are one article: the second is served from the run's cache
    # only when a cache is configured; with none, each costs a call.
    assert len(fake.requests) == 4


def test_output_lines_are_what_summarizer_report_reads(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), "{bad"])
    out = tmp_path / "out.jsonl"
    run(source, out, FakeLLM())
    with out.open(encoding="utf-8") as lines:
        loaded = list(load_results(lines, source=str(out)))
    results = [r for r in loaded if isinstance(r, SummaryResult)]
    errors = [r for r in loaded if not isinstance(r, SummaryResult)]
    assert [r.article_id for r in results] == ["a1"]
    assert [e["error"] for e in errors] == ["InputError"]


def test_lines_carry_id_record_and_line_for_joining(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), "", article(2)])
    out = tmp_path / "out.jsonl"
    run(source, out, FakeLLM())
    lines = {line["id"]: line for line in read_lines(out)}
    assert (lines["a1"]["record"], lines["a1"]["line"]) == (1, 1)
    assert (lines["a2"]["record"], lines["a2"]["line"]) == (2, 3)  # blank lines are skipped
    assert lines["a2"]["title"] == "Story 2"


def test_second_run_over_the_same_archive_makes_no_calls(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(n) for n in range(6)])
    fake = FakeLLM()
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        run(source, tmp_path / "one.jsonl", fake, cache=cache)
        calls = len(fake.requests)
        totals = run(source, tmp_path / "two.jsonl", fake, cache=cache)
    assert calls == 6
    assert len(fake.requests) == calls
    assert totals.cached == 6
    assert all(line["cached"] for line in read_lines(tmp_path / "two.jsonl"))
    first = {x["id"]: {**x, "cached": None} for x in read_lines(tmp_path / "one.jsonl")}
    second = {x["id"]: {**x, "cached": None} for x in read_lines(tmp_path / "two.jsonl")}
    assert first == second


def test_a_duplicate_article_under_another_id_costs_no_call(tmp_path: Path) -> None:
    twin = {**article(1), "id": "twin"}
    source = write_archive(tmp_path / "in.jsonl", [article(1), twin])
    fake = FakeLLM()
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        run(source, tmp_path / "out.jsonl", fake, cache=cache, concurrency=1)
    lines = {x["id"]: x for x in read_lines(tmp_path / "out.jsonl")}
    assert len(fake.requests) == 1
    assert lines["twin"]["cached"]
    assert lines["twin"]["article_id"] == "twin"  # relabelled, not a stale copy


def test_cache_key_changes_with_model_and_options(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    fake = FakeLLM()
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        run(source, tmp_path / "1.jsonl", fake, cache=cache)
        run(source, tmp_path / "2.jsonl", fake, cache=cache, max_actors=3)
        run(source, tmp_path / "3.jsonl", fake, cache=cache, model="gpt-4.1-mini")
        run(source, tmp_path / "4.jsonl", fake, cache=cache, max_actors=3)
    assert len(fake.requests) == 3


def test_resume_skips_done_records_and_repairs_a_torn_last_line(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(n) for n in range(1, 11)])
    out = tmp_path / "out.jsonl"
    run(source, out, FakeLLM())
    complete = out.read_text(encoding="utf-8").splitlines(keepends=True)
    # As a kill -9 would leave it: four whole lines, then half of the fifth.
    out.write_text("".join(complete[:4]) + complete[4][:50], encoding="utf-8")
    fake = FakeLLM()
    totals = run(source, out, fake)
    lines = read_lines(out)
    assert sorted(x["id"] for x in lines) == sorted(f"a{n}" for n in range(1, 11))
    assert totals.skipped == 4
    assert len(fake.requests) == 6


def test_resume_with_retry_errors_tries_failed_records_again(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), article(2)])
    out = tmp_path / "out.jsonl"
    # An article's own failure (a 401 or 404 would stop the run: test_batch_faults.py).
    too_long = LLMError("HTTP 400: context too long.", status=400, param="messages")
    refusing = FakeLLM([too_long])
    run(source, out, refusing, concurrency=1, output_mode="json_object")
    assert sorted(x["ok"] for x in read_lines(out)) == [False, True]
    run(source, out, FakeLLM())  # a plain re-run keeps the error line
    assert len(read_lines(out)) == 2
    totals = asyncio.run(
        run_batch(
            source, out, settings=SETTINGS, client=FakeLLM(), retry_errors=True, progress=False
        )
    )
    assert totals.ok == 1
    assert [x["ok"] for x in read_lines(out)] == [True, True]


def test_429_with_retry_after_pauses_everyone_then_succeeds(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    limited = LLMError("HTTP 429", status=429, reason="rate_limit", retry_after=0.2)
    fake = FakeLLM([limited, limited])
    out = tmp_path / "out.jsonl"
    loop_time = asyncio.run(_timed(run_batch, source, out, fake))
    [line] = read_lines(out)
    assert line["ok"]
    assert len(fake.requests) == 3
    assert loop_time >= 0.4  # both Retry-After pauses were waited out


async def _timed(func: Any, source: Path, out: Path, client: Any) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    await func(source, out, settings=SETTINGS, client=client, progress=False)
    return loop.time() - start


@pytest.mark.parametrize(
    ("error", "calls"),
    [
        (LLMError("HTTP 500", status=500), 3),
        (LLMError("timed out", reason="timeout"), 3),
        (LLMError("HTTP 400: context too long", status=400, param="messages"), 1),
    ],
    # A connection that fails after every retry, a rejected key or an unknown model stops
    # the whole run instead (no line): test_batch_faults.py::test_an_unreachable_endpoint...
    # and test_a_run_fatal_answer_stops_the_run...
    ids=["500", "timeout", "400-not-retried"],
)
def test_transient_failures_are_retried_up_to_the_limit(
    tmp_path: Path, error: LLMError, calls: int
) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    fake = FakeLLM([error] * 5)
    out = tmp_path / "out.jsonl"
    # json_object: in auto mode a 500 on the first (probe) call means "no json_schema here".
    run(source, out, fake, max_attempts=3, output_mode="json_object")
    [line] = read_lines(out)
    assert not line["ok"]
    assert line["error"] == "LLMError"
    assert line["attempts"] == calls
    assert len(fake.requests) == calls


def test_connection_failures_are_retried_before_the_run_stops(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    fake = FakeLLM([LLMError("cannot connect", reason="connection")] * 5)
    out = tmp_path / "out.jsonl"
    with pytest.raises(LLMError, match="same command resumes"):
        run(source, out, fake, max_attempts=3, output_mode="json_object")
    assert len(fake.requests) == 3
    assert read_lines(out) == []  # no error line: a resumed run does the record


def test_json_schema_probe_rejection_falls_back_instead_of_retrying(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), article(2)])
    fake = FakeLLM(reject_json_schema=True)
    out = tmp_path / "out.jsonl"
    run(source, out, fake, concurrency=1)
    assert all(x["ok"] for x in read_lines(out))
    modes = [r.mode for r in fake.requests]
    assert modes == ["json_schema", "json_object", "json_object"]


class _Slow(FakeLLM):
    async def complete(self, request: ChatRequest) -> ChatResponse:
        await asyncio.sleep(5)
        return await super().complete(request)


def test_article_timeout_becomes_an_error_line(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    out = tmp_path / "out.jsonl"
    run(source, out, _Slow(), article_timeout=0.2)
    [line] = read_lines(out)
    assert line["error"] == "LLMError"
    assert line["reason"] == "timeout"
    assert "--article-timeout" in line["message"]


def test_rpm_ceiling_shapes_the_request_rate() -> None:
    records = [
        Record(n, n, f"a{n}", article=Article(text=f"Article {n}.", id=f"a{n}"))
        for n in range(1, 5)
    ]
    settings = SETTINGS.model_copy(update={"concurrency": 4, "rpm": 600})  # one per 0.1 s

    async def go() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        limiter = RateLimiter(rpm=600, burst=0)
        async for _ in abatch(records, settings=settings, client=FakeLLM(), limiter=limiter):
            pass
        return loop.time() - start

    assert asyncio.run(go()) >= 0.29  # four requests spaced 0.1 s apart


def test_abatch_yields_every_outcome_and_can_stop_early() -> None:
    records = [
        Record(n, n, f"a{n}", article=Article(text=f"Article {n}.", id=f"a{n}"))
        for n in range(1, 30)
    ]

    async def first_three() -> list[str]:
        seen = []
        async for outcome in abatch(records, settings=SETTINGS, client=FakeLLM()):
            seen.append(outcome.record.id)
            if len(seen) == 3:
                break
        return seen

    async def all_of_them() -> int:
        return len([o async for o in abatch(records, settings=SETTINGS, client=FakeLLM())])

    assert len(asyncio.run(first_three())) == 3
    assert asyncio.run(all_of_them()) == 29


def test_stop_finishes_in_flight_and_takes_no_new_work() -> None:
    records = [
        Record(n, n, f"a{n}", article=Article(text=f"Article {n}.", id=f"a{n}"))
        for n in range(1, 50)
    ]
    settings = SETTINGS.model_copy(update={"concurrency": 2})

    class Slowish(FakeLLM):
        async def complete(self, request: ChatRequest) -> ChatResponse:
            await asyncio.sleep(0.01)
            return await super().complete(request)

    runner = BatchRunner(settings, client=Slowish())
    seen: list[bool] = []

    async def emit(outcome: Any) -> None:
        seen.append(outcome.ok)
        if len(seen) == 3:
            runner.stop()

    asyncio.run(runner.run(records, emit))
    assert 3 <= len(seen) <= 3 + settings.concurrency
    assert all(seen)


def test_no_endpoint_stops_before_reading(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    settings = Settings()
    with pytest.raises(ConfigError, match="No LLM endpoint"):
        asyncio.run(run_batch(source, tmp_path / "out.jsonl", settings=settings, progress=False))
    assert not (tmp_path / "out.jsonl").exists()


def test_offline_runs_the_attribution_engine_with_no_endpoint_and_no_calls(
    tmp_path: Path,
) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), "{bad"])
    out = tmp_path / "out.jsonl"
    settings = Settings()  # no endpoint at all
    totals = asyncio.run(
        run_batch(source, out, settings=settings, engine=offline_engine(settings), progress=False)
    )
    lines = {x["id"]: x for x in read_lines(out)}
    assert len(lines) == 2
    assert lines["a1"]["provenance"]["engine"] == "offline"
    assert totals.calls == 0


def test_the_offline_engine_by_name_writes_the_same_lines_and_keeps_no_cache(
    tmp_path: Path,
) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), article(2), "{bad"])
    settings = Settings()  # no endpoint at all
    by_coroutine = tmp_path / "coroutine.jsonl"
    asyncio.run(
        run_batch(
            source, by_coroutine, settings=settings, engine=offline_engine(settings), progress=False
        )
    )
    by_name = tmp_path / "name.jsonl"
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        asyncio.run(
            run_batch(
                source, by_name, settings=settings, cache=cache, engine="offline", progress=False
            )
        )
        stats = cache.stats()
    assert (stats.count, stats.hits + stats.misses) == (0, 0)

    def comparable(path: Path) -> dict[str, Any]:
        rows = {row["id"]: row for row in read_lines(path)}
        for row in rows.values():
            if provenance := row.get("provenance"):
                del provenance["latency_s"], provenance["created_at"]
        return rows

    assert comparable(by_name) == comparable(by_coroutine)
    assert len(comparable(by_name)) == 3


def test_a_missing_archive_is_one_error_and_leaves_no_output_behind(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="no such file or folder") as caught:
        asyncio.run(run_batch(tmp_path / "nope.jsonl", out, settings=Settings(), engine="offline"))
    assert caught.value.source == str(tmp_path / "nope.jsonl")
    assert not out.exists()


def test_an_input_says_how_the_archive_is_read(tmp_path: Path) -> None:
    # A CSV in cp1252 whose text is in a "body" column: format, fields and encoding travel
    # together to the reader, and every record gets its line.
    source = tmp_path / "news.txt"  # a suffix that names no format
    rows = ["ref,body", 'x1,"Café owners said: “We will stay open,” on Monday."', "x2,"]
    source.write_bytes("\n".join(rows).encode("cp1252") + b"\n")
    out = tmp_path / "out.jsonl"
    settings = Settings()
    archive = Input(
        source, format="csv", fields=Fields(id="ref", text=("body",)), encoding="cp1252"
    )
    totals = asyncio.run(
        run_batch(archive, out, settings=settings, engine="offline", progress=False)
    )
    lines = {row["id"]: row for row in read_lines(out)}
    assert (totals.total, totals.written, totals.ok) == (2, 2, 1)
    assert lines["x1"]["line"] == 2
    (position,) = lines["x1"]["positions"]
    assert (position["actor"], position["quotes"][0]["text"]) == ("Café", "We will stay open")
    assert "the 'body' field is empty" in lines["x2"]["message"]


def test_summary_line_has_the_totals(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [article(1), "{bad"])
    totals = run(source, tmp_path / "out.jsonl", FakeLLM())
    summary = totals.summary()
    assert "2 written (1 ok, 0 from cache, 1 errors)" in summary
    assert "1 calls" in summary
    assert "$" in summary


def test_records_from_a_folder_have_no_line_but_an_id(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text("First article. It said “three whole words”.", "utf-8")
    (folder / "two.md").write_text("Second article, in Markdown.", "utf-8")
    out = tmp_path / "out.jsonl"
    run(folder, out, FakeLLM())
    lines = {x["id"]: x for x in read_lines(out)}
    assert set(lines) == {"one.txt", "two.md"}
    assert lines["one.txt"]["line"] is None


def test_resuming_a_folder_after_adding_a_file_adds_only_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("b.txt", "c.txt"):
        (folder / name).write_text(f"Article {name}. It said “three whole words”.", "utf-8")
    out = tmp_path / "out.jsonl"
    run(folder, out, FakeLLM())
    (folder / "a.txt").write_text("Article a.txt, added later.", "utf-8")

    totals = run(folder, out, FakeLLM())

    assert sorted(x["id"] for x in read_lines(out)) == ["a.txt", "b.txt", "c.txt"]
    assert totals.skipped == 2


def test_an_output_that_is_a_folder_stops_with_an_input_error(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "in.jsonl", [article(1)])
    with pytest.raises(InputError, match="is a folder; name a file inside it"):
        run(archive, tmp_path, FakeLLM())


# ---- issue 11: nothing breaks ------------------------------------------------------------


def test_a_truncated_gz_archive_summarises_what_it_can_then_reports_the_damage(
    tmp_path: Path,
) -> None:
    rows = [
        {
            "id": f"a{n}",
            "text": f"Story {n}: " + " ".join(str(n * k * 7919 % 100003) for k in range(60)),
        }
        for n in range(400)
    ]
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as archive:
        archive.writelines(json.dumps(row) + "\n" for row in rows)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.jsonl"

    with pytest.raises(InputError) as info:
        run(path, out, FakeLLM(), concurrency=4)

    lines = read_lines(out)
    assert 0 < len(lines) < len(rows)
    assert all(line["ok"] for line in lines)
    message = str(info.value)
    assert message.startswith(f"stopped: {path}: not a valid gzip file, or truncated")
    assert f"{len(lines)} lines were written to {out}" in message
    assert "resumes once the archive is repaired" in message


def test_a_batch_in_which_every_record_failed_says_so(tmp_path: Path) -> None:
    source = write_archive(tmp_path / "in.jsonl", [{"id": "x", "title": "no text field"}, "{bad"])

    totals = run(source, tmp_path / "out.jsonl", FakeLLM())

    assert totals.failed
    assert totals.summary().startswith("batch failed, no record succeeded: 2 written (0 ok")
    mixed = run(
        write_archive(tmp_path / "mixed.jsonl", [article(1), "{bad"]), tmp_path / "m", FakeLLM()
    )
    assert not mixed.failed
    assert mixed.summary().startswith("batch done")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% if %}", "syntax error"),
        ("{{ outlet }}", "'outlet' is undefined"),
    ],
    ids=["syntax", "undefined"],
)
def test_a_broken_house_template_stops_before_the_first_record(
    tmp_path: Path, template: str, message: str
) -> None:
    prompts = tmp_path / "house"
    prompts.mkdir()
    (prompts / "positions.user.j2").write_text(template, encoding="utf-8")
    source = write_archive(tmp_path / "in.jsonl", [article(n) for n in range(5)])
    out = tmp_path / "out.jsonl"
    fake = FakeLLM()

    with pytest.raises(TemplateError, match=message):
        run(source, out, fake, prompts_dir=prompts)

    assert not out.exists()
    assert fake.requests == []


def test_a_template_that_fails_on_one_article_stops_the_run(tmp_path: Path) -> None:
    # Renders for the check's sample (it has a title), fails on an article without one.
    prompts = tmp_path / "house"
    prompts.mkdir()
    user = (Path(__file__).parent.parent / "prompts" / "positions.user.j2").read_text("utf-8")
    (prompts / "positions.user.j2").write_text("{{ title.upper() }}\n" + user, "utf-8")
    untitled = {"id": "untitled", "text": article(2)["text"]}
    source = write_archive(tmp_path / "in.jsonl", [article(1), untitled])
    out = tmp_path / "out.jsonl"

    with pytest.raises(
        TemplateError, match=r"stopped: .*the same command resumes once that is fixed"
    ):
        run(source, out, FakeLLM(), prompts_dir=prompts, concurrency=1)

    assert all(line["ok"] for line in read_lines(out))  # no TemplateError line to skip later


def test_an_offline_article_past_its_time_is_abandoned_and_its_work_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in for an engine that would run far past the timeout (synthetic): it never
    finishes on its own, and calls the engine's checkpoint as the real loops do."""
    stopped = threading.Event()

    def endless(article: Article) -> SummaryResult:
        try:
            while True:
                checkpoint()
                time.sleep(0.001)
        except Cancelled:
            stopped.set()
            raise

    monkeypatch.setattr("summarizer.pipeline.run.summarize_offline", endless)
    source = write_archive(tmp_path / "in.jsonl", [article(1)])
    out = tmp_path / "out.jsonl"
    settings = Settings(article_timeout=0.05)
    finished = threading.Event()

    def batch() -> None:
        # asyncio.run returns only once the worker thread has ended: the old runner left it
        # spinning, and the process never exited.
        asyncio.run(
            run_batch(
                source, out, settings=settings, engine=offline_engine(settings), progress=False
            )
        )
        finished.set()

    runner = threading.Thread(target=batch, daemon=True)
    runner.start()
    runner.join(HANG_GUARD)
    assert finished.is_set(), "the run did not end: the abandoned article kept running"
    assert stopped.is_set()
    [line] = read_lines(out)
    assert line["error"] == "InputError"
    assert "offline engine gave up after 0.05s" in line["message"]
    assert "--article-timeout" in line["message"]
    assert "concurrency" not in line["message"]
    assert "calls" not in line["message"]


def test_the_engine_stops_at_its_checkpoints_once_cancelled() -> None:
    given_up = threading.Event()
    given_up.set()
    text = (SEED_TEXT + "\n\n") * 3

    assert analyze(text).quotes  # runs to the end when nobody gives up
    with cancel_on(given_up), pytest.raises(Cancelled):
        analyze(text)


def test_a_record_over_the_article_limit_is_one_error_line(tmp_path: Path) -> None:
    huge = {"id": "huge", "text": "Word. " * (MAX_FILE_BYTES // 6 + 10)}
    source = write_archive(tmp_path / "in.jsonl", [article(1), huge])
    out = tmp_path / "out.jsonl"
    settings = Settings()

    asyncio.run(
        run_batch(source, out, settings=settings, engine=offline_engine(settings), progress=False)
    )

    lines = {line["id"]: line for line in read_lines(out)}
    assert lines["a1"]["ok"]
    assert lines["huge"]["error"] == "InputError"
    assert "over the 20 MiB limit for one article" in lines["huge"]["message"]


def test_a_folder_with_guessed_encodings_gets_one_note(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_bytes("Hélène a dit que le coût était élevé.".encode("latin-1"))
    notes: list[str] = []

    asyncio.run(
        run_batch(
            folder,
            tmp_path / "out.jsonl",
            settings=SETTINGS,
            client=FakeLLM(),
            progress=False,
            notify=notes.append,
        )
    )

    guessed = [note for note in notes if "assumed cp1252" in note]
    assert len(guessed) == 1
    assert "a.txt" in guessed[0]
    assert "2 more files" in guessed[0]
