"""Multi-camera fusion of perceived objects, on synthetic point sets."""

import numpy as np
import pytest

from vlmbot.cell import Workspace
from vlmbot.perception.scene import PerceivedObject, cut_by_border, fuse


def box_points(centre, size, camera, container=False, objectness=0.8, seed=0):
    rng = np.random.default_rng(seed)
    points = np.asarray(centre) + rng.uniform(-0.5, 0.5, (200, 3)) * np.asarray(size)
    embedding = np.ones(8) / np.sqrt(8)
    return PerceivedObject(
        points,
        embedding,
        np.array([50.0, 0, 0]),
        objectness,
        {camera: [0, 0, 1, 1]},
        container=container,
    )


def test_same_object_from_two_cameras_merges():
    a = box_points((0.5, 0.1, 0.02), (0.045, 0.045, 0.045), "front")
    b = box_points((0.51, 0.11, 0.02), (0.045, 0.045, 0.045), "top", seed=1)
    fused = fuse([a, b])
    assert len(fused) == 1 and set(fused[0].views) == {"front", "top"}


def test_neighbours_and_stacks_stay_apart():
    left = box_points((0.5, 0.1, 0.02), (0.045, 0.045, 0.045), "front")
    right = box_points((0.5, 0.2, 0.02), (0.045, 0.045, 0.045), "top")
    bottom = box_points((0.6, 0.0, 0.0225), (0.045, 0.045, 0.045), "front")
    top_seen_from_above = box_points((0.6, 0.0, 0.066), (0.045, 0.045, 0.004), "top")
    assert len(fuse([left, right, bottom, top_seen_from_above])) == 4


def test_item_in_a_container_is_not_the_container():
    tray = box_points((0.5, 0.0, 0.025), (0.27, 0.27, 0.05), "top", container=True)
    block = box_points((0.5, 0.0, 0.03), (0.045, 0.045, 0.045), "front")
    assert len(fuse([tray, block])) == 2


def test_long_object_seen_in_halves_merges():
    whole = box_points((0.6, 0.0, 0.015), (0.03, 0.12, 0.03), "front")
    half_a = box_points((0.6, -0.03, 0.015), (0.03, 0.06, 0.03), "top", seed=2)
    half_b = box_points((0.6, 0.03, 0.015), (0.03, 0.06, 0.03), "top", seed=3)
    fused = fuse([whole, half_a, half_b])
    assert len(fused) == 1
    position, extent, _ = fused[0].geometry(Workspace().table_z)
    assert abs(position[1]) < 0.01 and max(extent[:2]) > 0.1


@pytest.mark.parametrize(
    ("box", "cut"),
    [
        ((40, 50, 80, 90), False),  # well inside a 224x160 frame
        ((0, 50, 30, 90), True),  # touches the left border
        ((40, 0.5, 80, 90), True),  # within a pixel of the top
        ((180, 50, 223.5, 90), True),  # the right border (width 224)
        ((40, 120, 80, 160), True),  # the bottom border (height 160)
        ((1.5, 1.5, 222, 158), False),  # large, but inside by more than a pixel
    ],
)
def test_a_box_at_the_frame_border_is_cut_off(box, cut):
    assert bool(cut_by_border(np.array([box]), (160, 224), 1.0)[0]) is cut


def test_fusion_keeps_the_cameras_that_cut_an_object_off():
    from dataclasses import replace

    def front():
        seen = box_points((0.5, 0.0, 0.03), (0.05, 0.05, 0.06), "front")
        return replace(seen, cut_off=frozenset({"front"}))

    top = box_points((0.5, 0.0, 0.03), (0.05, 0.05, 0.06), "top", seed=1)
    (merged,) = fuse([front(), top])
    assert merged.cut_off == {"front"} and merged.whole  # the top camera sees it whole
    (alone,) = fuse([front()])
    assert not alone.whole
