"""Table-driven tests of instruction and reference parsing."""

import pytest

from vlmbot.language.instruction import (
    ClearCommand,
    NotUnderstood,
    PickCommand,
    PlaceCommand,
    Question,
    SortCommand,
    parse_instruction,
)
from vlmbot.language.reference import parse_reference


@pytest.mark.parametrize(
    ("text", "head", "relation", "destination"),
    [
        ("put the red block in the tray", "block", "in", "tray"),
        ("Put the red block in the tray.", "block", "in", "tray"),
        ("please place the duck onto the plate", "duck", "on", "plate"),
        ("stack the green cube on top of the blue cube", "cube", "on", "cube"),
        ("move the mug to the left of the bowl", "mug", "left_of", "bowl"),
        ("put the ball on the right side of the duck", "ball", "right_of", "duck"),
        ("place the block in front of the mug", "block", "in_front_of", "mug"),
        ("shift the can at the back of the plate", "can", "behind", "plate"),
        ("put the lego brick next to the cup", "lego brick", "next_to", "cup"),
        ("pick up the teddy and put it in the bowl", "teddy", "in", "bowl"),
        ("grab the duck and set it on the plate", "duck", "on", "plate"),
        ("could you stick the orb in the basin?", "orb", "in", "basin"),
        ("I'd like the cube on the platter", "cube", "on", "platter"),
        ("the duck belongs in the tray", "duck", "in", "tray"),
        ("transfer the mug to the tray", "mug", "in", "tray"),
        ("put the block closest to the bowl on the plate", "block", "on", "plate"),
        ("drop the ball beside the dish in the bin", "ball", "in", "bin"),
        ("put the duck in something to put things in", "duck", "in", "something to put things in"),
        ("balance the brick on the block", "brick", "on", "block"),
    ],
)
def test_place_commands(text, head, relation, destination):
    parsed = parse_instruction(text)
    assert isinstance(parsed, PlaceCommand), parsed
    assert (parsed.target.head, parsed.relation, parsed.destination.head) == (
        head,
        relation,
        destination,
    )


def test_references_inside_commands():
    parsed = parse_instruction("put the block closest to the bowl on the plate")
    assert parsed.target.relation is not None
    assert parsed.target.relation[0] == "closest" and parsed.target.relation[1].head == "bowl"
    parsed = parse_instruction("put all the red blocks in the tray")
    assert parsed.target.plural and parsed.target.colors == ("red",)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("how many blocks are there?", "count"),
        ("count the cubes", "count"),
        ("what number of balls can you see", "count"),
        ("what colour is the mug?", "color"),
        ("which colour does the duck have?", "color"),
        ("tell me the colour of the bowl", "color"),
        ("is there a duck on the table?", "exists"),
        ("can you spot a teddy anywhere?", "exists"),
        ("is the red block to the left of the mug?", "relation"),
        ("would you say the cup is on the right side of the plate?", "relation"),
        ("which object is closest to the tray?", "which"),
        ("what sits nearest the bowl?", "which"),
        ("name the thing closest to the mug", "which"),
        ("describe the scene", "describe"),
    ],
)
def test_questions(text, kind):
    parsed = parse_instruction(text)
    assert isinstance(parsed, Question), parsed
    assert parsed.kind == kind


def test_sort_clear_pick():
    assert isinstance(
        parse_instruction("sort the blocks into the bowls of their colour"), SortCommand
    )
    assert isinstance(parse_instruction("match each cube to the bowl with its colour"), SortCommand)
    assert isinstance(parse_instruction("clear the table into the tray"), ClearCommand)
    assert isinstance(parse_instruction("put everything on the table in the bin"), ClearCommand)
    assert isinstance(parse_instruction("pick up the block"), PickCommand)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "???",
        "asdf qwerty zxcv",
        "the the the the",
        "colorless green ideas sleep furiously",
        "sing the table a lullaby",
        "Ставь кубик в коробку",
        "x" * 400,
        "throw the block",
    ],
)
def test_not_understood(text):
    parsed = parse_instruction(text)
    assert isinstance(parsed, NotUnderstood)
    assert parsed.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the small blue block", {"head": "block", "colors": ("blue",), "size": "small"}),
        ("the leftmost cube", {"head": "cube", "superlative": "leftmost"}),
        ("the block that is not red", {"head": "block", "not_colors": ("red",)}),
        ("every purple block", {"head": "block", "plural": True}),
        ("the big dark blue mug", {"head": "mug", "colors": ("dark blue",), "size": "large"}),
        ("something to sip coffee from", {"head": "something to sip coffee from", "colors": ()}),
        ("everything", {"head": "", "plural": True}),
    ],
)
def test_reference_parsing(text, expected):
    reference = parse_reference(text)
    for key, value in expected.items():
        assert getattr(reference, key) == value, key
