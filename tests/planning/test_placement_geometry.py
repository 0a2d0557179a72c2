"""Grasp and placement geometry (world frame, metres): each function on hand-made objects."""

import numpy as np
import pytest

from vlmbot.cell import Gripper, Workspace
from vlmbot.planning.geometry import (
    PlacementConfig,
    container_slots,
    fits_gripper,
    free_spot,
    grasp_pose,
    place_in,
    place_on,
    place_relative,
)
from vlmbot.relations import box_of, holds, inside, on
from vlmbot.types import SceneObject

WS = Workspace()


def obj(id_, category, xy, size, yaw=0.0, z=0.0):
    size = np.asarray(size, float)
    return SceneObject(id_, category, np.array([*xy, z + size[2] / 2]), size, yaw)


BLOCK = obj("block", "block", (0.5, 0.1), (0.045, 0.045, 0.045))
BOWL = obj("bowl", "bowl", (0.6, -0.1), (0.16, 0.16, 0.06))
TRAY = obj("tray", "tray", (0.35, -0.3), (0.27, 0.27, 0.05))


@pytest.mark.parametrize(
    ("size", "gripper", "fits"),
    [
        ((0.045, 0.045, 0.045), Gripper(), True),
        ((0.09, 0.03, 0.03), Gripper(), True),  # across the narrow side
        ((0.09, 0.09, 0.03), Gripper(), False),
        ((0.02, 0.02, 0.05), Gripper("suction", cup_diameter=0.03), False),
        ((0.09, 0.09, 0.03), Gripper("suction", cup_diameter=0.03), True),
    ],
)
def test_fits_gripper(size, gripper, fits):
    assert fits_gripper(obj("o", "block", (0.5, 0), size), gripper) is fits


def test_grasp_pose_mid_height_for_fingers_top_for_suction():
    pose = grasp_pose(BLOCK)
    assert pose.position == pytest.approx((0.5, 0.1, 0.0225))
    flat = obj("tile", "domino", (0.5, 0), (0.05, 0.025, 0.008))
    assert grasp_pose(flat).position[2] == pytest.approx(PlacementConfig().min_grasp_height)
    suction = grasp_pose(BLOCK, Gripper("suction"))
    assert suction.position[2] == pytest.approx(BLOCK.top_z)


def test_grasp_yaw_closes_across_the_narrow_side():
    long_x = obj("bar", "jenga_block", (0.5, 0), (0.15, 0.025, 0.015), yaw=0.3)
    assert grasp_pose(long_x).yaw == pytest.approx(0.3 + np.pi / 2)
    long_y = obj("bar", "jenga_block", (0.5, 0), (0.025, 0.15, 0.015), yaw=0.3)
    assert grasp_pose(long_y).yaw == pytest.approx(0.3)


def test_container_slots_stay_inside_the_container():
    slots = container_slots(BOWL, BLOCK.footprint_radius)
    assert np.allclose(slots[0], BOWL.position[:2]) and len(slots) == 19
    room = 0.5 * 0.16 - BLOCK.footprint_radius
    assert all(np.linalg.norm(s - BOWL.position[:2]) <= room + 1e-9 for s in slots)
    tiny = obj("cup", "bowl", (0.5, 0), (0.05, 0.05, 0.05))
    assert len(container_slots(tiny, BLOCK.footprint_radius)) == 1  # only the centre


def test_place_in_picks_the_emptiest_slot_and_lands_inside():
    empty = place_in(BLOCK, BOWL, [])
    assert empty.position[:2] == pytest.approx(tuple(BOWL.position[:2]))
    occupant = obj("other", "block", tuple(BOWL.position[:2]), (0.045, 0.045, 0.045), z=0.018)
    pose = place_in(BLOCK, BOWL, [occupant])
    assert np.linalg.norm(np.array(pose.position[:2]) - BOWL.position[:2]) > 0.01
    landed = obj("block", "block", pose.position[:2], BLOCK.extent, z=BOWL.bottom_z + 0.018)
    assert inside(box_of(landed), box_of(BOWL))


def test_place_on_releases_just_above_the_base():
    base = obj("base", "block", (0.55, 0.0), (0.05, 0.05, 0.05))
    pose = place_on(BLOCK, base)
    config = PlacementConfig()
    expected_z = base.top_z + BLOCK.extent[2] / 2 + config.release_clearance
    assert pose.position == pytest.approx((0.55, 0.0, expected_z))
    stacked = obj("block", "block", pose.position[:2], BLOCK.extent, z=base.top_z)
    assert on(box_of(stacked), box_of(base))


@pytest.mark.parametrize(
    ("xy", "others", "free"),
    [
        ((0.5, 0.0), [], True),
        ((0.5, 0.0), [BLOCK], True),
        ((0.5, 0.1), [BLOCK], False),  # on top of the block
        ((0.26, 0.0), [], False),  # the footprint would leave the workspace
        ((0.95, 0.0), [], False),
    ],
)
def test_free_spot(xy, others, free):
    assert free_spot(np.array(xy), BLOCK.footprint_radius, others, WS) is free


@pytest.mark.parametrize("relation", ["left_of", "right_of", "in_front_of", "behind", "next_to"])
def test_place_relative_makes_the_relation_true(relation):
    anchor = obj("mug", "mug", (0.55, 0.0), (0.08, 0.06, 0.09))
    pose = place_relative(BLOCK, anchor, relation, [BLOCK, anchor, TRAY], WS)
    assert pose is not None
    moved = obj("block", "block", pose.position[:2], BLOCK.extent)
    assert holds(box_of(moved), box_of(anchor), relation, WS)
    assert holds(box_of(moved), box_of(anchor), "next_to", WS)
    assert box_of(moved).footprint_radius + 0.0 < np.linalg.norm(
        moved.position[:2] - TRAY.position[:2]
    )


def test_place_relative_gives_up_at_the_workspace_edge():
    anchor = obj("mug", "mug", (0.78, 0.0), (0.08, 0.06, 0.09))
    assert place_relative(BLOCK, anchor, "behind", [anchor], WS) is None
