"""The answer schema of one article: only its evidence ids, and in JSON mode a slot per quoted
actor; and the article with the ids marked where each item begins."""

from __future__ import annotations

import json
import re
from typing import Any

from summarizer.attribution import analyze
from summarizer.batch.batchapi.files import request_line
from summarizer.config import Settings
from summarizer.pipeline import plan
from summarizer.pipeline.answer import answer_schema
from summarizer.pipeline.evidence import Evidence, marked
from summarizer.schema import Draft

MARKER = re.compile(r"\[[QS]\d+\]")
SETTINGS = Settings(model="gpt-4o-mini", api_key="sk-test-not-real")


def evidence_of(text: str) -> Evidence:
    return Evidence.from_attribution(analyze(text))


def walk(node: Any) -> list[dict[str, Any]]:
    """Every object in a schema."""
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


def test_strict_mode_gets_the_ids_as_an_enum_and_stays_strict(seed_text: str) -> None:
    evidence = evidence_of(seed_text)

    schema = answer_schema(evidence, "json_schema", max_actors=8)

    position = schema["$defs"]["DraftPosition"]
    assert position["properties"]["evidence"]["items"] == {"enum": [i.id for i in evidence.items]}
    assert schema["properties"]["positions"]["items"] == {"$ref": "#/$defs/DraftPosition"}
    for node in walk(schema):
        assert "prefixItems" not in node
        assert "minItems" not in node
        assert "const" not in node
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])


def test_json_mode_gives_each_engine_actor_a_slot_it_cannot_miss(seed_text: str) -> None:
    evidence = evidence_of(seed_text)
    names = {a.name: a for a in evidence.actors}
    # Most quoted first, then by statements, then in document order.
    first = ["Olaf Scholz", "Keir Starmer", "Antonio Costa", "Pedro Sanchez"]
    assert len(evidence.actors) == 5
    quoted = [names[n] for n in first] + [a for a in evidence.actors if a.name not in first]

    schema = answer_schema(evidence, "json_object", max_actors=7)

    shapes = schema["properties"]["positions"]["anyOf"]
    # Five slots, then none to two free entries: at most seven positions in all.
    assert [len(shape["prefixItems"]) for shape in shapes] == [5, 6, 7]
    for shape in shapes:
        slots = shape["prefixItems"][:5]
        assert slots == [{"$ref": f"#/$defs/Slot{a.id}"} for a in quoted]
        assert all(x == {"$ref": "#/$defs/DraftPosition"} for x in shape["prefixItems"][5:])
    costa = schema["$defs"][f"Slot{names['Antonio Costa'].id}"]["properties"]
    assert costa["evidence"]["items"]["enum"] == list(names["Antonio Costa"].statement_ids)
    scholz = schema["$defs"][f"Slot{quoted[0].id}"]["properties"]
    assert scholz["actor"] == {"const": "Olaf Scholz"}
    assert scholz["evidence"]["items"]["enum"] == [*quoted[0].quote_ids, *quoted[0].statement_ids]
    assert scholz["evidence"]["minItems"] == 1
    # The free entries may cite any id.
    free = schema["$defs"]["DraftPosition"]["properties"]["evidence"]["items"]
    assert free == {"enum": [i.id for i in evidence.items]}


def test_an_answer_in_the_slots_is_a_valid_draft(seed_text: str) -> None:
    evidence = evidence_of(seed_text)
    schema = answer_schema(evidence, "json_object", max_actors=8)
    slots = [
        schema["$defs"][ref["$ref"].rsplit("/", 1)[1]]
        for ref in schema["properties"]["positions"]["anyOf"][0]["prefixItems"]
    ]

    answer = {
        "issue": "Should Europe send troops?",
        "summary": "Leaders met in Paris.",
        "positions": [
            {
                key: value
                for key, value in {
                    "actor": slot["properties"]["actor"]["const"],
                    "kind": "person",
                    "role": "",
                    "evidence": slot["properties"]["evidence"]["items"]["enum"][:1],
                    "stance": "conditional",
                    "position": "A view.",
                    "new_quotes": [],
                }.items()
                if key in slot["properties"]
            }
            for slot in slots
        ],
    }

    draft = Draft.model_validate_json(json.dumps(answer))
    assert [p.actor for p in draft.positions][:2] == ["Olaf Scholz", "Keir Starmer"]


