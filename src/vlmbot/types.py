"""Core data types shared by every stage. Numpy inside, no torch.

Conventions (see STYLE.md):
- World frame: right-handed, z up, metres; the table top is the plane z = 0 by default.
- Angles in radians; a yaw is a rotation about the world z axis.
- Cameras follow OpenCV / ROS optical frames: x right, y down, z forward; pixel (u, v) with
  u to the right and v down; depth is metric distance along the optical z axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from vlmbot.errors import InputError


def _as_array(value: Any, shape: tuple[int | None, ...], name: str, dtype: Any) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric with shape {shape}: {exc}") from None
    if array.ndim != len(shape) or any(
        want is not None and got != want for want, got in zip(shape, array.shape, strict=True)
    ):
        raise InputError(f"{name} must have shape {shape}, got {array.shape}")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise InputError(f"{name} contains NaN or infinite values")
    return array


#: Largest image side accepted anywhere (pixels); bigger is a misuse, not a camera.
MAX_IMAGE_SIDE = 16384


def _pixels(value: Any, name: str) -> int:
    """A whole, positive pixel count (a bool, a fraction, NaN or inf is an InputError)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"camera {name} must be a whole number of pixels, got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number != int(number):
        raise InputError(f"camera {name} must be a whole number of pixels, got {value!r}")
    if not 1 <= number <= MAX_IMAGE_SIDE:
        raise InputError(f"camera {name} must be in [1, {MAX_IMAGE_SIDE}] pixels, got {value!r}")
    return int(number)


