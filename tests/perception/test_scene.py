"""Multi-camera fusion of perceived objects, on synthetic point sets."""

import numpy as np

from vlmbot.cell import Workspace
from vlmbot.perception.scene import PerceivedObject, fuse


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
