"""Grasp and placement geometry for top-down pick-and-place (world frame, metres, radians).

Everything works on SceneObjects, so the same code serves perceived objects and ground truth.
A pose's position is the gripper's grasp point (between the finger pads).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vlmbot.cell import Workspace
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


def container_slots(container: SceneObject, radius: float) -> list[np.ndarray]:
    """Candidate xy drop points for an object of footprint `radius` inside a container: the
    centre, then rings, all within the container's inscribed circle (its yaw may be unknown)."""
    centre = np.asarray(container.position[:2], dtype=float)
    room = 0.5 * float(min(container.extent[0], container.extent[1])) - radius - 0.015
    slots = [centre]
    if room > 0.005:
        for fraction, count in ((0.5, 6), (1.0, 12)):
            angles = np.linspace(0, 2 * np.pi, count, endpoint=False) + fraction
            ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * room * fraction
            slots.extend(centre + ring)
    return slots


def place_in(obj: SceneObject, container: SceneObject, contents: Sequence[SceneObject]) -> Pose:
    """Release pose inside a container, at the slot with the most room around what is already
    there (the centre when it is empty)."""
    slots = container_slots(container, obj.footprint_radius)
    xy = slots[0]
    if contents:
        gaps = [
            min(
                float(np.linalg.norm(np.asarray(c.position[:2]) - slot)) - c.footprint_radius
                for c in contents
            )
            for slot in slots
        ]
        xy = slots[int(np.argmax(gaps))]
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
