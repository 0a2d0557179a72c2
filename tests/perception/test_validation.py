"""Sensor validation on synthetic frames: the home cell's cameras looking at the bare table
(depth computed exactly from the calibration), then one fault at a time."""

import dataclasses

import numpy as np
import pytest

from vlmbot.cell import HOME_CELL
from vlmbot.errors import InputError
from vlmbot.geometry import depth_to_points, look_at
from vlmbot.perception.validation import (
    SensorError,
    SensorLimits,
    check_intrinsics,
    validate_frame,
    validate_observation,
    workspace_seen,
)
from vlmbot.types import Camera, Observation, RGBDFrame


def table_depth(camera: Camera, table_z: float = 0.0) -> np.ndarray:
    """(H, W) metres along the optical axis to the plane z = table_z (0 where it is not hit)."""
    v, u = np.mgrid[0 : camera.height, 0 : camera.width]
    rays = np.stack(
        [
            (u + 0.5 - camera.K[0, 2]) / camera.K[0, 0],
            (v + 0.5 - camera.K[1, 2]) / camera.K[1, 1],
            np.ones(u.shape),
        ],
        axis=-1,
    )
    down = rays @ camera.T_world_cam[:3, :3].T
    t = (table_z - camera.position[2]) / np.where(np.abs(down[..., 2]) < 1e-9, -1e-9, down[..., 2])
    return np.where(t > 0, t, 0.0).astype(np.float32)


def frame_of(camera: Camera, depth=None, rgb=None) -> RGBDFrame:
    if rgb is None:
        rgb = np.random.default_rng(0).integers(0, 255, (camera.height, camera.width, 3))
        rgb = rgb.astype(np.uint8)
    return RGBDFrame(rgb, table_depth(camera) if depth is None else depth, camera)


@pytest.fixture(params=[c.name for c in HOME_CELL.cameras])
def camera(request):
    return HOME_CELL.camera(request.param).camera


def test_the_home_cameras_on_the_bare_table_pass(camera):
    frame = validate_frame(camera.name, frame_of(camera), HOME_CELL)
    assert frame.depth is not None and (frame.depth > 0).mean() > 0.5


def _with_depth(change):
    def fault(camera):
        return frame_of(camera, depth=change(table_depth(camera)))

    return fault


def _with_camera(change):
    def fault(camera):
        bad = change(camera)
        return RGBDFrame(frame_of(camera).rgb, table_depth(camera), bad)

    return fault


def _K(camera, **entries):
    K = camera.K.copy()
    for key, value in entries.items():
        K[{"fx": (0, 0), "fy": (1, 1), "cx": (0, 2), "cy": (1, 2)}[key]] = value
    return dataclasses.replace(camera, K=K)


FAULTS = {
    "all zero": (_with_depth(np.zeros_like), "every pixel|are 0"),
    "all NaN": (_with_depth(lambda d: np.full_like(d, np.nan)), "NaN"),
    "negative": (_with_depth(np.negative), "negative"),
    "infinite": (_with_depth(lambda d: np.full_like(d, np.inf)), "NaN or infinite"),
    "millimetres": (_with_depth(lambda d: d * 1000), "millimetres"),
    "huge": (_with_depth(lambda d: np.full_like(d, 1e6)), "farther than"),
    "too near": (_with_depth(lambda d: d * 1e-3), "nearer than"),
    "10% too far": (_with_depth(lambda d: d * 1.1), "table at z"),
    "fx tiny": (_with_camera(lambda c: _K(c, fx=1e-9, fy=1e-9)), "field of view"),
    "fx huge": (_with_camera(lambda c: _K(c, fx=1e9, fy=1e9)), "field of view"),
    "fx != fy": (_with_camera(lambda c: _K(c, fx=c.K[0, 0] * 3)), "differ"),
    "cx outside": (_with_camera(lambda c: _K(c, cx=c.width * 5)), "principal point"),
    "cy negative": (_with_camera(lambda c: _K(c, cy=-10)), "principal point"),
    "looking at the sky": (
        _with_camera(
            lambda c: dataclasses.replace(
                c, T_world_cam=look_at(c.position, c.position + np.array([0.1, 0, 1]))
            )
        ),
        "does not see the workspace",
    ),
    "pose 30 cm off": (
        _with_camera(lambda c: dataclasses.replace(c, T_world_cam=c.T_world_cam + _lift(0.3))),
        "table at z",
    ),
    "white image": (
        lambda c: frame_of(c, rgb=np.full((c.height, c.width, 3), 255, np.uint8)),
        "blank",
    ),
}


