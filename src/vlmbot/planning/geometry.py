"""Grasp and placement geometry for top-down pick-and-place (world frame, metres, radians).

Everything works on SceneObjects, so the same code serves perceived objects and ground truth.
A pose's position is the gripper's grasp point (between the finger pads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import Gripper, Workspace
from vlmbot.errors import InputError
from vlmbot.relations import RELATION_DIRECTIONS
from vlmbot.types import Pose, SceneObject

DEFAULT_GRIPPER = Gripper()


@dataclass(frozen=True)
class PlacementConfig:
    """min_grasp_height: metres above the object's bottom the grasp point stays at least (keeps
    finger tips off the table; the Panda's fingers pick a 5 mm disk at its mid-height, so
    only below that does it bind); release_clearance: metres above the support where the object is
    let go; floor_fraction: a container's inner floor lies this fraction of its height above its
    bottom; slot_margin: metres kept between a drop slot and a container's wall; beside_gap:
    metres between footprints when placing beside an anchor; free_gap: metres a free spot keeps
    from every other footprint."""

    min_grasp_height: float = 0.005
    release_clearance: float = 0.012
    floor_fraction: float = 0.3
    slot_margin: float = 0.015
    beside_gap: float = 0.03
    free_gap: float = 0.015

    def __post_init__(self) -> None:
        for name in (
            "min_grasp_height",
            "release_clearance",
            "slot_margin",
            "beside_gap",
            "free_gap",
        ):
            if not 0.0 <= getattr(self, name) <= 0.2:
                raise InputError(f"PlacementConfig.{name} must be in [0, 0.2] metres")
        if not 0.0 <= self.floor_fraction <= 1.0:
            raise InputError("PlacementConfig.floor_fraction must be in [0, 1]")


DEFAULT_PLACEMENT = PlacementConfig()


def grasp_height(
    obj: SceneObject,
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> float:
    """Grasp point height above the object's bottom, metres: mid-height between the fingers,
    or the top surface for a suction cup."""
    if gripper.suction:
        return float(obj.extent[2])
    return max(float(obj.extent[2]) / 2, config.min_grasp_height)


def grasp_yaw(obj: SceneObject, gripper: Gripper = DEFAULT_GRIPPER) -> float:
    """Closing direction across the object's narrow side (a suction cup keeps the object's own
    yaw: it does not care)."""
    if gripper.suction:
        return float(obj.yaw)
    return float(obj.yaw if obj.extent[0] <= obj.extent[1] else obj.yaw + np.pi / 2)


def fits_gripper(obj: SceneObject, gripper: Gripper = DEFAULT_GRIPPER) -> bool:
    return gripper.fits(obj.extent)


def grasp_pose(
    obj: SceneObject,
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> Pose:
    z = obj.bottom_z + grasp_height(obj, gripper, config)
    return Pose((float(obj.position[0]), float(obj.position[1]), z), grasp_yaw(obj, gripper))


def release_pose(
    obj: SceneObject,
    xy: np.ndarray,
    support_z: float,
    yaw: float,
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> Pose:
    """Where the grasp point goes so the object's bottom ends just above support_z."""
    z = support_z + grasp_height(obj, gripper, config) + config.release_clearance
    return Pose((float(xy[0]), float(xy[1]), z), yaw)


def container_floor(container: SceneObject, config: PlacementConfig = DEFAULT_PLACEMENT) -> float:
    """Approximate inner floor height of a container (bowls, plates, trays), metres."""
    return container.bottom_z + config.floor_fraction * float(container.extent[2])


def container_slots(
    container: SceneObject, radius: float, config: PlacementConfig = DEFAULT_PLACEMENT
) -> list[np.ndarray]:
    """Candidate xy drop points for an object of footprint `radius` inside a container: the
    centre, then rings, all within the container's inscribed circle (its yaw may be unknown)."""
    centre = np.asarray(container.position[:2], dtype=float)
    room = 0.5 * float(min(container.extent[0], container.extent[1])) - radius
    room -= config.slot_margin
    slots = [centre]
    if room > 0.005:
        for fraction, count in ((0.5, 6), (1.0, 12)):
            angles = np.linspace(0, 2 * np.pi, count, endpoint=False) + fraction
            ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * room * fraction
            slots.extend(centre + ring)
    return slots


def place_in(
    obj: SceneObject,
    container: SceneObject,
    contents: Sequence[SceneObject],
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> Pose:
    """Release pose inside a container, at the slot with the most room around what is already
    there (the centre when it is empty)."""
    slots = container_slots(container, obj.footprint_radius, config)
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
    floor = container_floor(container, config)
    return release_pose(obj, xy, floor, grasp_yaw(obj, gripper), gripper, config)


def place_on(
    obj: SceneObject,
    base: SceneObject,
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> Pose:
    """Release pose on top of another object (stacking)."""
    xy = np.asarray(base.position[:2])
    return release_pose(obj, xy, base.top_z, grasp_yaw(obj, gripper), gripper, config)


def free_spot(
    xy: np.ndarray,
    radius: float,
    others: Sequence[SceneObject],
    workspace: Workspace,
    gap: float = DEFAULT_PLACEMENT.free_gap,
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
    gripper: Gripper = DEFAULT_GRIPPER,
    config: PlacementConfig = DEFAULT_PLACEMENT,
) -> Pose | None:
    """Release pose on the table beside an anchor, in the viewer-frame relation's direction.

    relation: left_of, right_of, in_front_of, behind or next_to. Tries growing distances and
    small sideways shifts; None when no free spot exists in the workspace.
    """
    anchor_xy = np.asarray(anchor.position[:2])
    base_distance = anchor.footprint_radius + obj.footprint_radius + config.beside_gap
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
                clear = [*obstacles, anchor]
                if free_spot(xy, obj.footprint_radius, clear, workspace, config.free_gap):
                    yaw = grasp_yaw(obj, gripper)
                    return release_pose(obj, xy, workspace.table_z, yaw, gripper, config)
    return None
