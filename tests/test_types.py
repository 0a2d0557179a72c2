import numpy as np
import pytest

from vlmbot.errors import InputError
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.types import (
    Camera,
    Decision,
    Detections,
    Done,
    Observation,
    Outcome,
    PickPlace,
    Pose,
    RGBDFrame,
)


def make_camera(width: int = 64, height: int = 48) -> Camera:
    return Camera(
        K=intrinsics_from_fov(width, height, 50),
        T_world_cam=look_at(np.array([0.5, 0.0, 1.0]), np.array([0.5, 0.0, 0.0])),
        width=width,
        height=height,
    )


@pytest.mark.parametrize(
    ("K", "message"),
    [
        (np.eye(2), "shape"),
        ([[0, 0, 1], [0, 1, 1], [0, 0, 1]], "fx, fy > 0"),
        ([[1, 0, 1], [0, 1, 1], [0, 0, 2]], "fx, fy > 0"),
        ([[np.nan, 0, 1], [0, 1, 1], [0, 0, 1]], "NaN"),
    ],
)
def test_camera_rejects_bad_intrinsics(K, message):
    with pytest.raises(InputError, match=message):
        Camera(K=K, T_world_cam=np.eye(4), width=4, height=4)


def test_camera_rejects_non_rigid_transform():
    T = np.eye(4)
    T[0, 0] = 2.0
    with pytest.raises(InputError, match="rigid"):
        Camera(K=np.eye(3), T_world_cam=T, width=4, height=4)
    T = np.diag([1.0, 1.0, -1.0, 1.0])
    with pytest.raises(InputError, match="right-handed"):
        Camera(K=np.eye(3), T_world_cam=T, width=4, height=4)


def test_camera_dict_round_trip_and_inverse():
    camera = make_camera()
    again = Camera.from_dict(camera.to_dict())
    np.testing.assert_allclose(again.K, camera.K)
    np.testing.assert_allclose(camera.T_cam_world @ camera.T_world_cam, np.eye(4), atol=1e-12)
    with pytest.raises(InputError, match="missing K"):
        Camera.from_dict({"T_world_cam": np.eye(4).tolist(), "width": 2, "height": 2})
    with pytest.raises(InputError, match="JSON object"):
        Camera.from_dict([1, 2])


def test_frame_validates_sizes_and_cleans_depth():
    camera = make_camera(8, 6)
    rgb = np.zeros((6, 8, 3), np.uint8)
    depth = np.ones((6, 8), np.float32)
    depth[0, 0] = np.nan
    depth[0, 1] = -1
    frame = RGBDFrame(rgb, depth, camera)
    assert frame.depth is not None and frame.depth[0, 0] == 0 and frame.depth[0, 1] == 0
    with pytest.raises(InputError, match="depth must have shape"):
        RGBDFrame(rgb, np.ones((5, 8)), camera)
    with pytest.raises(InputError, match="uint8"):
        RGBDFrame(rgb.astype(np.float32), None, camera)
    with pytest.raises(InputError, match="camera is 8x6"):
        RGBDFrame(np.zeros((8, 8, 3), np.uint8), None, camera)
    with pytest.raises(InputError, match="at least one frame"):
        Observation(frames={})


def test_detections_struct_of_arrays():
    dets = Detections(
        xyxy=[[0, 0, 2, 2], [1, 1, 5, 3], [0, 0, 1, 1]],
        scores=[0.2, 0.9, 0.5],
        labels=["a", "b", "a"],
        positions=np.arange(9).reshape(3, 3),
    )
    assert len(dets) == 3
    best = dets.sorted()
    assert best.labels.tolist() == ["b", "a", "a"]
    assert best.positions is not None and best.positions[0].tolist() == [3, 4, 5]
    only_a = dets[dets.labels == "a"]
    assert only_a.scores.tolist() == pytest.approx([0.2, 0.5])
    np.testing.assert_allclose(dets.areas, [4, 8, 1])
    merged = Detections.merge([dets, Detections.empty()])
    assert len(merged) == 3 and merged.positions is not None  # empty parts are dropped first
    without_positions = Detections(np.zeros((1, 4)), [0.3], ["c"])
    assert Detections.merge([dets, without_positions]).positions is None
    with pytest.raises(InputError, match="2 boxes, 1 scores"):
        Detections(np.zeros((2, 4)), [0.1], ["x", "y"])


def test_pose_and_actions():
    pose = Pose((0.5, 0.1, 0.02), 0.3)
    assert PickPlace(pose, pose).to_dict()["pick"]["position"] == [0.5, 0.1, 0.02]
    with pytest.raises(InputError):
        Pose((0.5, 0.1), 0.0)
    with pytest.raises(InputError, match="cannot carry actions"):
        Decision(Outcome.REFUSE, actions=(Done(),))


# --- API misuse: a typed InputError at the entry point, never TypeError/AttributeError ------
def _misuse_cases():
    from vlmbot.cell import HOME_CELL

    cam = HOME_CELL.cameras[0].camera
    rgb = np.zeros((224, 224, 3), np.uint8)
    depth = np.ones((224, 224), np.float32)
    return {
        "frame without a camera": lambda: RGBDFrame(rgb, depth, None),
        "frame with a camera dict": lambda: RGBDFrame(rgb, depth, cam.to_dict()),
        "frame with text depth": lambda: RGBDFrame(rgb, "abc", cam),
        "frame with object depth": lambda: RGBDFrame(rgb, np.full((224, 224), None), cam),
        "camera width text": lambda: Camera(cam.K, cam.T_world_cam, "abc", 224),
        "camera width inf": lambda: Camera(cam.K, cam.T_world_cam, float("inf"), 224),
        "camera width 1.5": lambda: Camera(cam.K, cam.T_world_cam, 1.5, 224),
        "camera width huge": lambda: Camera(cam.K, cam.T_world_cam, 10**9, 224),
        "camera name int": lambda: Camera(cam.K, cam.T_world_cam, 224, 224, name=3),
        "camera dict width 1e400": lambda: Camera.from_dict({**cam.to_dict(), "width": 1e400}),
        "observation of a list": lambda: Observation(frames=[RGBDFrame(rgb, depth, cam)]),
        "observation of strings": lambda: Observation(frames={"a": "x"}),
        "observation robot text": lambda: Observation(
            frames={"a": RGBDFrame(rgb, depth, cam)}, robot="arm"
        ),
    }


@pytest.mark.parametrize("case", list(_misuse_cases()))
def test_type_misuse_is_an_input_error(case):
    with pytest.raises(InputError):
        _misuse_cases()[case]()


def test_frames_count_and_mask_what_is_not_a_measurement():
    from vlmbot.cell import HOME_CELL

    cam = HOME_CELL.cameras[0].camera
    depth = np.ones((224, 224))
    depth[0, :4] = [np.nan, -1.0, np.inf, 0.0]
    frame = RGBDFrame(np.zeros((224, 224, 3), np.uint8), depth, cam)
    faults = frame.depth_faults
    assert (faults.non_finite, faults.negative, faults.zero) == (2, 1, 1)
    assert faults.total == 224 * 224 and faults.masked == 4
    assert np.all(frame.depth[0, :4] == 0) and frame.depth.dtype == np.float32
