"""Scene-graph building: which proposals are objects and which are parts of another."""

import numpy as np
import pytest

from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.perception.objects import PerceivedObject
from vlmbot.reasoning.builder import DEFAULT_GRAPH, _not_fragments, _not_parts, _on_the_table

CATEGORIES = list(CONCEPTS)


def box(low, high, views, container=False, n=400, seed=0):
    """A proposal whose points fill the axis-aligned box low..high (world, metres)."""
    points = np.random.default_rng(seed).uniform(low, high, (n, 3))
    return PerceivedObject(
        points, np.zeros(4), np.zeros(3), 0.9, {v: [0, 0, 1, 1] for v in views}, container=container
    )


def probs(*categories):
    rows = np.zeros((len(categories), len(CATEGORIES)))
    for row, category in zip(rows, categories, strict=True):
        row[CATEGORIES.index(category)] = 1.0
    return rows


MUG = ((0.42, -0.26, 0.0), (0.47, -0.20, 0.08))


@pytest.mark.parametrize(
    ("piece", "views", "kept"),
    [
        (((0.43, -0.20, 0.03), (0.45, -0.175, 0.065)), ("front",), False),  # a handle, one view
        (((0.43, -0.20, 0.03), (0.45, -0.175, 0.065)), ("front", "top"), True),  # seen by both
        (((0.43, -0.198, 0.0), (0.45, -0.17, 0.04)), ("front",), False),  # a few mm away
        (((0.43, -0.15, 0.0), (0.45, -0.12, 0.04)), ("front",), True),  # 5 cm away: an object
        (((0.43, -0.20, 0.10), (0.45, -0.175, 0.14)), ("front",), True),  # above it, not beside
    ],
)
def test_a_piece_one_camera_saw_touching_a_larger_object_is_part_of_it(piece, views, kept):
    mug = box(*MUG, ("front", "top"))
    other = box(*piece, views, seed=1)
    keep = _not_fragments([mug, other], DEFAULT_GRAPH)
    assert keep.tolist() == [True, kept]


@pytest.mark.parametrize(("holder", "kept"), [("mug", False), ("bowl", True)])
def test_an_item_on_a_proposal_of_a_kind_that_holds_nothing_is_part_of_it(holder, kept):
    """The detector flagged both as containers; a bowl holds things, a mug (here) does not."""
    container = box((0.40, -0.30, 0.0), (0.52, -0.18, 0.06), ("front", "top"), container=True)
    item = box((0.44, -0.26, 0.01), (0.48, -0.22, 0.04), ("front", "top"), seed=1)
    keep = _not_parts([container, item], probs(holder, "block"), CATEGORIES, DEFAULT_GRAPH)
    assert keep.tolist() == [True, kept]


CUBE_TOP = ((0.50, 0.00, 0.025), (0.56, 0.06, 0.063))  # a 6 cm cube whose lower 2.5 cm is hidden
PLATE = ((0.47, -0.03, 0.0), (0.59, 0.09, 0.02))


@pytest.mark.parametrize(
    ("objects", "height"),
    [
        ([CUBE_TOP], 0.063),  # nothing under it: it stands on the table
        ([CUBE_TOP, PLATE], None),  # it rests on the plate: its base is what was seen
        ([((0.50, 0.00, 0.08), (0.56, 0.06, 0.12))], None),  # held in the air, far above
        ([((0.50, 0.00, 0.004), (0.56, 0.06, 0.063))], None),  # its base is in view
    ],
)
def test_an_object_with_a_hidden_base_stands_on_the_table(objects, height):
    perceived = [box(low, high, ("front",), seed=i) for i, (low, high) in enumerate(objects)]
    geometry, seen = _on_the_table(perceived, 0.0, DEFAULT_GRAPH)
    position, extent, _ = geometry[0]
    _, seen_extent, _ = perceived[0].geometry(0.0)
    expected = seen_extent[2] if height is None else height
    assert extent[2] == pytest.approx(expected, abs=0.003)
    # what was seen stays the other reading for the classifier (a ball shows no base either)
    assert np.isnan(seen[0]).all() == (height is None)
    assert position[2] - extent[2] / 2 == pytest.approx(
        0.0 if height else perceived[0].geometry(0.0)[0][2] - seen_extent[2] / 2, abs=0.003
    )


class _ExtentsSeen:
    """A classifier stand-in that records the extents it was given."""

    config = DEFAULT_GRAPH

    def __call__(self, embeddings, extents=None, alternatives=None, tops=None):
        self.extents, self.tops = extents, tops
        return np.zeros((len(embeddings), len(CATEGORIES)))


@pytest.mark.parametrize(
    ("views", "cut_off", "measured"),
    [
        (("front", "top"), (), True),
        (("front",), ("front",), False),  # a frame border cuts off its top: a mug as a dome
        (("front", "top"), ("front",), True),  # the top camera sees it whole
        (("front", "top"), ("front", "top"), False),
    ],
)
def test_only_an_object_some_camera_sees_whole_gives_shape_evidence(views, cut_off, measured):
    from dataclasses import replace

    from vlmbot.cell import Workspace
    from vlmbot.reasoning.builder import _classify

    mug = replace(box(*MUG, views), cut_off=frozenset(cut_off))
    classifier = _ExtentsSeen()
    _classify([mug], classifier, Workspace())  # type: ignore[arg-type]
    assert (not np.isnan(classifier.extents[0]).any()) is measured
    assert (not np.isnan(classifier.tops[0])) is measured
