"""Estimate the supporting plane (the table) from a depth image, with RANSAC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.geometry import depth_to_points
from vlmbot.types import Camera


@dataclass(frozen=True)
class Plane:
    """Points p with normal · p + offset = 0; normal (3,) unit length, pointing up (+z)."""

    normal: np.ndarray
    offset: float

    def height(self, points: np.ndarray) -> np.ndarray:
        """Signed distance (..., ) above the plane of world points (..., 3), metres."""
        return np.asarray(points) @ self.normal + self.offset


def fit_plane(points: np.ndarray) -> Plane:
    """Least-squares plane through (N, 3) points."""
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    normal = vt[-1]
    if normal[2] < 0:
        normal = -normal
    return Plane(normal, float(-normal @ centre))


def estimate_table_plane(
    depth: np.ndarray,
    camera: Camera,
    stride: int = 4,
    iterations: int = 60,
    tolerance: float = 0.005,
    seed: int = 0,
) -> Plane | None:
    """The dominant roughly horizontal plane in a depth image (world frame), or None.

    RANSAC on every `stride`-th pixel; candidate planes must be within 30° of horizontal so a
    wall or a box side never wins. Deterministic for a given seed.
    """
    points = depth_to_points(camera, depth, stride).reshape(-1, 3)
    points = points[~np.isnan(points).any(axis=1)]
    if len(points) < 50:
        return None
    rng = np.random.default_rng(seed)
    best_inliers: np.ndarray | None = None
    for _ in range(iterations):
        sample = points[rng.choice(len(points), 3, replace=False)]
        normal = np.cross(sample[1] - sample[0], sample[2] - sample[0])
        length = np.linalg.norm(normal)
        if length < 1e-9:
            continue
        normal /= length
        if abs(normal[2]) < np.cos(np.radians(30)):
            continue
        inliers = np.abs((points - sample[0]) @ normal) < tolerance
        if best_inliers is None or inliers.sum() > best_inliers.sum():
            best_inliers = inliers
    if best_inliers is None or best_inliers.sum() < 30:
        return None
    return fit_plane(points[best_inliers])
