"""Camera geometry in the OpenCV / ROS optical-frame convention (x right, y down, z forward)."""

from __future__ import annotations

import numpy as np

from vlmbot.types import Camera


def transform_points(T: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (4, 4) rigid transform to (N, 3) points."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return points @ T[:3, :3].T + T[:3, 3]


def project(camera: Camera, points_world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World points (N, 3) → pixels (N, 2) as (u, v) and depth (N,) along the optical axis.

    Pixel centres sit at half-integers: the top-left pixel covers [0, 1) x [0, 1).
    Points behind the camera get depth <= 0; their pixels are meaningless.
    """
    points_cam = transform_points(camera.T_cam_world, points_world)
    z = points_cam[:, 2]
    safe_z = np.where(np.abs(z) < 1e-9, 1e-9, z)
    uv = (points_cam[:, :2] / safe_z[:, None]) @ camera.K[:2, :2].T + camera.K[:2, 2]
    return uv, z


def deproject(camera: Camera, uv: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Pixels (N, 2) as (u, v) with depth (N,) along the optical axis → world points (N, 3)."""
    uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
    depth = np.asarray(depth, dtype=np.float64).reshape(-1)
    fx, fy = camera.K[0, 0], camera.K[1, 1]
    cx, cy = camera.K[0, 2], camera.K[1, 2]
    x = (uv[:, 0] - cx) / fx * depth
    y = (uv[:, 1] - cy) / fy * depth
    points_cam = np.stack([x, y, depth], axis=1)
    return transform_points(camera.T_world_cam, points_cam)


def depth_to_points(camera: Camera, depth: np.ndarray, stride: int = 1) -> np.ndarray:
    """A depth image (H, W) in metres → world points (H/stride, W/stride, 3); 0 depth → NaN."""
    height, width = depth.shape
    v, u = np.mgrid[0:height:stride, 0:width:stride]
    d = depth[::stride, ::stride]
    uv = np.stack([u + 0.5, v + 0.5], axis=-1).reshape(-1, 2)
    points = deproject(camera, uv, d.reshape(-1)).reshape(*d.shape, 3)
    points[d <= 0] = np.nan
    return points


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    """(4, 4) T_world_cam for an optical-frame camera at eye looking at target.

    The image's "up" (−y of the optical frame) points as close to `up` (default world +z,
    or +x when looking straight down) as possible.
    """
    eye = np.asarray(eye, dtype=np.float64)
    forward = np.asarray(target, dtype=np.float64) - eye
    forward /= np.linalg.norm(forward)
    if up is None:
        up = np.array([0.0, 0.0, 1.0])
        if abs(float(forward @ up)) > 0.99:
            up = np.array([1.0, 0.0, 0.0])
    right = np.cross(forward, np.asarray(up, dtype=np.float64))
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    T = np.eye(4)
    T[:3, 0], T[:3, 1], T[:3, 2], T[:3, 3] = right, down, forward, eye
    return T


def intrinsics_from_fov(width: int, height: int, vertical_fov_deg: float) -> np.ndarray:
    """(3, 3) K for a pinhole camera with square pixels and the principal point at the centre."""
    fy = height / 2 / np.tan(np.radians(vertical_fov_deg) / 2)
    return np.array([[fy, 0, width / 2], [0, fy, height / 2], [0, 0, 1]], dtype=np.float64)


def wrap_angle(angle: float) -> float:
    """Wrap to [-pi, pi)."""
    return float((angle + np.pi) % (2 * np.pi) - np.pi)


def to_local_xy(offset: np.ndarray, yaw: float) -> np.ndarray:
    """A world xy offset (2,) expressed in the axes of a frame rotated by yaw (radians)."""
    c, s = np.cos(-yaw), np.sin(-yaw)
    return np.array([c * offset[0] - s * offset[1], s * offset[0] + c * offset[1]])
