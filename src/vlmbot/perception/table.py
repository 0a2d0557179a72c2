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
    stride: int = 6,
    iterations: int = 64,
    tolerance: float = 0.005,
    seed: int = 0,
) -> Plane | None:
    """The dominant roughly horizontal plane in a depth image (world frame), or None.

    RANSAC on every `stride`-th pixel, all hypotheses scored at once; candidate planes must be
    within 30° of horizontal so a wall or a box side never wins. Deterministic for a seed.
    """
    points = depth_to_points(camera, depth, stride).reshape(-1, 3)
    points = points[~np.isnan(points).any(axis=1)]
    if len(points) < 50:
        return None
    rng = np.random.default_rng(seed)
    triples = points[rng.integers(0, len(points), size=(iterations, 3))]
    normals = np.cross(triples[:, 1] - triples[:, 0], triples[:, 2] - triples[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    valid = lengths > 1e-9
    normals[valid] /= lengths[valid, None]
    valid &= np.abs(normals[:, 2]) >= np.cos(np.radians(30))
    if not valid.any():
        return None
    normals, anchors = normals[valid], triples[valid, 0]
    offsets = -np.einsum("ij,ij->i", normals, anchors)
    inliers = np.abs(points @ normals.T + offsets) < tolerance
    best = int(np.argmax(inliers.sum(axis=0)))
    if inliers[:, best].sum() < 30:
        return None
    return fit_plane(points[inliers[:, best]])


def height_map(depth: np.ndarray, camera: Camera, plane: Plane) -> np.ndarray:
    """(H, W) height of every pixel's 3D point above the plane, metres (NaN where depth is 0).

    Computed in the camera frame: one multiply-add per pixel.
    """
    height, width = depth.shape
    R, t = camera.T_world_cam[:3, :3], camera.T_world_cam[:3, 3]
    normal_cam = R.T @ plane.normal
    offset_cam = float(plane.normal @ t + plane.offset)
    u = (np.arange(width) + 0.5 - camera.K[0, 2]) / camera.K[0, 0]
    v = (np.arange(height) + 0.5 - camera.K[1, 2]) / camera.K[1, 1]
    along_ray = normal_cam[0] * u[None, :] + normal_cam[1] * v[:, None] + normal_cam[2]
    heights = depth * along_ray + offset_cam
    return np.where(depth > 0, heights, np.nan).astype(np.float32)
