"""Table plane (stride that bounds the samples, exact reuse of recent fits) and height maps."""

import numpy as np
import pytest

from vlmbot import depth as dp
from vlmbot.depth import estimate_table_plane, height_map, plane_stride
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.types import Camera


def table_depth(width, height, z=0.02):
    """A camera over a table plane at height z (world, metres) and its analytic depth (H, W)."""
    K = intrinsics_from_fov(width, height, 55.0)
    camera = Camera(K, look_at(np.array([1.0, 0.2, 0.8]), np.array([0.5, 0, 0])), width, height)
    v, u = np.mgrid[0:height, 0:width]
    rays = np.stack(
        [(u + 0.5 - K[0, 2]) / K[0, 0], (v + 0.5 - K[1, 2]) / K[1, 1], np.ones_like(u, float)], -1
    )
    dirs = rays @ camera.T_world_cam[:3, :3].T
    depth = ((z - camera.position[2]) / dirs[..., 2]).astype(np.float32)
    return camera, depth


@pytest.mark.parametrize(
    ("size", "stride"), [((224, 224), 6), ((480, 640), 9), ((720, 1280), 15), ((32, 32), 6)]
)
def test_plane_stride_bounds_the_samples(size, stride):
    assert plane_stride(*size) == stride
    height, width = size
    assert -(-height // stride) * -(-width // stride) <= max(dp.PLANE_SAMPLES * 1.1, 1500)


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
def test_table_plane_at_camera_sizes(size):
    camera, depth = table_depth(*size)
    depth[100:200, 100:300] *= 0.9  # something standing on the table
    plane = estimate_table_plane(depth, camera)
    assert plane is not None
    np.testing.assert_allclose(plane.normal, [0, 0, 1], atol=1e-3)
    assert plane.height(np.array([0.5, 0.0, 0.02])) == pytest.approx(0.0, abs=1e-3)


def test_plane_fits_are_reused_only_for_identical_inputs(monkeypatch):
    camera, depth = table_depth(320, 240)
    fits = []
    fit = dp._ransac_plane

    def counted(*args):
        fits.append(1)
        return fit(*args)

    monkeypatch.setattr(dp, "_ransac_plane", counted)
    first = estimate_table_plane(depth, camera, seed=5)
    again = estimate_table_plane(depth.copy(), camera, seed=5)  # equal values: reused
    assert len(fits) == 1 and again is first
    moved = depth.copy()
    moved[::6, ::6] += 0.05  # the table 5 cm farther: a new fit, never the stale one
    lower = estimate_table_plane(moved, camera, seed=5)
    assert len(fits) == 2 and lower is not None
    assert lower.height(np.array([0.5, 0.0, 0.02])) > 0.01
    estimate_table_plane(depth, camera, seed=6)  # another parameter: a new fit
    assert len(fits) == 3


def test_height_map_matches_a_float64_computation():
    camera, depth = table_depth(160, 120)
    depth[40:60, 50:90] *= 0.95
    depth[0, :10] = 0.0
    plane = estimate_table_plane(depth, camera)
    heights = height_map(depth, camera, plane)
    v, u = np.mgrid[0:120, 0:160]
    rays = np.stack(
        [
            (u + 0.5 - camera.K[0, 2]) / camera.K[0, 0],
            (v + 0.5 - camera.K[1, 2]) / camera.K[1, 1],
            np.ones_like(u, float),
        ],
        -1,
    )
    points = (rays * depth[..., None].astype(float)) @ camera.T_world_cam[:3, :3].T
    expected = plane.height(points + camera.T_world_cam[:3, 3])
    assert heights.dtype == np.float32
    assert np.isnan(heights[0, :10]).all()
    valid = depth > 0
    np.testing.assert_allclose(heights[valid], expected[valid], atol=1e-6)
    assert heights[50, 70] > 0.01


def test_blocked_plane_scoring_equals_one_product():
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (1000, 3))  # not a multiple of the block size
    normals = rng.normal(size=(40, 3))
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    offsets = rng.normal(0, 0.3, 40)
    expected = np.abs(points @ normals.T + offsets) < 0.05
    got = dp._near_planes(points, normals, offsets, 0.05)
    np.testing.assert_array_equal(got, expected)
    assert 0 < expected.mean() < 0.5
