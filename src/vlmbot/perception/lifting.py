"""Lift 2D boxes to world-frame 3D positions with a depth image and its camera."""

from __future__ import annotations

import dataclasses

import numpy as np

from vlmbot.errors import InputError
from vlmbot.geometry import deproject
from vlmbot.types import Camera, Detections


def check_depth(depth: np.ndarray | None, camera: Camera | None, image_hw: tuple[int, int]) -> None:
    """Raise InputError unless depth (H, W) metres and camera both match the image size."""
    if depth is None and camera is None:
        return
    if depth is None or camera is None:
        raise InputError("3D positions need both depth and camera")
    if np.asarray(depth).shape != image_hw:
        raise InputError(f"depth has shape {np.asarray(depth).shape}, the image is {image_hw}")
    if (camera.height, camera.width) != image_hw:
        raise InputError(
            f"camera is {camera.width}x{camera.height}, the image is {image_hw[1]}x{image_hw[0]}"
        )


def box_points(
    depth: np.ndarray, camera: Camera, xyxy: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """World points (M, 3) of the valid depth pixels inside a box (and mask, if given)."""
    height, width = depth.shape
    x0, y0, x1, y1 = np.round(np.asarray(xyxy, dtype=float)).astype(int)
    x0, x1 = np.clip([x0, x1], 0, width)
    y0, y1 = np.clip([y0, y1], 0, height)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 3))
    patch = depth[y0:y1, x0:x1]
    valid = patch > 0
    if mask is not None:
        valid &= mask[y0:y1, x0:x1]
    v, u = np.nonzero(valid)
    uv = np.stack([u + x0 + 0.5, v + y0 + 0.5], axis=1)
    return deproject(camera, uv, patch[v, u])


def foreground(points: np.ndarray, camera: Camera, margin: float = 0.03) -> np.ndarray:
    """Keep the points nearest the camera: an object occludes the table behind it in its box."""
    if len(points) < 4:
        return points
    distance = np.linalg.norm(points - camera.position, axis=1)
    near = np.percentile(distance, 10)
    return points[distance <= near + max(margin, 0.5 * (np.median(distance) - near))]


def lift_detections(detections: Detections, depth: np.ndarray, camera: Camera) -> Detections:
    """Add world-frame positions (N, 3) and extents (N, 3) from the depth inside each box.

    With masks, only each object's own pixels count; without, only the near-depth cluster of
    the box (the table around the object is farther). Boxes with no valid depth get NaN.
    """
    n = len(detections)
    positions = np.full((n, 3), np.nan, dtype=np.float32)
    extents = np.full((n, 3), np.nan, dtype=np.float32)
    for i in range(n):
        if detections.masks is not None:
            points = box_points(depth, camera, detections.xyxy[i], detections.masks[i])
        else:
            points = foreground(box_points(depth, camera, detections.xyxy[i]), camera)
        if len(points) == 0:
            continue
        low, high = np.percentile(points, [5, 95], axis=0)
        positions[i] = (low + high) / 2
        extents[i] = high - low
    return dataclasses.replace(detections, positions=positions, extents=extents)
