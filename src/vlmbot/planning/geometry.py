"""Grasp and placement geometry for top-down pick-and-place (world frame, metres, radians).

Everything works on SceneObjects, so the same code serves perceived objects and ground truth.
A pose's position is the gripper's grasp point (between the finger pads).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vlmbot.config import Workspace
from vlmbot.types import Pose, SceneObject

MIN_GRASP_HEIGHT = 0.012  # keeps the finger tips off the table
RELEASE_CLEARANCE = 0.012  # drop height above the support when the fingers open
GRIPPER_MAX_OPENING = 0.08

#: Unit directions (forward, left) in the viewer frame for each spatial relation.
RELATION_DIRECTIONS: dict[str, tuple[float, float]] = {
    "left_of": (0.0, 1.0),
    "right_of": (0.0, -1.0),
    "in_front_of": (-1.0, 0.0),
    "behind": (1.0, 0.0),
}


def grasp_height(obj: SceneObject) -> float:
    """Grasp point height above the object's bottom, metres."""
    return max(obj.extent[2] / 2, MIN_GRASP_HEIGHT)


def grasp_yaw(obj: SceneObject) -> float:
    """Closing direction across the object's narrow side."""
    return float(obj.yaw if obj.extent[0] <= obj.extent[1] else obj.yaw + np.pi / 2)


def fits_gripper(obj: SceneObject) -> bool:
    return float(min(obj.extent[0], obj.extent[1])) < GRIPPER_MAX_OPENING - 0.005


def grasp_pose(obj: SceneObject) -> Pose:
    z = obj.bottom_z + grasp_height(obj)
    return Pose((float(obj.position[0]), float(obj.position[1]), z), grasp_yaw(obj))


def release_pose(obj: SceneObject, xy: np.ndarray, support_z: float, yaw: float) -> Pose:
    """Where the grasp point goes so the object's bottom ends just above support_z."""
    z = support_z + grasp_height(obj) + RELEASE_CLEARANCE
    return Pose((float(xy[0]), float(xy[1]), z), yaw)


def container_floor(container: SceneObject) -> float:
    """Approximate inner floor height of a container (bowls, plates, trays), metres."""
    return container.bottom_z + 0.3 * float(container.extent[2])


def container_slots(container: SceneObject, spacing: float) -> list[np.ndarray]:
    """Candidate xy drop points inside a container, centre first."""
    centre = np.asarray(container.position[:2])
    reach = 0.5 * float(min(container.extent[0], container.extent[1])) - spacing / 2 - 0.02
    slots = [centre]
    if reach > 0.01:
        c, s = np.cos(container.yaw), np.sin(container.yaw)
        for dx, dy in ((1, 1), (-1, -1), (1, -1), (-1, 1), (1, 0), (-1, 0), (0, 1), (0, -1)):
            offset = np.array([dx, dy], dtype=float) * min(reach, spacing / 2 + 0.005)
            slots.append(
                centre + np.array([c * offset[0] - s * offset[1], s * offset[0] + c * offset[1]])
            )
    return slots


def place_in(obj: SceneObject, container: SceneObject, contents: Sequence[SceneObject]) -> Pose:
    """Release pose inside a container, in the free slot farthest from what is already there."""
    slots = container_slots(container, spacing=obj.footprint_radius * 2)
    if contents:
        taken = np.array([c.position[:2] for c in contents])
        clearance = [float(np.min(np.linalg.norm(taken - slot, axis=1))) for slot in slots]
        xy = slots[int(np.argmax(clearance))]
    else:
        xy = slots[0]
    return release_pose(obj, xy, container_floor(container), grasp_yaw(obj))


def place_on(obj: SceneObject, base: SceneObject) -> Pose:
    """Release pose on top of another object (stacking)."""
    return release_pose(obj, np.asarray(base.position[:2]), base.top_z, grasp_yaw(obj))


def free_spot(
    xy: np.ndarray,
    radius: float,
    others: Sequence[SceneObject],
    workspace: Workspace,
    gap: float = 0.015,
) -> bool:
    if not workspace.contains(xy, margin=-radius * 0.5):
        return False
    return all(
        np.linalg.norm(np.asarray(o.position[:2]) - xy) > radius + o.footprint_radius + gap
        for o in others
    )


def place_relative(
    obj: SceneObject,
    anchor: SceneObject,
    relation: str,
    others: Sequence[SceneObject],
    workspace: Workspace,
) -> Pose | None:
    """Release pose on the table beside an anchor, in the viewer-frame relation's direction.

    relation: left_of, right_of, in_front_of, behind or next_to. Tries growing distances and
    small sideways shifts; None when no free spot exists in the workspace.
    """
    anchor_xy = np.asarray(anchor.position[:2])
    base_distance = anchor.footprint_radius + obj.footprint_radius + 0.03
    if relation == "next_to":
        directions = [
            RELATION_DIRECTIONS[r] for r in ("left_of", "right_of", "in_front_of", "behind")
        ]
    else:
        directions = [RELATION_DIRECTIONS[relation]]
    obstacles = [o for o in others if o.id not in (obj.id, anchor.id)]
    for extra in (0.0, 0.02, 0.04, 0.06):
        for direction in directions:
            forward_left = np.asarray(direction, dtype=float)
            side = np.array([-forward_left[1], forward_left[0]])
            for shift in (0.0, 0.03, -0.03, 0.05, -0.05):
                offset = forward_left * (base_distance + extra) + side * shift
                xy = anchor_xy + workspace.from_viewer(offset)
                if free_spot(xy, obj.footprint_radius, [*obstacles, anchor], workspace):
                    return release_pose(obj, xy, workspace.table_z, grasp_yaw(obj))
    return None
