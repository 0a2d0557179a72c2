"""Sensor validation before perception: a frame that is not a plausible calibrated RGB-D image
of the cell's table is rejected with one clear `SensorError` line, never turned into objects.

Checks, per frame (see `SensorLimits` for every number):
- intrinsics: fx, fy give a field of view a real camera has; square-ish pixels; the principal
  point inside the image;
- view: the camera, where its calibration puts it, sees part of the workspace's table area
  in front of it within its depth range (a camera looking at the sky fails here);
- colour: not one flat colour (a 16-bit grey PNG read as RGB turns all white);
- depth: enough pixels finite, positive and inside the camera's depth range (from the cell);
  a median near 1000 × the range is millimetres, named as such; pixels outside the range are
  masked to 0 (NaN / ±inf / negative are already masked by `RGBDFrame`), so no stage ever
  deprojects them;
- agreement: the depth's dominant horizontal plane, deprojected with the calibration, lies at
  the cell's table height (depth from another camera, a wrong pose or a wrong scale fails).

Frames: OpenCV / ROS optical frames; world frame z up, metres (see `vlmbot.types`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import RobotCell
from vlmbot.depth import estimate_table_plane
from vlmbot.errors import InputError
from vlmbot.geometry import project
from vlmbot.types import Camera, Observation, RGBDFrame

#: The depth range assumed for a camera the cell does not list (metres).
DEFAULT_DEPTH_RANGE: tuple[float, float] = (0.05, 4.0)  # = CellCamera's default


class SensorError(InputError):
    """A camera frame failed validation; the message names the camera and the fault."""


@dataclass(frozen=True)
class SensorLimits:
    """min_fov_deg / max_fov_deg: horizontal and vertical fields of view a camera may have;
    max_pixel_aspect: largest fx/fy (or fy/fx); min_valid_depth: fraction of pixels whose depth
    must be in range; min_workspace_seen: fraction of a grid over the workspace's table area the
    camera must see; min_rgb_spread: grey levels (standard deviation) below which the colour
    image is one flat colour; table_tolerance: metres between the depth's table plane and the
    cell's table height; max_table_tilt_deg: tilt of that plane; grid: points per side of the
    workspace grid."""

    min_fov_deg: float = 5.0
    max_fov_deg: float = 170.0
    max_pixel_aspect: float = 1.5
    min_valid_depth: float = 0.25
    min_workspace_seen: float = 0.05
    min_rgb_spread: float = 1.0
    table_tolerance: float = 0.03
    max_table_tilt_deg: float = 10.0
    grid: int = 9

    def __post_init__(self) -> None:
        if not 0 < self.min_fov_deg < self.max_fov_deg < 180:
            raise InputError("SensorLimits: need 0 < min_fov_deg < max_fov_deg < 180")
        for name in ("min_valid_depth", "min_workspace_seen"):
            if not 0 < getattr(self, name) <= 1:
                raise InputError(f"SensorLimits.{name} must be in (0, 1]")
        positive = ("max_pixel_aspect", "min_rgb_spread", "table_tolerance")
        if any(getattr(self, name) <= 0 for name in positive) or self.max_pixel_aspect < 1:
            raise InputError("SensorLimits: aspect >= 1 and tolerances must be positive")
        if not 0 < self.max_table_tilt_deg < 90 or not 2 <= self.grid <= 64:
            raise InputError("SensorLimits: max_table_tilt_deg in (0, 90), grid in [2, 64]")


DEFAULT_LIMITS = SensorLimits()


def depth_range(cell: RobotCell, camera_name: str) -> tuple[float, float]:
    """(near, far) metres of the cell's camera of that name, or the default range."""
    for camera in cell.cameras:
        if camera.name == camera_name:
            return camera.depth_range
    return DEFAULT_DEPTH_RANGE


