import numpy as np
import pytest

from vlmbot.cell import Workspace
from vlmbot.errors import InputError
from vlmbot.geometry import deproject, depth_to_points, look_at, project, wrap_angle
from vlmbot.types import Camera


@pytest.mark.parametrize(
    ("eye", "target"),
    [
        ((1.2, 0.0, 0.6), (0.5, 0.0, 0.0)),
        ((0.5, 0.0, 1.1), (0.5, 0.0, 0.0)),
        ((0.0, -1.0, 0.5), (0.3, 0.2, 0.1)),
    ],
)
def test_project_deproject_round_trip(eye, target):
    K = np.array([[200.0, 0, 110.0], [0, 210.0, 95.0], [0, 0, 1]])
    camera = Camera(K, look_at(np.array(eye), np.array(target)), 224, 200)
    rng = np.random.default_rng(0)
    points = np.asarray(target) + rng.uniform(-0.2, 0.2, (50, 3))
    uv, z = project(camera, points)
    assert np.all(z > 0)
    np.testing.assert_allclose(deproject(camera, uv, z), points, atol=1e-9)


def test_optical_frame_convention():
    """x right, y down, z forward: a camera looking down +x with world z up."""
    camera = Camera(
        np.array([[100.0, 0, 50], [0, 100.0, 50], [0, 0, 1]]),
        look_at(np.zeros(3), np.array([1.0, 0, 0])),
        100,
        100,
    )
    uv, z = project(camera, np.array([[1.0, 0, 0], [1.0, 0, 0.1], [1.0, -0.1, 0]]))
    np.testing.assert_allclose(z, 1.0)
    np.testing.assert_allclose(uv[0], [50, 50])
    assert uv[1][1] < 50  # up in the world is up in the image (smaller v)
    assert uv[2][0] > 50  # world −y is to the camera's right


def test_depth_to_points_marks_missing_depth():
    camera = Camera(np.array([[10.0, 0, 2], [0, 10.0, 2], [0, 0, 1]]), np.eye(4), 4, 4)
    depth = np.full((4, 4), 2.0, np.float32)
    depth[1, 1] = 0
    points = depth_to_points(camera, depth)
    assert points.shape == (4, 4, 3)
    assert np.isnan(points[1, 1]).all()
    np.testing.assert_allclose(points[0, 0], [(0.5 - 2) / 10 * 2, (0.5 - 2) / 10 * 2, 2.0])


def test_workspace_viewer_frame_and_bounds():
    ws = Workspace()
    assert ws.contains((0.5, 0.0, 0.1)) and not ws.contains((0.95, 0.0, 0.1))
    np.testing.assert_allclose(ws.clamp((2.0, -2.0, 0.1)), [ws.x_range[1], ws.y_range[0], 0.1])
    np.testing.assert_allclose(ws.to_viewer(np.array([0.0, 1.0])), [0.0, 1.0])  # +y is left
    turned = Workspace(viewer_yaw=np.pi)
    np.testing.assert_allclose(turned.to_viewer(np.array([0.0, 1.0])), [0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(
        turned.from_viewer(turned.to_viewer(np.array([0.3, -0.2]))), [0.3, -0.2]
    )
    with pytest.raises(InputError):
        Workspace(x_range=(1.0, 0.0))


@pytest.mark.parametrize(
    ("angle", "wrapped"), [(0.0, 0.0), (np.pi * 3, -np.pi), (-np.pi / 2, -np.pi / 2)]
)
def test_wrap_angle(angle, wrapped):
    assert wrap_angle(angle) == pytest.approx(wrapped)


def test_to_local_xy_undoes_the_frame_rotation():
    from vlmbot.geometry import to_local_xy

    np.testing.assert_allclose(to_local_xy(np.array([0.0, 1.0]), np.pi / 2), [1.0, 0.0], atol=1e-12)
    offset = np.array([0.3, -0.2])
    np.testing.assert_allclose(to_local_xy(offset, 0.0), offset)
