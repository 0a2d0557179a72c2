"""The JSON form of the typed command: a round trip over the construction suite, and strict
validation that names the path of a problem."""

import pytest
from tests.language.construction_suite import load_suite

from vlmbot.language.instruction import parse_instruction
from vlmbot.language.schema import SchemaError, from_json, to_json


@pytest.mark.parametrize("case", load_suite(), ids=lambda c: f"{c.category}:{c.line}")
def test_round_trip(case):
    parsed = parse_instruction(case.text)
    assert from_json(to_json(parsed)).render() == parsed.render()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([], "$"),
        ({"kind": "poem"}, "$.kind"),
        ({"kind": "instruction", "steps": []}, "steps"),
        ({"kind": "instruction", "steps": [{"action": "throw"}]}, "steps[0].action"),
        (
            {
                "kind": "instruction",
                "steps": [
                    {
                        "action": "place",
                        "relation": "under",
                        "target": {"head": "block"},
                        "destination": {"head": "bowl"},
                    }
                ],
            },
            "steps[0].relation",
        ),
        (
            {
                "kind": "instruction",
                "steps": [{"action": "pick", "target": {"head": "block", "colors": ["reddish"]}}],
            },
            "steps[0].target.colors[0]",
        ),
        (
            {
                "kind": "instruction",
                "steps": [{"action": "pick", "target": {"head": "block", "count": 0}}],
            },
            "steps[0].target.count",
        ),
        (
            {
                "kind": "instruction",
                "steps": [{"action": "pick", "target": {"head": "block", "colour": "red"}}],
            },
            "steps[0].target",
        ),
        ({"kind": "question", "question": "why"}, "question"),
        (
            {
                "kind": "instruction",
                "steps": [{"action": "pick", "target": {"head": "b"}}],
                "constraints": [{"kind": "keep_out", "target": {"head": "mug"}}],
            },
            "constraints[0].destination",
        ),
    ],
)
def test_out_of_schema_answers_name_the_path(data, path):
    with pytest.raises(SchemaError) as raised:
        from_json(data)
    assert str(raised.value).split(":")[0].endswith(path)
