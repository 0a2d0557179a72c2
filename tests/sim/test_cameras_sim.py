"""The simulator's cameras obey the OpenCV convention: rendered depth deprojects onto the scene."""

import numpy as np
import pytest

from vlmbot.geometry import deproject, project
from vlmbot.sim.bodies import ObjectSpec
from vlmbot.sim.catalog import COLORS
from vlmbot.sim.env import SceneSpec, TabletopEnv

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def block_env():
    spec = ObjectSpec("b", "block", "red", COLORS["red"].rgb, 1.0, (0.55, 0.05), 0.3)
    env = TabletopEnv(with_robot=False)
    env.reset(SceneSpec((spec,)))
    yield env
    env.close()


@pytest.mark.parametrize("camera_name", ["front", "top"])
def test_depth_deprojects_onto_the_block_and_table(block_env, camera_name):
    frame = block_env.render(camera_name)
    camera = block_env.cameras[camera_name]
    body = block_env.bodies["b"]
    v, u = np.nonzero(frame.segmentation == body)
    assert len(u) > 20
    points = deproject(camera, np.stack([u + 0.5, v + 0.5], 1), frame.depth[v, u])
    # Every visible block point lies inside the 4.5 cm cube resting at (0.55, 0.05).
    centre = block_env.object_states()["b"].position
    assert np.all(np.abs(points[:, 2] - 0.0225) <= 0.0225 + 0.003)
    assert np.all(np.linalg.norm(points[:, :2] - centre[:2], axis=1) <= 0.045 * 0.71 + 0.003)
    table = frame.segmentation == 0  # the table is the first body
    tv, tu = np.nonzero(table)
    table_points = deproject(camera, np.stack([tu + 0.5, tv + 0.5], 1), frame.depth[tv, tu])
    assert np.abs(table_points[:, 2]).max() < 0.003


def test_projected_centre_falls_on_the_object(block_env):
    for name, camera in block_env.cameras.items():
        frame = block_env.render(name)
        uv, _ = project(camera, block_env.object_states()["b"].position[None])
        u, v = uv[0]
        assert frame.segmentation[int(v), int(u)] == block_env.bodies["b"], name


def test_observation_has_calibrated_frames(block_env):
    obs = block_env.observe()
    assert set(obs.frames) == {"front", "top"}
    frame = obs.frames["top"]
    assert frame.rgb.dtype == np.uint8 and frame.depth is not None
    assert frame.rgb.shape[:2] == (frame.camera.height, frame.camera.width)