def check_intrinsics(camera: Camera, limits: SensorLimits = DEFAULT_LIMITS) -> None:
    """Raise SensorError unless K is a plausible pinhole: fields of view in range, square-ish
    pixels, principal point (cx, cy) inside the W x H image."""
    fx, fy, cx, cy = camera.K[0, 0], camera.K[1, 1], camera.K[0, 2], camera.K[1, 2]
    where = f"camera {camera.name}"
    for axis, focal, size in (("horizontal", fx, camera.width), ("vertical", fy, camera.height)):
        fov = float(np.degrees(2 * np.arctan(size / 2 / focal)))
        if not limits.min_fov_deg <= fov <= limits.max_fov_deg:
            raise SensorError(
                f"{where}: focal length {focal:.3g} px gives a {axis} field of view of "
                f"{fov:.1f}°, outside [{limits.min_fov_deg:g}, {limits.max_fov_deg:g}]° "
                "(intrinsics in other units, or not calibrated?)"
            )
    if max(fx / fy, fy / fx) > limits.max_pixel_aspect:
        raise SensorError(f"{where}: fx {fx:.4g} and fy {fy:.4g} differ too much")
    if not (0 <= cx <= camera.width and 0 <= cy <= camera.height):
        raise SensorError(
            f"{where}: principal point ({cx:.4g}, {cy:.4g}) lies outside the "
            f"{camera.width}x{camera.height} image"
        )


def workspace_seen(camera: Camera, cell: RobotCell, near_far: tuple[float, float], n: int) -> float:
    """Fraction of an n x n grid over the workspace's table area (world frame, at the table
    height) that projects inside the image, in front of the camera, within near..far metres."""
    ws = cell.workspace
    xs = np.linspace(*ws.x_range, n)
    ys = np.linspace(*ws.y_range, n)
    grid = np.array([(x, y, ws.table_z) for x in xs for y in ys])
    uv, z = project(camera, grid)
    inside = (
        (z > near_far[0])
        & (z < near_far[1])
        & (uv[:, 0] >= 0)
        & (uv[:, 0] <= camera.width)
        & (uv[:, 1] >= 0)
        & (uv[:, 1] <= camera.height)
    )
    return float(inside.mean())


def check_view(
    camera: Camera,
    cell: RobotCell,
    near_far: tuple[float, float],
    limits: SensorLimits = DEFAULT_LIMITS,
) -> None:
    """Raise SensorError unless the camera sees part of the workspace (see `workspace_seen`)."""
    seen = workspace_seen(camera, cell, near_far, limits.grid)
    if seen < limits.min_workspace_seen:
        raise SensorError(
            f"camera {camera.name} does not see the workspace ({seen:.0%} of the table area "
            f"in view): check T_world_cam (is it pointed at the table, in the world frame?)"
        )


def check_rgb(frame: RGBDFrame, limits: SensorLimits = DEFAULT_LIMITS) -> None:
    """Raise SensorError when the colour image is one flat colour (no scene to see)."""
    if _surely_spread(frame.rgb, limits.min_rgb_spread):
        return
    spread = rgb_spread(frame.rgb)
    if spread < limits.min_rgb_spread:
        colour = tuple(int(c) for c in frame.rgb.reshape(-1, 3)[0])
        raise SensorError(
            f"camera {frame.camera.name}: the colour image is blank (every pixel is {colour}); "
            "a 16-bit or greyscale image read as RGB, or a covered lens?"
        )


def _surely_spread(rgb: np.ndarray, threshold: float, stride: int = 8) -> bool:
    """True when every `stride`-th pixel (rows and columns) alone proves that some channel's
    standard deviation over the whole (H, W, 3) image is at least `threshold`: m of the N
    pixels hold at most the whole image's squared deviations, so N var >= m var_subsample."""
    sample = rgb[::stride, ::stride].reshape(-1, 3)
    share = len(sample) / max(rgb.shape[0] * rgb.shape[1], 1)
    return bool(float(sample.std(axis=0).max()) ** 2 * share >= threshold**2 * (1 + 1e-9))


def rgb_spread(rgb: np.ndarray) -> float:
    """The largest per-channel standard deviation (grey levels) of an (H, W, 3) uint8 image,
    from each channel's 256-bin histogram (an order of magnitude faster than np.std)."""
    flat = rgb.reshape(-1, 3)
    levels = np.arange(256.0)
    spreads = []
    for channel in range(3):
        counts = np.bincount(flat[:, channel], minlength=256).astype(np.float64)
        mean = counts @ levels / counts.sum()
        spreads.append(np.sqrt(counts @ (levels - mean) ** 2 / counts.sum()))
    return float(max(spreads))