def _lift(dz: float) -> np.ndarray:
    T = np.zeros((4, 4))
    T[2, 3] = dz
    return T


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_is_one_clear_sensor_error(camera, fault):
    make, message = FAULTS[fault]
    with pytest.raises(SensorError, match=message) as error:
        validate_frame(camera.name, make(camera), HOME_CELL)
    assert "\n" not in str(error.value) and camera.name in str(error.value)


def test_a_faulty_camera_fails_the_whole_observation():
    good = HOME_CELL.camera("top").camera
    bad = HOME_CELL.camera("front").camera
    frames = {"top": frame_of(good), "front": frame_of(bad, depth=np.zeros((224, 224)))}
    with pytest.raises(SensorError, match="front"):
        validate_observation(Observation(frames=frames), HOME_CELL)


def test_invalid_pixels_are_masked_and_never_deprojected():
    camera = HOME_CELL.camera("top").camera
    depth = table_depth(camera)
    rng = np.random.default_rng(1)
    holes = rng.random(depth.shape) < 0.2
    depth[holes] = rng.choice([np.nan, -1.0, np.inf, 0.0, 1e6], size=int(holes.sum()))
    frame = RGBDFrame(frame_of(camera).rgb, depth, camera)
    assert frame.depth_faults.non_finite > 0 and frame.depth_faults.negative > 0
    clean = validate_frame("top", frame, HOME_CELL)
    assert np.all(clean.depth[holes] == 0)
    points = depth_to_points(camera, clean.depth)
    assert np.all(np.isnan(points[holes]))
    finite = points[~holes]
    assert np.allclose(finite[:, 2], 0.0, atol=1e-4)  # every kept pixel is on the table


def test_depth_beyond_the_cameras_range_is_masked():
    camera = HOME_CELL.camera("top").camera
    depth = table_depth(camera)
    depth[:10] = 7.5  # beyond the 4 m range: masked, not deprojected
    clean = validate_frame("top", frame_of(camera, depth=depth), HOME_CELL)
    assert np.all(clean.depth[:10] == 0) and np.all(clean.depth[10:] > 0)


def test_rgb_only_observation_is_refused():
    camera = HOME_CELL.camera("top").camera
    frame = RGBDFrame(frame_of(camera).rgb, None, camera)
    with pytest.raises(SensorError, match="no camera gave depth"):
        validate_observation(Observation(frames={"top": frame}), HOME_CELL)


def test_range_comes_from_the_cell():
    cell = dataclasses.replace(
        HOME_CELL,
        cameras=tuple(dataclasses.replace(c, depth_range=(0.05, 0.5)) for c in HOME_CELL.cameras),
    )
    camera = cell.camera("top").camera
    # The top camera is 0.92 m above the table: with a 0.5 m range it cannot see it.
    with pytest.raises(SensorError, match="does not see the workspace"):
        validate_frame("top", frame_of(camera), cell)


def test_scene_checks_can_be_skipped_for_any_scene():
    camera = HOME_CELL.camera("front").camera
    sky = dataclasses.replace(
        camera, T_world_cam=look_at(camera.position, camera.position + np.array([0.1, 0, 1]))
    )
    frame = RGBDFrame(frame_of(camera).rgb, np.full((224, 224), 1.5, np.float32), sky)
    assert validate_frame("front", frame, HOME_CELL, scene_checks=False).depth is not None


def test_workspace_seen_fractions(camera):
    assert workspace_seen(camera, HOME_CELL, (0.05, 4.0), 9) > 0.3
    assert workspace_seen(camera, HOME_CELL, (0.05, 0.1), 9) == 0.0


def test_intrinsics_of_a_real_camera_pass():
    check_intrinsics(
        Camera(np.array([[600.0, 0, 320], [0, 600, 240], [0, 0, 1]]), np.eye(4), 640, 480)
    )


@pytest.mark.parametrize(
    "kwargs", [{"min_fov_deg": 100, "max_fov_deg": 50}, {"min_valid_depth": 0}, {"grid": 1}]
)
def test_limits_are_validated(kwargs):
    with pytest.raises(InputError):
        SensorLimits(**kwargs)
