"""What the knowledge base says about kinds of objects without looking."""

import pytest

from vlmbot.lexicon.concepts import CONCEPTS, hypernym_members, look_alikes


@pytest.mark.parametrize(
    ("category", "alikes"),
    [
        ("teddy_bear", {"duck"}),
        ("soccer_ball", {"sphere"}),
        ("domino", {"ring", "star"}),
        ("bowl", {"plate"}),
        ("marker", set()),  # nothing shares its kind
        ("cylinder", set()),  # "stackable" alone does not make a cylinder look like a box
    ],
)
def test_look_alikes(category, alikes):
    assert look_alikes(category) == alikes


def test_look_alikes_are_symmetric_and_never_the_category_itself():
    for category in CONCEPTS:
        assert category not in look_alikes(category)
        for other in look_alikes(category):
            assert category in look_alikes(other)


@pytest.mark.parametrize(
    ("category", "flat_top"),
    [("block", True), ("sphere", False), ("cone", False), ("egg", False), ("plate", True)],
)
def test_flat_top(category, flat_top):
    assert CONCEPTS[category].flat_top is flat_top


def test_hypernyms_cover_their_kinds():
    assert set(hypernym_members("toy animal")) == {"duck", "teddy_bear"}


def test_a_name_covers_the_kinds_of_its_category():
    from vlmbot.lexicon.concepts import covered_by

    assert covered_by("sphere") == ("sphere", "soccer_ball")  # a soccer ball is a ball
    assert covered_by("block") == ("block",)  # "the block" is the toy cube only
