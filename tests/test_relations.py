"""The spatial relations, defined once (vlmbot.relations): table-driven on oriented boxes."""

import numpy as np
import pytest

from vlmbot.cell import Workspace
from vlmbot.errors import InputError
from vlmbot.relations import Box, RelationConfig, gap, holds

WS = Workspace()
TURNED = Workspace(viewer_yaw=np.pi / 2)  # the viewer looks along +y: left is -x


def box(x, y, size=(0.04, 0.04, 0.04), bottom=0.0, yaw=0.0, round=False):
    size = np.asarray(size, float)
    return Box(np.array([x, y, bottom + size[2] / 2]), size, yaw, round)


BOWL = box(0.5, 0.0, (0.16, 0.16, 0.06), round=True)
TRAY = box(0.5, 0.0, (0.3, 0.2, 0.05), yaw=0.0)


@pytest.mark.parametrize(
    ("a", "b", "relation", "viewer", "holds_"),
    [
        (box(0.5, 0.2), box(0.5, 0.0), "left_of", WS, True),
        (box(0.5, 0.2), box(0.5, 0.0), "right_of", WS, False),
        (box(0.5, -0.2), box(0.5, 0.0), "right_of", WS, True),
        (box(0.3, 0.0), box(0.5, 0.0), "in_front_of", WS, True),
        (box(0.7, 0.0), box(0.5, 0.0), "behind", WS, True),
        (box(0.62, 0.1), box(0.5, 0.0), "left_of", WS, False),  # diagonal: outside the cone
        (box(0.5, 0.01), box(0.5, 0.0), "left_of", WS, False),  # too close to call
        (box(0.3, 0.0), box(0.5, 0.0), "left_of", TURNED, True),
        (box(0.5, 0.1), box(0.5, 0.0), "next_to", WS, True),
        (box(0.5, 0.2), box(0.5, 0.0), "next_to", WS, False),
        (box(0.5, 0.2), box(0.5, 0.0), "near", WS, True),
        (box(0.5, 0.05, bottom=0.01), BOWL, "in", WS, True),
        (box(0.5, 0.075, bottom=0.01), BOWL, "in", WS, False),  # on the rim
        (box(0.5, 0.0, bottom=0.12), BOWL, "in", WS, False),  # held above it
        (box(0.62, 0.05, bottom=0.01), TRAY, "in", WS, True),  # a box: per axis
        (box(0.5, 0.0, bottom=0.04), box(0.5, 0.0), "on", WS, True),
        (box(0.53, 0.0, bottom=0.04), box(0.5, 0.0), "on", WS, False),  # off centre
        (box(0.5, 0.0, bottom=0.0), box(0.5, 0.0), "on", WS, False),  # beside, not on
        (box(0.5, 0.05, bottom=0.01), BOWL, "on", WS, False),
    ],
)
def test_relations(a, b, relation, viewer, holds_):
    assert holds(a, b, relation, viewer) is holds_


def test_on_a_container_also_means_in_it():
    assert holds(box(0.5, 0.05, bottom=0.01), BOWL, "on", WS, b_is_container=True)


def test_gap_is_between_footprints():
    assert gap(box(0.5, 0.1), box(0.5, 0.0)) == pytest.approx(0.1 - 0.04 * np.sqrt(2))


def test_unknown_relation_and_bad_config():
    with pytest.raises(InputError, match="unknown relation"):
        holds(box(0, 0), box(1, 1), "above", WS)
    with pytest.raises(InputError, match="near_gap"):
        RelationConfig(next_to_gap=0.3, near_gap=0.2)