def test_a_slot_asks_only_for_what_the_engine_does_not_know(seed_text: str) -> None:
    text = seed_text + '\n\n"We will wait and see what the summit brings," said John Smith.\n'
    evidence = evidence_of(text)
    smith = evidence.actor_named("John Smith")
    scholz = evidence.actor_named("Olaf Scholz")
    assert smith is not None
    assert not smith.role
    assert scholz is not None
    assert scholz.role == "German Chancellor"

    defs = answer_schema(evidence, "json_object", max_actors=8)["$defs"]

    # The role comes from the evidence where it has one; an evidence actor's quotes are ids.
    assert list(defs[f"Slot{scholz.id}"]["properties"]) == [
        "actor", "kind", "evidence", "stance", "position"
    ]  # fmt: skip
    assert defs[f"Slot{scholz.id}"]["required"] == list(defs[f"Slot{scholz.id}"]["properties"])
    assert "role" in defs[f"Slot{smith.id}"]["required"]
    assert "new_quotes" not in defs[f"Slot{smith.id}"]["properties"]
    # A free entry, for an actor the engine did not find, is asked for everything.
    assert defs["DraftPosition"]["required"] == [
        "actor", "kind", "role", "evidence", "stance", "position", "new_quotes"
    ]  # fmt: skip


def test_an_article_without_quotes_gets_the_plain_list(seed_text: str) -> None:
    evidence = evidence_of("The council met on Tuesday. The vote was delayed.")

    schema = answer_schema(evidence, "json_object", max_actors=8)

    assert schema["properties"]["positions"]["items"] == {"$ref": "#/$defs/DraftPosition"}


def test_actors_past_the_limit_get_no_slot(seed_text: str) -> None:
    evidence = evidence_of(seed_text)

    schema = answer_schema(evidence, "json_object", max_actors=1)

    (shape,) = schema["properties"]["positions"]["anyOf"]
    scholz = evidence.actor_named("Olaf Scholz")
    assert scholz is not None
    assert shape["prefixItems"] == [{"$ref": f"#/$defs/Slot{scholz.id}"}]


def test_batch_api_requests_carry_the_articles_schema(seed_text: str) -> None:
    prepared = plan(seed_text, settings=SETTINGS).parts[0]

    line = json.loads(request_line("seed", prepared, SETTINGS, "json_schema"))

    sent = line["body"]["response_format"]["json_schema"]["schema"]
    assert sent == prepared.answer_schema("json_schema")
    assert sent["$defs"]["DraftPosition"]["properties"]["evidence"]["items"]["enum"][0] == "Q1"


def test_the_marked_article_shows_each_id_where_its_item_begins(seed_text: str) -> None:
    evidence = evidence_of(seed_text)

    text = marked(seed_text, evidence)

    assert MARKER.sub("", text) == seed_text
    for item in evidence.items:
        after = text[text.index(f"[{item.id}]") :]
        assert MARKER.sub("", after).startswith(item.text)  # a statement may hold a quote
    assert "“[Q2]completely premature”" in text


def test_a_part_is_marked_with_the_items_inside_it_only(seed_text: str) -> None:
    evidence = evidence_of(seed_text)
    q3 = evidence.item("Q3")
    assert q3 is not None
    part = seed_text[q3.start - 1 :]

    text = marked(part, evidence.within(q3.start - 1, len(seed_text)))

    assert text.startswith("“[Q3]It is a difficult situation")
    assert "[Q1]" not in text
    assert "[Q2]" not in text
