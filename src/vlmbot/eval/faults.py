"""Sensor faults injected between the simulated robot and the agent (`--suite sensor-faults`).

Each fault turns the robot's honest observation (calibrated RGB-D frames, world frame, metres)
into what a broken or misconfigured sensor delivers. Every one must end in a clear error or a
refusal: no action, no "goal reached", no answer about objects seen through it. A fault that
cannot even be built into an `RGBDFrame` (a truncated depth image) raises InputError when the
robot observes, which is the clear error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from vlmbot.cell import CellCamera, RobotCell
from vlmbot.control.robot import ExecutedAction, Robot
from vlmbot.geometry import look_at
from vlmbot.types import Camera, Observation, PickPlace, RGBDFrame

FrameFault = Callable[[RGBDFrame], RGBDFrame]


def _depth(change: Callable[[np.ndarray], np.ndarray]) -> FrameFault:
    def fault(frame: RGBDFrame) -> RGBDFrame:
        assert frame.depth is not None
        with np.errstate(invalid="ignore", over="ignore"):
            return RGBDFrame(frame.rgb, change(np.array(frame.depth, np.float64)), frame.camera)

    return fault


def _camera(change: Callable[[Camera], Camera]) -> FrameFault:
    def fault(frame: RGBDFrame) -> RGBDFrame:
        return RGBDFrame(frame.rgb, frame.depth, change(frame.camera))

    return fault


def _intrinsics(fx: float | None = None, cx_factor: float | None = None) -> FrameFault:
    def change(camera: Camera) -> Camera:
        K = camera.K.copy()
        if fx is not None:
            K[0, 0] = K[1, 1] = fx
        if cx_factor is not None:
            K[0, 2] = camera.width * cx_factor
        return dataclasses.replace(camera, K=K)

    return _camera(change)


def _sky(camera: Camera) -> Camera:
    """The same camera turned to look straight up from where it stands."""
    eye = camera.position
    return dataclasses.replace(camera, T_world_cam=look_at(eye, eye + np.array([0.1, 0, 1.0])))


def _raised(camera: Camera) -> Camera:
    """The calibration says the camera is 30 cm higher than it is (a stale extrinsic)."""
    T = camera.T_world_cam.copy()
    T[2, 3] += 0.30
    return dataclasses.replace(camera, T_world_cam=T)


def _rolled(camera: Camera) -> Camera:
    """The calibration is rolled 90° about the optical axis (camera mounted sideways)."""
    roll = np.array([[0.0, -1.0, 0, 0], [1.0, 0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])
    return dataclasses.replace(camera, T_world_cam=camera.T_world_cam @ roll)


def _rgb(value: int) -> FrameFault:
    def fault(frame: RGBDFrame) -> RGBDFrame:
        return RGBDFrame(np.full_like(frame.rgb, value), frame.depth, frame.camera)

    return fault


def _truncated(frame: RGBDFrame) -> RGBDFrame:
    assert frame.depth is not None
    return RGBDFrame(frame.rgb, frame.depth[: frame.depth.shape[0] // 2], frame.camera)


def _no_depth(frame: RGBDFrame) -> RGBDFrame:
    return RGBDFrame(frame.rgb, None, frame.camera)


def _speckled_mm(depth: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.where(rng.random(depth.shape) < 0.2, np.nan, depth * 1000.0)


#: name → (what it simulates, frame fault applied to every frame of every observation).
FAULTS: dict[str, tuple[str, FrameFault]] = {
    "depth_zero": ("all-zero depth (sensor returns no measurement)", _depth(np.zeros_like)),
    "depth_nan": ("all-NaN depth", _depth(lambda d: np.full_like(d, np.nan))),
    "depth_negative": ("negative depth (an OpenGL z-buffer sign)", _depth(np.negative)),
    "depth_inf": ("infinite depth", _depth(lambda d: np.full_like(d, np.inf))),
    "depth_millimetres": ("depth in millimetres given as metres", _depth(lambda d: d * 1000)),
    "depth_mm_speckled": ("millimetres with 20% NaN pixels", _depth(_speckled_mm)),
    "depth_scaled": ("depth 25% too far (wrong scale)", _depth(lambda d: d * 1.25)),
    "depth_huge": ("depth of 1e6 m everywhere", _depth(lambda d: np.full_like(d, 1e6))),
    "depth_truncated": ("depth image cut to half its rows", _truncated),
    "depth_missing": ("no depth at all (RGB only)", _no_depth),
    "fx_tiny": ("focal length 1e-9 px", _intrinsics(fx=1e-9)),
    "fx_huge": ("focal length 1e9 px", _intrinsics(fx=1e9)),
    "principal_point_outside": ("cx five image widths away", _intrinsics(cx_factor=5.0)),
    "camera_raised": ("extrinsics 30 cm off (stale calibration)", _camera(_raised)),
    "camera_rolled": ("extrinsics rolled 90° about the optical axis", _camera(_rolled)),
    "rgb_white": ("colour all white (a 16-bit grey PNG read as RGB)", _rgb(255)),
    "rgb_black": ("colour all black (lens cap)", _rgb(0)),
}
#: Faults of a whole observation: frames paired with the wrong camera's depth.
OBSERVATION_FAULTS = {"depth_swapped": "each camera's depth swapped with the next camera's"}
#: Faults that change what the simulator renders: the camera really looks at the sky.
SCENE_FAULTS = {"camera_sky": "every camera turned to look at the sky"}


def fault_names() -> list[str]:
    return [*FAULTS, *OBSERVATION_FAULTS, *SCENE_FAULTS]


def swap_depths(observation: Observation) -> Observation:
    """Each frame gets the next camera's depth (same size here, so only geometry can tell)."""
    names = list(observation.frames)
    frames = {}
    for i, name in enumerate(names):
        frame, other = observation.frames[name], observation.frames[names[(i + 1) % len(names)]]
        frames[name] = RGBDFrame(frame.rgb, other.depth, frame.camera)
    return Observation(frames=frames, robot=observation.robot)


def sky_cameras(cameras: tuple[CellCamera, ...]) -> tuple[CellCamera, ...]:
    """The cell's cameras, each turned to look straight up (for the camera_sky fault)."""
    return tuple(dataclasses.replace(c, camera=_sky(c.camera)) for c in cameras)


class FaultyRobot:
    """A Robot whose observations pass through a frame fault; actions go to the real robot."""

    def __init__(self, robot: Robot, fault: str) -> None:
        self.robot = robot
        self.name = fault
        self.fault = FAULTS[fault][1] if fault in FAULTS else None
        self.cell: RobotCell = robot.cell

    def observe(self) -> Observation:
        observation = self.robot.observe()
        if self.name in OBSERVATION_FAULTS:
            return swap_depths(observation)
        if self.fault is None:
            return observation
        frames = {name: self.fault(frame) for name, frame in observation.frames.items()}
        return Observation(frames=frames, robot=observation.robot)

    def execute(self, action: PickPlace) -> ExecutedAction:
        return self.robot.execute(action)
