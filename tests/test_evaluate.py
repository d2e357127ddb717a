"""summarizer eval and summarizer.evaluation: gold files, the scoring rules, the figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer.cli import Injected, cli
from summarizer.config import Settings
from summarizer.errors import InputError, LLMError
from summarizer.evaluation import evaluate, load_gold, score_quotes
from summarizer.evaluation.gold import GoldRecord, GoldSpeaker, parse_gold_line
from summarizer.evaluation.score import ShownQuote, overlaps, speaker_matches
from summarizer.testing import FakeLLM

BRIDGE = (
    "Council backs new bridge\n\nThe city council voted on Tuesday to build a new bridge over "
    'the river. "This bridge will connect our neighbourhoods," said Mayor Anna Berg. Opposition '
    'leader Tom Reed disagreed. "We cannot afford it this year," Reed said.'
)
CLINIC = (
    "Clinic hours cut\n\nThe regional clinic will close on Sundays from March. "
    '"Patients will wait longer for care," said Dr. Maria Lopez, who runs the emergency ward. '
    'Health minister Paul Jansen defended the "temporary" change. "The budget leaves us no '
    'choice," Jansen told reporters.'
)
GOLD = [
    {
        "id": "bridge",
        "text": BRIDGE,
        "speakers": [
            {
                "name": "Anna Berg",
                "kind": "named",
                "mentions": ["Mayor Anna Berg"],
                "quotes": ["This bridge will connect our neighbourhoods,"],
            },
            {
                "name": "Tom Reed",
                "kind": "named",
                "mentions": ["Reed"],
                "quotes": ["We cannot afford it this year,"],
            },
        ],
    },
    {
        "id": "clinic",
        "text": CLINIC,
        "speakers": [
            {
                "name": "Maria Lopez",
                "kind": "named",
                "mentions": ["Dr. Maria Lopez"],
                "quotes": ["Patients will wait longer for care,"],
            },
            {
                "name": "Paul Jansen",
                "kind": "named",
                "mentions": ["Jansen"],
                "quotes": ["The budget leaves us no choice,"],
            },
        ],
        "ignored_quotes": [
            {"quote": "temporary", "offset": [CLINIC.index("temporary"), CLINIC.index(" change")]}
        ],
    },
]
SETTINGS = Settings(api_key="test", model="gpt-4o-mini", max_reasks=0)


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GOLD), encoding="utf-8")
    return path


def _draft(*positions: tuple[str, list[str], list[str]]) -> dict[str, Any]:
    """A model answer: (actor's name, cited quote and statement ids, new quotes) per position."""
    return {
        "issue": "What is at stake?",
        "summary": "A summary.",
        "positions": [
            {
                "actor": actor,
                "kind": "person",
                "role": "",
                "evidence": ids,
                "stance": "unclear",
                "position": "They spoke.",
                "new_quotes": new,
            }
            for actor, ids, new in positions
        ],
    }


def _record(data: dict[str, Any]) -> GoldRecord:
    return parse_gold_line(json.dumps(data), source="gold.jsonl", number=1)


def _run(gold: Path, replies: list[Any] | None = None, **overrides: Any) -> dict[str, Any]:
    settings = SETTINGS.model_copy(update=overrides)
    report = evaluate(load_gold(gold), settings=settings, client=FakeLLM(replies or []))
    return report.to_dict()


def test_a_perfect_answer_scores_one(gold: Path) -> None:
    figures = _run(gold)
    for scope in ("shown", "model_only"):
        assert figures[scope]["quote_recall"] == 1.0
        assert figures[scope]["quote_precision"] == 1.0
        assert figures[scope]["attribution_accuracy"] == 1.0
        assert figures[scope]["named_speaker_recall"] == 1.0
        assert figures[scope]["verbatim_rate"] == 1.0
    assert figures["positions_with_evidence"] == 1.0
    assert figures["actors_added_by_tool"] == 0.0
    assert figures["calls_per_article"] == 1.0
    assert figures["failed"] == 0
    assert figures["cost_usd"] > 0


def test_a_misattributed_quote_lowers_attribution_when_the_model_has_authority(
    gold: Path,
) -> None:
    swapped = _draft(("Anna Berg", ["Q2"], []), ("Tom Reed", ["Q1"], []))  # for the bridge
    by_model = _run(gold, [swapped], speaker_authority="model")
    assert by_model["shown"]["attribution_accuracy"] == 0.5  # bridge 0/2, clinic 2/2
    assert by_model["shown"]["quote_recall"] == 1.0
    by_engine = _run(gold, [swapped], speaker_authority="engine")
    assert by_engine["shown"]["attribution_accuracy"] == 1.0
    # One run scores both authorities: the model's speakers, on the same answer.
    assert by_engine["model_says"]["attribution_accuracy"] == 0.5
    assert by_model["model_says"]["attribution_accuracy"] == 0.5


def test_an_invented_quote_lowers_precision_and_verbatim(gold: Path) -> None:
    invented = _draft(
        ("Anna Berg", ["Q1"], ["We will build it for free"]), ("Tom Reed", ["Q2"], [])
    )
    figures = _run(gold, [invented])
    shown = figures["shown"]
    assert shown["quotes_shown"] == 5
    assert shown["quote_precision"] == 0.8
    assert shown["verbatim_rate"] == 0.8
    assert shown["quote_recall"] == 1.0
    mistakes = figures["per_article"][0]["mistakes"]
    assert {m["kind"] for m in mistakes} == {"false_positive", "not_verbatim"}


def test_a_quote_on_an_ignored_span_is_dont_care(gold: Path) -> None:
    perfect = _draft(("Anna Berg", ["Q1"], []), ("Tom Reed", ["Q2"], []))
    scare = _draft(("Maria Lopez", ["Q1"], []), ("Paul Jansen", ["Q2"], ["temporary"]))
    figures = _run(gold, [perfect, scare])
    assert figures["shown"]["dont_care"] == 1
    assert figures["shown"]["quote_precision"] == 1.0


def test_a_left_out_actor_counts_for_shown_but_not_for_the_model(gold: Path) -> None:
    only_berg = _draft(("Anna Berg", ["Q1"], []))
    figures = _run(gold, [only_berg])  # max_reasks 0: one call, no re-ask for Tom Reed
    assert figures["shown"]["quote_recall"] == 1.0
    assert figures["model_only"]["quote_recall"] == 0.75
    assert figures["model_only"]["named_speaker_recall"] == 0.75
    assert figures["actors_added_by_tool"] == 0.25
    assert figures["calls_per_article"] == 1.0


def test_a_failed_article_counts_its_gold_as_missed(gold: Path) -> None:
    failure = LLMError("HTTP 503 from the endpoint.", status=503)
    figures = _run(gold, [failure])
    assert figures["failed"] == 1
    assert figures["per_article"][0]["calls"] == 1
    assert figures["shown"]["quote_recall"] == 0.5
    assert "HTTP 503" in figures["per_article"][0]["error"]


def test_a_rejected_json_schema_probe_is_a_call_once_per_run(gold: Path) -> None:
    settings = SETTINGS.model_copy(update={"output_mode": "auto"})
    client = FakeLLM(reject_json_schema=True)
    figures = evaluate(load_gold(gold), settings=settings, client=client).to_dict()
    assert [row["calls"] for row in figures["per_article"]] == [2, 1]
    assert figures["calls_per_article"] == 1.5


def test_an_unknown_price_is_unknown(gold: Path) -> None:
    figures = _run(gold, model="house-model-7b")
    assert figures["cost_usd"] is None


def test_offline_scores_the_engine_alone_without_calls(gold: Path) -> None:
    report = evaluate(load_gold(gold), settings=SETTINGS, engine="offline")
    figures = report.to_dict()
    assert figures["shown"]["quote_recall"] == 1.0
    assert figures["shown"]["attribution_accuracy"] == 1.0
    assert figures["model_only"] is None
    assert figures["calls_per_article"] == 0
    assert figures["cost_usd"] == 0.0
    assert figures["actors_added_by_tool"] == 1.0


@pytest.mark.parametrize(
    ("shown", "gold_span", "matches"),
    [((10, 20), (10, 20), True), ((12, 18), (0, 40), True), ((0, 10), (8, 30), False)],
    ids=["same", "inside", "small-overlap"],
)
def test_overlap_rule(shown: tuple[int, int], gold_span: tuple[int, int], matches: bool) -> None:
    assert overlaps(shown, gold_span) is matches


def test_score_quotes_gives_a_gold_match_priority_over_ignored() -> None:
    record = _record(GOLD[1])
    start = CLINIC.index("temporary")
    quotes = [ShownQuote("temporary", start, start + 9, "Paul Jansen")]
    counts = score_quotes(record, quotes)
    assert (counts.shown, counts.counted, counts.dont_care) == (1, 0, 1)
    assert counts.precision is None


def test_a_gold_speaker_with_an_apposition_is_matched_by_the_name_before_it() -> None:
    speaker = GoldSpeaker(name="Celebi, die Anwältin der Frau", kind="mention")
    assert speaker_matches("Gülsen Celebi", speaker)
    assert not speaker_matches("Frau Meyer", speaker)  # not by the apposition's last word


def test_gold_offsets_are_found_when_left_out_and_checked_when_given() -> None:
    record = _record(GOLD[0])
    (span, speaker), _ = record.gold_quotes
    assert BRIDGE[span[0] : span[1]] == "This bridge will connect our neighbourhoods,"
    assert speaker.name == "Anna Berg"
    wrong = json.loads(json.dumps(GOLD[0]))
    wrong["speakers"][0]["quote_offsets"] = [[0, 10]]
    with pytest.raises(InputError, match=r"gold.jsonl:1: 'Anna Berg': text\[0:10\] is not"):
        _record(wrong)


# ---- the command ---------------------------------------------------------------------------


def _invoke(args: list[str], client: FakeLLM | None = None) -> Any:
    return CliRunner().invoke(cli, ["eval", *args], obj=Injected(client=client))


def test_cli_text_report(gold: Path) -> None:
    result = _invoke([str(gold), "--model", "gpt-4o-mini"], FakeLLM())
    assert result.exit_code == 0, result.stderr
    assert "2 articles (0 failed)" in result.stdout
    assert "quote recall" in result.stdout
    assert "[2/2] clinic: 2/2 gold quotes, 1 calls" in result.stderr


def test_cli_offline_needs_no_endpoint(gold: Path) -> None:
    result = _invoke([str(gold), "--offline", "--limit", "1", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["articles"] == 1
    assert figures["engine"] == "offline"
    assert figures["shown"]["quote_recall"] == 1.0


def test_cli_json_round_trips_into_compare(gold: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "engine.json", tmp_path / "model.json"
    swapped = _draft(("Anna Berg", ["Q2"], []), ("Tom Reed", ["Q1"], []))  # for the bridge
    for path, authority in ((a, "engine"), (b, "model")):
        args = [str(gold), "--format", "json", "-o", str(path), "--speaker-authority", authority]
        result = _invoke(args, FakeLLM([swapped]))
        assert result.exit_code == 0, result.stderr
    result = _invoke(["--compare", str(a), str(b)])
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("attribution"))
    assert row.split()[-3:] == ["1.000", "0.500", "-0.500"]
    assert "speaker_authority" in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"speakers": []}', "text: Field required"),
        (
            json.dumps({"text": "Short text.", "speakers": [{"name": "A", "quotes": ["gone"]}]}),
            "'A': the quote 'gone' is not in the text",
        ),
        (
            json.dumps(
                {
                    "text": "Short text.",
                    "speakers": [{"name": "A", "quotes": ["Short"], "quote_offsets": []}],
                }
            ),
            "'A' has 1 quotes but 0 quote_offsets",
        ),
    ],
    ids=["not-json", "not-object", "no-text", "quote-not-in-text", "offsets-not-parallel"],
)
def test_a_bad_gold_line_is_one_line_naming_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n" + line + "\n", encoding="utf-8")
    result = _invoke([str(path), "--offline"])
    assert result.exit_code == 1
    assert f"gold.jsonl:2: {message}" in result.stderr
    assert "README" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output + result.stderr


def test_an_impossible_output_fails_before_any_call(gold: Path, tmp_path: Path) -> None:
    client = FakeLLM()
    result = _invoke([str(gold), "-o", str(tmp_path / "missing" / "out.json")], client)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert client.requests == []


def test_a_broken_house_template_is_one_error_before_any_call(gold: Path, tmp_path: Path) -> None:
    house = tmp_path / "house"
    house.mkdir()
    (house / "positions.user.j2").write_text("{{ article }} {{ outlet }}", encoding="utf-8")
    client = FakeLLM()
    result = _invoke([str(gold), "--prompts", str(house)], client)
    assert result.exit_code == 1
    assert "'outlet' is undefined" in result.stderr
    assert result.stderr.count("\n") == 1
    assert client.requests == []


def test_compare_refuses_a_file_that_is_not_a_report(gold: Path) -> None:
    result = _invoke(["--compare", str(gold), str(gold)])
    assert result.exit_code == 1
    assert "not a saved evaluation" in result.stderr
