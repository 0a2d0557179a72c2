"""The robot cell: everything about the robot's world that does not change from frame to frame.

One description, read alike by perception (workspace volume, table plane, the robot's own body),
planning and the safety gate (workspace, gripper, reach) and the simulator (table, cameras, arm).
World frame: z up, metres, radians. A cell is data: `RobotCell.to_dict()` / `from_dict()`
round-trip, and `load_cell(path)` reads a JSON file with one-line errors.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.errors import InputError
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.types import Camera, PickPlace, Pose


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
            value = getattr(self, name)
            low, high = _pair(value, f"workspace {name}")
            if not low < high:
                raise InputError(f"workspace {name} must be (low, high) with low < high")
            object.__setattr__(self, name, (low, high))
        object.__setattr__(self, "table_z", _finite(self.table_z, "workspace table_z"))
        object.__setattr__(self, "viewer_yaw", _finite(self.viewer_yaw, "workspace viewer_yaw"))

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


GRIPPER_KINDS = ("parallel", "suction")


@dataclass(frozen=True)
class Gripper:
    """The end effector.

    kind "parallel": two fingers closing across the object's narrow side; max_opening (metres)
    bounds what fits between them, less `clearance`. kind "suction": a cup of `cup_diameter`
    metres that needs a flat top at least that wide; there is no width check, the pick point is
    the top surface, and yaw does not matter to it.
    """

    kind: str = "parallel"
    max_opening: float = 0.08
    clearance: float = 0.005
    cup_diameter: float = 0.03

    def __post_init__(self) -> None:
        if self.kind not in GRIPPER_KINDS:
            raise InputError(f"gripper kind must be one of {', '.join(GRIPPER_KINDS)}")
        for name, high in (("max_opening", 0.5), ("clearance", 0.05), ("cup_diameter", 0.3)):
            value = _finite(getattr(self, name), f"gripper {name}")
            if not 0 <= value <= high:
                raise InputError(f"gripper {name} must be in [0, {high}] metres, got {value}")
            object.__setattr__(self, name, value)
        if self.kind == "parallel" and self.max_opening <= self.clearance:
            raise InputError("gripper max_opening must exceed its clearance")

    @property
    def suction(self) -> bool:
        return self.kind == "suction"

    def fits(self, extent: np.ndarray) -> bool:
        """Whether an object of extent (3,) (own axes, metres) can be held: its narrow side
        between the fingers, or a top face wide enough for the cup."""
        narrow = float(min(extent[0], extent[1]))
        if self.suction:
            return narrow >= self.cup_diameter
        return narrow < self.max_opening - self.clearance


@dataclass(frozen=True)
class CellCamera:
    """A calibrated camera of the cell and the depth range its sensor measures (metres)."""

    camera: Camera
    depth_range: tuple[float, float] = (0.05, 4.0)

    def __post_init__(self) -> None:
        near, far = _pair(self.depth_range, f"camera {self.camera.name} depth_range")
        if not 0 < near < far:
            raise InputError(f"camera {self.camera.name} depth_range must be 0 < near < far")
        object.__setattr__(self, "depth_range", (near, far))

    @property
    def name(self) -> str:
        return self.camera.name

    @classmethod
    def looking_at(
        cls,
        name: str,
        eye: tuple[float, float, float],
        target: tuple[float, float, float],
        vertical_fov_deg: float = 50.0,
        size: tuple[int, int] = (224, 224),
        depth_range: tuple[float, float] = (0.05, 4.0),
    ) -> CellCamera:
        """A camera at `eye` looking at `target` (world, metres), square pixels, centred
        principal point; size is (width, height)."""
        fov = _finite(vertical_fov_deg, f"camera {name} vertical_fov_deg")
        if not 5.0 <= fov <= 170.0:
            raise InputError(f"camera {name} vertical_fov_deg must be in [5, 170]")
        width, height = (_int(v, f"camera {name} size") for v in _pair(size, f"camera {name}"))
        eye_a, target_a = np.asarray(eye, float), np.asarray(target, float)
        if np.linalg.norm(target_a - eye_a) < 1e-6:
            raise InputError(f"camera {name}: eye and target coincide")
        camera = Camera(
            K=intrinsics_from_fov(width, height, fov),
            T_world_cam=look_at(eye_a, target_a),
            width=width,
            height=height,
            name=name,
        )
        return cls(camera, depth_range)

    def to_dict(self) -> dict[str, Any]:
        return {**self.camera.to_dict(), "depth_range": list(self.depth_range)}


@dataclass(frozen=True)
class Table:
    """The table top: height z (metres) and its extent in x and y (world frame)."""

    z: float = 0.0
    x_range: tuple[float, float] = (-0.35, 1.15)
    y_range: tuple[float, float] = (-0.75, 0.75)

    def __post_init__(self) -> None:
        object.__setattr__(self, "z", _finite(self.z, "table z"))
        for name in ("x_range", "y_range"):
            low, high = _pair(getattr(self, name), f"table {name}")
            if not low < high:
                raise InputError(f"table {name} must be (low, high) with low < high")
            object.__setattr__(self, name, (low, high))


@dataclass(frozen=True)
class RobotBase:
    """Where the arm stands (world frame) and how far it reaches: position (3,) metres, yaw
    radians, reach (metres, horizontal distance from the base axis to the grasp point).

    body_radius/body_height: a vertical cylinder around the base axis that is the robot
    itself; perception never takes points inside it for objects. link_radius: metres around
    the line through the arm's link frames (from the robot state) that is the arm: its
    thickest link's radius plus how far the link frames sit off the links' axes. The default
    covers the Panda, KUKA iiwa and xArm6 models (measured: 99 % of their surface points lie
    within 0.13 m of that line)."""

    position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    yaw: float = 0.0
    reach: float = 0.855
    body_radius: float = 0.12
    body_height: float = 1.2
    link_radius: float = 0.13

    def __post_init__(self) -> None:
        position = tuple(_finite(v, "base position") for v in _triple(self.position, "base"))
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "yaw", _finite(self.yaw, "base yaw"))
        limits = (("reach", 3.0), ("body_radius", 1.0), ("body_height", 3.0), ("link_radius", 0.5))
        for name, high in limits:
            value = _finite(getattr(self, name), f"base {name}")
            if not 0 < value <= high:
                raise InputError(f"base {name} must be in (0, {high}] metres, got {value}")
            object.__setattr__(self, name, value)

    def reaches(self, xy: np.ndarray) -> bool:
        offset = np.asarray(xy, dtype=float)[:2] - np.asarray(self.position[:2])
        return bool(np.linalg.norm(offset) <= self.reach)


@dataclass(frozen=True)
class RobotCell:
    """One robot's world (see module docstring). arm: the simulator's arm model for this cell
    ("panda", "kuka_iiwa", "xarm6"); the agent never reads it. vocabulary: the object
    categories this cell's objects belong to (`vlmbot.lexicon.concepts` names; None: any),
    as a robot cell knows its parts: perception considers only these."""

    name: str = "home"
    workspace: Workspace = field(default_factory=Workspace)
    table: Table = field(default_factory=Table)
    gripper: Gripper = field(default_factory=Gripper)
    cameras: tuple[CellCamera, ...] = ()
    base: RobotBase = field(default_factory=RobotBase)
    arm: str = "panda"
    vocabulary: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("a cell needs a name")
        names = [c.name for c in self.cameras]
        if len(set(names)) != len(names):
            raise InputError(f"cell {self.name}: camera names must be unique, got {names}")
        if abs(self.table.z - self.workspace.table_z) > 1e-6:
            raise InputError(f"cell {self.name}: workspace table_z differs from the table height")
        if self.vocabulary is not None:
            from vlmbot.lexicon.concepts import CONCEPTS

            vocabulary = tuple(dict.fromkeys(self.vocabulary))
            unknown = [c for c in vocabulary if c not in CONCEPTS]
            if unknown or not vocabulary:
                raise InputError(
                    f"cell {self.name}: vocabulary has unknown categories {unknown}; known: "
                    f"{', '.join(CONCEPTS)}"
                )
            object.__setattr__(self, "vocabulary", vocabulary)

    def camera(self, name: str) -> CellCamera:
        for camera in self.cameras:
            if camera.name == name:
                return camera
        raise InputError(f"cell {self.name} has no camera {name!r}")

    def can_reach(self, point: np.ndarray | tuple[float, ...]) -> bool:
        """Inside the workspace and within the arm's reach."""
        return self.workspace.contains(point) and self.base.reaches(np.asarray(point)[:2])

    def clamp(self, action: PickPlace) -> tuple[PickPlace, float]:
        """Both poses clamped to the workspace volume; and how far (metres) the farther pose
        moved. The robot executes the clamped action; the gate refuses one that moves."""
        poses, moved = [], 0.0
        for pose in (action.pick_pose, action.place_pose):
            clamped = self.workspace.clamp(np.asarray(pose.position))
            moved = max(moved, float(np.linalg.norm(clamped - np.asarray(pose.position))))
            poses.append(Pose((float(clamped[0]), float(clamped[1]), float(clamped[2])), pose.yaw))
        return PickPlace(poses[0], poses[1], action.target), moved

    # --- files -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        ws, table, gripper, base = self.workspace, self.table, self.gripper, self.base
        return {
            "name": self.name,
            "workspace": {
                "x_range": list(ws.x_range),
                "y_range": list(ws.y_range),
                "z_range": list(ws.z_range),
                "viewer_yaw": ws.viewer_yaw,
            },
            "table": {"z": table.z, "x_range": list(table.x_range), "y_range": list(table.y_range)},
            "gripper": {
                "kind": gripper.kind,
                "max_opening": gripper.max_opening,
                "clearance": gripper.clearance,
                "cup_diameter": gripper.cup_diameter,
            },
            "cameras": [c.to_dict() for c in self.cameras],
            "base": {
                "position": list(base.position),
                "yaw": base.yaw,
                "reach": base.reach,
                "body_radius": base.body_radius,
                "body_height": base.body_height,
                "link_radius": base.link_radius,
            },
            "arm": self.arm,
            "vocabulary": None if self.vocabulary is None else list(self.vocabulary),
        }

    @classmethod
    def from_dict(cls, data: Any) -> RobotCell:
        """A cell from its dict form. Cameras are {K, T_world_cam, width, height} or {eye,
        target, vertical_fov_deg, width, height}; either may add depth_range [near, far]."""
        data = _object(data, "cell", _CELL_KEYS)
        table = Table(**_object(data.get("table", {}), "table", ("z", "x_range", "y_range")))
        workspace_data = _object(
            data.get("workspace", {}), "workspace", ("x_range", "y_range", "z_range", "viewer_yaw")
        )
        workspace = Workspace(**workspace_data, table_z=table.z)
        gripper = Gripper(
            **_object(
                data.get("gripper", {}),
                "gripper",
                ("kind", "max_opening", "clearance", "cup_diameter"),
            )
        )
        base = RobotBase(
            **_object(
                data.get("base", {}),
                "base",
                ("position", "yaw", "reach", "body_radius", "body_height", "link_radius"),
            )
        )
        cameras_data = data.get("cameras", [])
        if not isinstance(cameras_data, list) or len(cameras_data) > 8:
            raise InputError("cell cameras must be a list of at most 8 cameras")
        cameras = tuple(_camera(c, i) for i, c in enumerate(cameras_data))
        arm = data.get("arm", "panda")
        if not isinstance(arm, str):
            raise InputError("cell arm must be a string")
        name = data.get("name", "cell")
        if not isinstance(name, str):
            raise InputError("cell name must be a string")
        vocabulary = data.get("vocabulary")
        if vocabulary is not None and (
            not isinstance(vocabulary, list) or not all(isinstance(v, str) for v in vocabulary)
        ):
            raise InputError("cell vocabulary must be a list of category names")
        words = None if vocabulary is None else tuple(vocabulary)
        return cls(name, workspace, table, gripper, cameras, base, arm, words)