def _freeze(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Camera:
    """A calibrated pinhole camera.

    K: (3, 3) intrinsics [[fx, 0, cx], [0, fy, cy], [0, 0, 1]] in pixels.
    T_world_cam: (4, 4) rigid transform taking points from the camera optical frame
        (x right, y down, z forward) into the world frame.
    width, height: image size in pixels.
    """

    K: np.ndarray
    T_world_cam: np.ndarray
    width: int
    height: int
    name: str = "camera"

    def __post_init__(self) -> None:
        K = _as_array(self.K, (3, 3), "K", np.float64)
        T = _as_array(self.T_world_cam, (4, 4), "T_world_cam", np.float64)
        if K[0, 0] <= 0 or K[1, 1] <= 0 or K[2, 2] != 1 or K[2, 0] != 0 or K[2, 1] != 0:
            raise InputError("K must be [[fx,0,cx],[0,fy,cy],[0,0,1]] with fx, fy > 0")
        R = T[:3, :3]
        if not np.allclose(R @ R.T, np.eye(3), atol=1e-4) or not np.allclose(T[3], [0, 0, 0, 1]):
            raise InputError("T_world_cam must be a rigid transform (orthonormal rotation)")
        if np.linalg.det(R) < 0:
            raise InputError("T_world_cam rotation must be right-handed (det = +1)")
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"camera name must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "K", _freeze(K))
        object.__setattr__(self, "T_world_cam", _freeze(T))
        object.__setattr__(self, "width", _pixels(self.width, "width"))
        object.__setattr__(self, "height", _pixels(self.height, "height"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Camera):
            return NotImplemented
        return (
            (self.name, self.width, self.height) == (other.name, other.width, other.height)
            and np.array_equal(self.K, other.K)
            and np.array_equal(self.T_world_cam, other.T_world_cam)
        )

    def __hash__(self) -> int:
        return hash(
            (self.name, self.width, self.height, self.K.tobytes(), self.T_world_cam.tobytes())
        )

    @property
    def T_cam_world(self) -> np.ndarray:
        """(4, 4) transform from world to camera optical frame."""
        R = self.T_world_cam[:3, :3]
        t = self.T_world_cam[:3, 3]
        T = np.eye(4)
        T[:3, :3] = R.T
        T[:3, 3] = -R.T @ t
        return T

    @property
    def position(self) -> np.ndarray:
        """(3,) camera centre in the world frame, metres."""
        return np.asarray(self.T_world_cam[:3, 3])

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "K": self.K.tolist(),
            "T_world_cam": self.T_world_cam.tolist(),
            "width": self.width,
            "height": self.height,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Camera:
        if not isinstance(data, dict):
            raise InputError("camera must be a JSON object with K, T_world_cam, width, height")
        missing = [key for key in ("K", "T_world_cam", "width", "height") if key not in data]
        if missing:
            raise InputError(f"camera is missing {', '.join(missing)}")
        return cls(
            K=data["K"],
            T_world_cam=data["T_world_cam"],
            width=_pixels(data["width"], "width"),
            height=_pixels(data["height"], "height"),
            name=str(data.get("name", "camera")),
        )


@dataclass(frozen=True)
class DepthFaults:
    """Pixels of a raw depth image that were not a measurement and were masked to 0:
    non_finite (NaN, ±inf), negative, and zero (the sensor's "unknown"), out of total."""

    non_finite: int = 0
    negative: int = 0
    zero: int = 0
    total: int = 0

    @property
    def masked(self) -> int:
        return self.non_finite + self.negative + self.zero


@dataclass(frozen=True)
class RGBDFrame:
    """One RGB-D image from a calibrated camera.

    rgb: (H, W, 3) uint8. depth: (H, W) float32 metres along the optical axis, 0 where unknown:
    NaN, ±inf and negative values are masked to 0 (counted in `depth_faults`) so that no stage
    ever deprojects them. camera: its calibration; camera.width/height must equal W/H.
    """

    rgb: np.ndarray
    depth: np.ndarray | None
    camera: Camera
    depth_faults: DepthFaults = field(default_factory=DepthFaults, init=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.camera, Camera):
            raise InputError(f"camera must be a Camera, got {type(self.camera).__name__}")
        rgb = _image_array(self.rgb, "rgb")
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise InputError(f"rgb must have shape (H, W, 3), got {rgb.shape}")
        if rgb.dtype != np.uint8:
            raise InputError(f"rgb must be uint8, got {rgb.dtype}")
        height, width = rgb.shape[:2]
        if (self.camera.width, self.camera.height) != (width, height):
            raise InputError(
                f"camera is {self.camera.width}x{self.camera.height} but the image is "
                f"{width}x{height}"
            )
        object.__setattr__(self, "rgb", _freeze(np.ascontiguousarray(rgb)))
        if self.depth is not None:
            raw = _image_array(self.depth, "depth")
            if raw.dtype.kind not in "fiu":
                raise InputError(f"depth must be numeric (metres), got dtype {raw.dtype}")
            if raw.shape != (height, width):
                raise InputError(f"depth must have shape {(height, width)}, got {raw.shape}")
            with np.errstate(over="ignore", invalid="ignore"):
                depth = raw.astype(np.float32)
            finite = np.isfinite(depth)
            faults = DepthFaults(
                non_finite=int((~finite).sum()),
                negative=int((finite & (depth < 0)).sum()),
                zero=int((depth == 0).sum()),
                total=int(depth.size),
            )
            depth = np.where(finite & (depth > 0), depth, 0.0).astype(np.float32)
            object.__setattr__(self, "depth", _freeze(depth))
            object.__setattr__(self, "depth_faults", faults)


def _image_array(value: Any, name: str) -> np.ndarray:
    """An array from user data, or an InputError (never a TypeError from deep inside numpy)."""
    if isinstance(value, str | bytes) or value is None:
        raise InputError(f"{name} must be an array, got {type(value).__name__}")
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be an array: {exc}") from None


@dataclass(frozen=True)
class RobotState:
    """Proprioception. ee_position: (3,) gripper grasp point in the world frame (metres);
    gripper_width: finger opening in metres; holding: whether the last grasp holds an object;
    links: optional (L, 3) world positions along the arm, base to tool (from its kinematics,
    e.g. the robot's TF frames), so perception can tell the arm from the objects."""

    ee_position: np.ndarray
    gripper_width: float
    holding: bool = False
    links: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "ee_position", _as_array(self.ee_position, (3,), "ee_position", float)
        )
        if self.links is not None:
            object.__setattr__(self, "links", _as_array(self.links, (None, 3), "links", float))


@dataclass(frozen=True)
class Observation:
    """What an agent sees at one step: one or more calibrated RGB-D frames, keyed by camera."""

    frames: dict[str, RGBDFrame]
    robot: RobotState | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frames, dict) or not self.frames:
            raise InputError("an observation needs at least one frame (a dict name → RGBDFrame)")
        for name, frame in self.frames.items():
            if not isinstance(name, str) or not isinstance(frame, RGBDFrame):
                raise InputError(
                    f"observation frames must map camera names to RGBDFrame, got "
                    f"{type(name).__name__} → {type(frame).__name__}"
                )
        if self.robot is not None and not isinstance(self.robot, RobotState):
            raise InputError(f"observation robot must be a RobotState, got {type(self.robot)}")


