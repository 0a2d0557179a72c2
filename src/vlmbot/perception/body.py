"""What is the robot and what is outside the cell: points perception must never take for objects.

From the cell's description (the base's body cylinder, the table's extent, the workspace's
height) and, when the observation carries it, the robot state's link positions (the arm as
capsules from link to link, the tool as a sphere). Never from simulator segmentation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import RobotCell
from vlmbot.errors import InputError
from vlmbot.types import RobotState


@dataclass(frozen=True)
class BodyConfig:
    """tool_radius: metres around the tool (the last link position) that is robot (the arm's
    radius around its links is the robot's description: `RobotBase.link_radius`);
    above_workspace: metres above the workspace's top still taken as the scene; robot_share:
    a proposal with more of its points on the robot than this is the robot, not an object."""

    tool_radius: float = 0.055
    above_workspace: float = 0.10
    robot_share: float = 0.5

    def __post_init__(self) -> None:
        for name in ("tool_radius", "above_workspace"):
            if not 0.0 <= getattr(self, name) <= 0.5:
                raise InputError(f"BodyConfig.{name} must be in [0, 0.5] metres")
        if not 0.0 < self.robot_share <= 1.0:
            raise InputError("BodyConfig.robot_share must be in (0, 1]")


DEFAULT_BODY = BodyConfig()


def on_robot(
    points: np.ndarray,
    cell: RobotCell,
    robot: RobotState | None,
    config: BodyConfig = DEFAULT_BODY,
) -> np.ndarray:
    """(M,) bool: world points (M, 3) on the robot's base or, given its state, its arm."""
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    hit = np.zeros(len(points), dtype=bool)
    if not len(points):
        return hit
    # Bounding boxes first: most objects lie nowhere near the robot, and then no point does.
    extent = (points.min(axis=0), points.max(axis=0))
    base = cell.base
    centre = np.asarray(base.position)
    reach = np.array([base.body_radius, base.body_radius, 0.0])
    top = centre[2] + base.body_height
    if _meet(extent, (centre - reach - [0, 0, np.inf], centre + reach + [0, 0, top - centre[2]])):
        radial = np.hypot(points[:, 0] - centre[0], points[:, 1] - centre[1])
        hit = (radial < base.body_radius) & (points[:, 2] < top)
    if robot is None:
        return hit
    # Only points inside the arm's bounding box (grown by the radii) can be on the arm.
    joints = _arm_points(robot)
    margin = max(base.link_radius, config.tool_radius)
    low, high = joints.min(axis=0) - margin, joints.max(axis=0) + margin
    if not _meet(extent, (low, high)):
        return hit
    near = np.nonzero(((points >= low) & (points <= high)).all(axis=1))[0]
    if len(near):
        hit[near] |= _on_arm(points[near], robot, base.link_radius, config)
    return hit


def _meet(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether two axis-aligned boxes (low (3,), high (3,)) intersect (closed)."""
    return bool(np.all(a[0] <= b[1]) and np.all(b[0] <= a[1]))


def _arm_points(robot: RobotState) -> np.ndarray:
    """(K, 3) the robot state's link positions and its grasp point (world, metres)."""
    ee = np.asarray(robot.ee_position, dtype=float).reshape(1, 3)
    if robot.links is None or not len(robot.links):
        return ee
    return np.concatenate([np.asarray(robot.links, dtype=float).reshape(-1, 3), ee])


def _on_arm(
    points: np.ndarray, robot: RobotState, link_radius: float, config: BodyConfig
) -> np.ndarray:
    """(M,) bool: points (M, 3) within link_radius of the arm's links or tool_radius of its tool
    and grasp point. Each link and sphere is tested only on the points inside its bounding
    box grown by its radius, and not at all when that box misses the points' own box."""
    hit = np.zeros(len(points), dtype=bool)
    extent = (points.min(axis=0), points.max(axis=0))
    parts: list[tuple[np.ndarray, np.ndarray, float]] = []  # segment ends and radius
    if robot.links is not None and len(robot.links):
        links = np.asarray(robot.links, dtype=float)
        parts += [(a, b, link_radius) for a, b in itertools.pairwise(links)]
        parts.append((links[-1], links[-1], config.tool_radius))
    ee = np.asarray(robot.ee_position, dtype=float)
    parts.append((ee, ee, config.tool_radius))
    for a, b, radius in parts:
        low, high = np.minimum(a, b) - radius, np.maximum(a, b) + radius
        if not _meet(extent, (low, high)):
            continue
        near = np.nonzero(((points >= low) & (points <= high)).all(axis=1))[0]
        hit[near] |= _segment_distance(points[near], a, b) < radius
    return hit


def outside_cell(
    points: np.ndarray, cell: RobotCell, config: BodyConfig = DEFAULT_BODY
) -> np.ndarray:
    """(M,) bool: world points (M, 3) beyond the table's extent or above the workspace."""
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    (x0, x1), (y0, y1) = cell.table.x_range, cell.table.y_range
    top = cell.workspace.z_range[1] + config.above_workspace
    return (
        (points[:, 0] < x0)
        | (points[:, 0] > x1)
        | (points[:, 1] < y0)
        | (points[:, 1] > y1)
        | (points[:, 2] > top)
    )


def _segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(M,) distance of points (M, 3) to the segment a-b."""
    ab = b - a
    length2 = float(ab @ ab)
    if length2 < 1e-12:
        return np.asarray(np.linalg.norm(points - a, axis=1))
    t = np.clip((points - a) @ ab / length2, 0.0, 1.0)
    return np.asarray(np.linalg.norm(points - (a + t[:, None] * ab), axis=1))
