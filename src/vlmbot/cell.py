"""Robot-cell configuration shared by the agent, the safety gate and the simulator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.errors import InputError


@dataclass(frozen=True)
class Workspace:
    """Axis-aligned bounds (world frame, metres) inside which the gripper may move and act,
    the table plane height, and the viewer frame that "left", "right", "in front of" and
    "behind" are counted from.

    viewer_yaw: the direction the viewer faces, radians about z (0 = looking along +x, the
    default: a viewer standing behind the robot base). "left" is the viewer's left.
    """

    x_range: tuple[float, float] = (0.25, 0.80)
    y_range: tuple[float, float] = (-0.42, 0.42)
    z_range: tuple[float, float] = (0.0, 0.45)
    table_z: float = 0.0
    viewer_yaw: float = 0.0

    def __post_init__(self) -> None:
        for name in ("x_range", "y_range", "z_range"):
            low, high = getattr(self, name)
            if not low < high:
                raise InputError(f"workspace {name} must be (low, high) with low < high")

    @property
    def low(self) -> np.ndarray:
        return np.array([self.x_range[0], self.y_range[0], self.z_range[0]])

    @property
    def high(self) -> np.ndarray:
        return np.array([self.x_range[1], self.y_range[1], self.z_range[1]])

    def contains(self, point: np.ndarray | tuple[float, ...], margin: float = 0.0) -> bool:
        """Whether a world point (3,) or (2,) lies inside the bounds (xy only for (2,))."""
        p = np.asarray(point, dtype=float)
        n = len(p)
        return bool(np.all(p >= self.low[:n] - margin) and np.all(p <= self.high[:n] + margin))

    def clamp(self, point: np.ndarray | tuple[float, ...]) -> np.ndarray:
        return np.clip(np.asarray(point, dtype=float), self.low, self.high)

    def to_viewer(self, xy: np.ndarray) -> np.ndarray:
        """World xy (..., 2) → viewer frame (..., 2) as (forward, left)."""
        c, s = np.cos(self.viewer_yaw), np.sin(self.viewer_yaw)
        xy = np.asarray(xy, dtype=float)
        forward = xy[..., 0] * c + xy[..., 1] * s
        left = -xy[..., 0] * s + xy[..., 1] * c
        return np.stack([forward, left], axis=-1)

    def from_viewer(self, forward_left: np.ndarray) -> np.ndarray:
        """Viewer-frame offsets (..., 2) as (forward, left) → world xy offsets (..., 2)."""
        c, s = np.cos(self.viewer_yaw), np.sin(self.viewer_yaw)
        fl = np.asarray(forward_left, dtype=float)
        x = fl[..., 0] * c - fl[..., 1] * s
        y = fl[..., 0] * s + fl[..., 1] * c
        return np.stack([x, y], axis=-1)


DEFAULT_WORKSPACE = Workspace()