@dataclass(frozen=True)
class Detections:
    """Struct of arrays for N detections in one image (pixels, top-left origin).

    xyxy: (N, 4) float32 [x_min, y_min, x_max, y_max]; scores: (N,) float32 in [0, 1];
    labels: (N,) str, the query or class each box answers; masks: optional (N, H, W) bool;
    positions: optional (N, 3) float32 world-frame centres in metres (needs depth + camera);
    extents: optional (N, 3) float32 world-frame axis-aligned sizes in metres.
    """

    xyxy: np.ndarray
    scores: np.ndarray
    labels: np.ndarray
    masks: np.ndarray | None = None
    positions: np.ndarray | None = None
    extents: np.ndarray | None = None
    data: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(xyxy)
        scores = np.asarray(self.scores, dtype=np.float32).reshape(-1)
        labels = np.asarray(self.labels, dtype=str).reshape(-1)
        if len(scores) != n or len(labels) != n:
            raise InputError(f"detections: {n} boxes, {len(scores)} scores, {len(labels)} labels")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "labels", labels)
        for name, width in (("positions", 3), ("extents", 3)):
            value = getattr(self, name)
            if value is not None:
                value = np.asarray(value, dtype=np.float32).reshape(-1, width)
                if len(value) != n:
                    raise InputError(f"detections: {n} boxes but {len(value)} {name}")
                object.__setattr__(self, name, value)
        if self.masks is not None:
            masks = np.asarray(self.masks, dtype=bool)
            if masks.ndim != 3 or len(masks) != n:
                raise InputError(f"detections: masks must be (N, H, W), got {masks.shape}")
            object.__setattr__(self, "masks", masks)
        for key, value in self.data.items():
            if len(value) != n:
                raise InputError(f"detections: data[{key!r}] has {len(value)} rows, want {n}")

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: Any) -> Detections:
        """Index with an int, slice, boolean mask or index array; returns Detections."""
        if isinstance(index, int | np.integer):
            index = [int(index)]
        return Detections(
            xyxy=self.xyxy[index],
            scores=self.scores[index],
            labels=self.labels[index],
            masks=None if self.masks is None else self.masks[index],
            positions=None if self.positions is None else self.positions[index],
            extents=None if self.extents is None else self.extents[index],
            data={key: np.asarray(value)[index] for key, value in self.data.items()},
        )

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=str))

    @classmethod
    def merge(cls, parts: Sequence[Detections]) -> Detections:
        parts = [part for part in parts if len(part)]
        if not parts:
            return cls.empty()

        def cat(name: str) -> np.ndarray | None:
            values = [getattr(part, name) for part in parts]
            return None if any(v is None for v in values) else np.concatenate(values)

        keys = set.intersection(*(set(part.data) for part in parts))
        return cls(
            xyxy=np.concatenate([p.xyxy for p in parts]),
            scores=np.concatenate([p.scores for p in parts]),
            labels=np.concatenate([p.labels for p in parts]),
            masks=cat("masks"),
            positions=cat("positions"),
            extents=cat("extents"),
            data={key: np.concatenate([p.data[key] for p in parts]) for key in keys},
        )

    def sorted(self) -> Detections:
        """Best score first."""
        return self[np.argsort(-self.scores, kind="stable")]

    @property
    def areas(self) -> np.ndarray:
        """(N,) box areas in square pixels."""
        wh = np.clip(self.xyxy[:, 2:] - self.xyxy[:, :2], 0, None)
        return wh[:, 0] * wh[:, 1]