def checked_depth(
    frame: RGBDFrame, near_far: tuple[float, float], limits: SensorLimits = DEFAULT_LIMITS
) -> np.ndarray:
    """(H, W) float32 metres with every pixel outside near..far masked to 0; SensorError when
    too few pixels are valid, naming the commonest cause (NaN, negative, 0, millimetres, range)."""
    assert frame.depth is not None
    depth, faults = frame.depth, frame.depth_faults
    near, far = near_far
    in_range = (depth >= near) & (depth <= far)
    if in_range.mean() >= limits.min_valid_depth:
        return np.where(in_range, depth, 0.0).astype(np.float32)
    total = max(faults.total, 1)
    beyond = depth > far
    shares = {
        "NaN or infinite": faults.non_finite / total,
        "negative (depth is the distance along the optical z axis, not an OpenGL z-buffer)": (
            faults.negative / total
        ),
        "0 (no measurement)": (faults.zero) / total,
        f"nearer than {near:g} m": float(((depth > 0) & (depth < near)).mean()),
        f"farther than {far:g} m": float(beyond.mean()),
    }
    cause, share = max(shares.items(), key=lambda item: item[1])
    detail = f"{share:.0%} of its pixels are {cause}"
    if beyond.any():
        median = float(np.median(depth[beyond]))
        if cause.startswith("farther") and near <= median / 1000 <= far:
            detail += (
                f"; their median {median:.4g} is millimetres, not metres (convert the depth, "
                "e.g. --depth-scale 0.001)"
            )
    raise SensorError(
        f"camera {frame.camera.name}: depth is not usable: only {in_range.mean():.0%} of pixels "
        f"are in its range [{near:g}, {far:g}] m; {detail}"
    )


def check_table(
    camera: Camera, depth: np.ndarray, cell: RobotCell, limits: SensorLimits = DEFAULT_LIMITS
) -> None:
    """Raise SensorError unless the depth, deprojected with the calibration, shows the table
    plane horizontal at the cell's table height (world frame)."""
    plane = estimate_table_plane(depth, camera)
    if plane is None:
        raise SensorError(
            f"camera {camera.name}: no table plane in its depth: the depth does not fit the "
            "calibration (wrong T_world_cam or K, or depth from another camera?)"
        )
    tilt = float(np.degrees(np.arccos(np.clip(plane.normal[2], -1, 1))))
    height = -plane.offset / max(float(plane.normal[2]), 1e-9)
    if tilt > limits.max_table_tilt_deg or abs(height - cell.table.z) > limits.table_tolerance:
        raise SensorError(
            f"camera {camera.name}: its depth puts the table at z = {height:.3f} m, tilted "
            f"{tilt:.0f}°, but the table is at z = {cell.table.z:.3f} m: the depth does not fit "
            "the calibration (wrong T_world_cam, wrong scale, or depth from another camera?)"
        )


def validate_frame(
    name: str,
    frame: RGBDFrame,
    cell: RobotCell,
    limits: SensorLimits = DEFAULT_LIMITS,
    scene_checks: bool = True,
) -> RGBDFrame:
    """The frame with out-of-range depth masked, or SensorError (see module docstring).

    scene_checks=False skips what needs the cell's table (view, agreement) for images of any
    scene; intrinsics, colour and depth are always checked.
    """
    if not isinstance(frame, RGBDFrame):
        raise InputError(f"frame {name!r} must be an RGBDFrame, got {type(frame).__name__}")
    check_intrinsics(frame.camera, limits)
    near_far = depth_range(cell, name)
    if scene_checks:
        check_view(frame.camera, cell, near_far, limits)
    check_rgb(frame, limits)
    if frame.depth is None:
        return frame
    depth = checked_depth(frame, near_far, limits)
    if scene_checks:
        check_table(frame.camera, depth, cell, limits)
    return dataclasses.replace(frame, depth=depth)


def validate_observation(
    observation: Observation, cell: RobotCell, limits: SensorLimits = DEFAULT_LIMITS
) -> Observation:
    """Every frame validated (`validate_frame`); at least one must carry depth. One failing
    frame fails the observation: a faulty sensor is not outvoted by a good one."""
    if not isinstance(observation, Observation):
        raise InputError(f"observation must be an Observation, got {type(observation).__name__}")
    frames = {
        name: validate_frame(name, frame, cell, limits)
        for name, frame in observation.frames.items()
    }
    if all(frame.depth is None for frame in frames.values()):
        raise SensorError("no camera gave depth: the agent needs calibrated RGB-D frames")
    return dataclasses.replace(observation, frames=frames)
