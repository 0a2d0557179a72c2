"""Referring expressions: attributes, determiners and number, coordination, exceptions,
positions and ordinals."""

import pytest

from vlmbot.language.positions import take_position
from vlmbot.language.reference import parse_reference, singular


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the small blue block", {"head": "block", "colors": ("blue",), "size": "small"}),
        ("the leftmost cube", {"head": "cube", "superlative": "leftmost"}),
        ("the block that is not red", {"head": "block", "not_colors": ("red",)}),
        ("every purple block", {"head": "block", "plural": True, "mode": "all"}),
        ("the big dark blue mug", {"head": "mug", "colors": ("dark blue",), "size": "large"}),
        ("something to sip coffee from", {"head": "something to sip coffee from", "mode": "any"}),
        ("everything", {"head": "", "plural": True, "everything": True}),
        ("a bowl", {"head": "bowl", "mode": "any"}),
        ("the bowl", {"head": "bowl", "mode": "unique"}),
        ("two red blocks", {"head": "block", "mode": "count", "count": 2, "determiner": "a"}),
        ("the two red blocks", {"mode": "count", "count": 2, "determiner": "the"}),
        ("both cubes", {"mode": "count", "count": 2, "determiner": "the"}),
        ("one of the cubes", {"mode": "any", "count": None}),
        ("a few blocks", {"mode": "vague"}),
        ("the second block from the left", {"superlative": "leftmost", "ordinal": 2}),
        ("the last cube on the right", {"superlative": "rightmost", "ordinal": None}),
        ("the last cube", {"superlative": None, "ordinal": -1}),
        ("the lightest brown block", {"superlative": "lightest", "colors": ("brown",)}),
        ("the darker one", {"superlative": "darkest", "head": "object"}),
        ("the one nearest the bowl", {"head": "object"}),
        ("the non-red cubes", {"not_colors": ("red",), "head": "cube", "mode": "all"}),
    ],
)
def test_reference_parsing(text, expected):
    reference = parse_reference(text)
    for key, value in expected.items():
        assert getattr(reference, key) == value, key


def test_coordination_gives_members_with_their_own_determiners():
    colours = parse_reference("the red and blue blocks")
    assert [(m.colors, m.mode, m.head) for m in colours.members] == [
        (("red",), "all", "block"),
        (("blue",), "all", "block"),
    ]
    objects = parse_reference("the mug and the duck")
    assert [(m.head, m.mode) for m in objects.members] == [("mug", "unique"), ("duck", "unique")]
    either = parse_reference("the red or the blue block")
    assert either.mode == "any" and len(either.members) == 2


def test_exceptions_inherit_the_head_they_except_from():
    reference = parse_reference("all the blocks except the red one")
    assert reference.mode == "all" and reference.head == "block"
    assert [(e.head, e.colors) for e in reference.exclude] == [("block", ("red",))]


@pytest.mark.parametrize(
    ("text", "superlative", "rest"),
    [
        ("the block on the far left", "leftmost", "the block"),
        ("the block furthest to the right", "rightmost", "the block"),
        ("the ball at the back", "backmost", "the ball"),
        ("the cube in the middle", "middle", "the cube"),
        ("the left cube", "leftmost", "the cube"),
        ("the block to the left of the mug", None, "the block to the left of the mug"),
    ],
)
def test_positions_without_an_anchor(text, superlative, rest):
    found, _, remaining = take_position(text)
    assert (found, remaining) == (superlative, rest)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("boxes", "box"), ("cubes", "cube"), ("bodies", "body"), ("glass", "glass"), ("bus", "bus")],
)
def test_singular(word, expected):
    assert singular(word) == expected