@dataclass(frozen=True)
class SceneObject:
    """An object as perceived (or known), world frame.

    position: (3,) centre of its bounding box in metres; extent: (3,) size in metres along the
    object's own axes (x and y rotated by yaw about z, z up); yaw: radians about z;
    color: a colour name; attributes: free-form (e.g. affordances, evidence).
    """

    id: str
    category: str
    position: np.ndarray
    extent: np.ndarray
    yaw: float = 0.0
    color: str | None = None
    score: float = 1.0
    attributes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", _as_array(self.position, (3,), "position", float))
        object.__setattr__(self, "extent", _as_array(self.extent, (3,), "extent", float))

    @property
    def bottom_z(self) -> float:
        return float(self.position[2] - self.extent[2] / 2)

    @property
    def top_z(self) -> float:
        return float(self.position[2] + self.extent[2] / 2)

    @property
    def footprint_radius(self) -> float:
        """Radius (metres) of the circle that holds the footprint at any yaw."""
        return float(np.hypot(self.extent[0], self.extent[1]) / 2)


@dataclass(frozen=True)
class Pose:
    """A gripper pose in the world frame: position (3,) in metres, yaw about z in radians.

    The gripper always points straight down; position is the grasp point between the
    finger tips.
    """

    position: tuple[float, float, float]
    yaw: float = 0.0

    def __post_init__(self) -> None:
        position = _as_array(self.position, (3,), "pose position", float)
        object.__setattr__(self, "position", tuple(float(v) for v in position))
        if not np.isfinite(self.yaw):
            raise InputError("pose yaw must be finite")
        object.__setattr__(self, "yaw", float(self.yaw))

    def to_dict(self) -> dict[str, Any]:
        return {"position": list(self.position), "yaw": self.yaw}


@dataclass(frozen=True)
class PickPlace:
    """Pick at pick_pose, release at place_pose (both world frame, see Pose).

    place_pose.position is where the grasp point should be when the gripper opens.
    target: optional id of the object the agent means to pick (for logs, not execution).
    """

    pick_pose: Pose
    place_pose: Pose
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "pick_place",
            "pick": self.pick_pose.to_dict(),
            "place": self.place_pose.to_dict(),
            "target": self.target,
        }


@dataclass(frozen=True)
class Done:
    """The agent considers the goal reached (or given up on, with a reason)."""

    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"type": "done", "reason": self.reason}


Action = PickPlace | Done


class Outcome(StrEnum):
    """What an agent decided to do with an instruction."""

    ACT = "act"
    ANSWER = "answer"
    CLARIFY = "clarify"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    """An agent's reply to one observation + instruction.

    outcome ACT carries actions (one PickPlace per step, or Done); ANSWER carries text;
    CLARIFY carries a question; REFUSE carries a reason (in text). evidence lists the ids of
    the objects the decision rests on; info is free-form, for reports.
    """

    outcome: Outcome
    actions: tuple[Action, ...] = ()
    text: str = ""
    evidence: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome is not Outcome.ACT and self.actions:
            raise InputError(f"a {self.outcome.value} decision cannot carry actions")