_CELL_KEYS = (
    "name",
    "workspace",
    "table",
    "gripper",
    "cameras",
    "base",
    "arm",
    "vocabulary",
    "sim",
)
MAX_CELL_FILE_BYTES = 1_000_000


def load_cell(path: str | Path) -> RobotCell:
    """Read a cell JSON file (see `RobotCell.from_dict`); every problem is one InputError line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"cell file not found: {path}")
    try:
        if path.stat().st_size > MAX_CELL_FILE_BYTES:
            raise InputError(f"cell file {path} is larger than {MAX_CELL_FILE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, InputError) as exc:
        raise InputError(f"cannot read cell file {path}: {exc}") from None
    try:
        return RobotCell.from_dict(data)
    except InputError as exc:
        raise InputError(f"cell file {path}: {exc}") from None


def _reject_constant(name: str) -> float:
    raise InputError(f"{name} is not a number")


def _camera(data: Any, index: int) -> CellCamera:
    where = f"cameras[{index}]"
    if not isinstance(data, dict):
        raise InputError(f"{where} must be an object")
    depth_range = _pair(data.get("depth_range", (0.05, 4.0)), f"{where} depth_range")
    if "eye" in data:
        keys = ("name", "eye", "target", "vertical_fov_deg", "width", "height", "depth_range")
        data = _object(data, where, keys)
        if "target" not in data:
            raise InputError(f"{where} has an eye but no target")
        return CellCamera.looking_at(
            str(data.get("name", f"camera{index}")),
            _triple(data["eye"], f"{where} eye"),
            _triple(data["target"], f"{where} target"),
            data.get("vertical_fov_deg", 50.0),
            (data.get("width", 224), data.get("height", 224)),
            depth_range,
        )
    data = _object(data, where, ("name", "K", "T_world_cam", "width", "height", "depth_range"))
    try:
        camera = Camera.from_dict({"name": f"camera{index}", **data})
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return CellCamera(camera, depth_range)


def _object(data: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(f"{where} has unknown keys {unknown}; allowed: {list(allowed)}")
    return dict(data)


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{what} must be finite, got {value!r}")
    return number


def _int(value: Any, what: str) -> int:
    number = _finite(value, what)
    if number != int(number) or not 1 <= number <= 8192:
        raise InputError(f"{what} must be whole numbers of pixels in [1, 8192], got {value!r}")
    return int(number)


def _pair(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(f"{what} must be a pair [low, high], got {value!r}")
    return _finite(value[0], what), _finite(value[1], what)


def _triple(value: Any, what: str) -> tuple[float, float, float]:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise InputError(f"{what} must be [x, y, z], got {value!r}")
    return _finite(value[0], what), _finite(value[1], what), _finite(value[2], what)


#: Today's cell: a Franka Panda at the origin with its parallel gripper, two 224x224 RGB-D
#: cameras (one in front of the table, one above it).
HOME_CELL = RobotCell(
    name="home",
    vocabulary=(
        "block",
        "cylinder",
        "sphere",
        "mug",
        "duck",
        "teddy_bear",
        "lego_brick",
        "jenga_block",
        "domino",
        "soccer_ball",
        "bowl",
        "plate",
        "tray",
    ),
    cameras=(
        CellCamera.looking_at("front", (1.20, 0.0, 0.60), (0.50, 0.0, 0.0), 48.0),
        CellCamera.looking_at("top", (0.62, 0.0, 0.92), (0.62, 0.0, 0.0), 60.0),
    ),
)
DEFAULT_WORKSPACE = HOME_CELL.workspace
