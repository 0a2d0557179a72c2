"""Point statistics from one sort equal numpy's percentiles and medians bit for bit, and an
object's geometry equals its direct computation."""

import numpy as np
import pytest

from vlmbot.perception.objects import PerceivedObject, percentiles, points_geometry, top_width


def reference_geometry(points, table_z):
    """PerceivedObject.geometry as written with np.percentile."""
    xy = points[:, :2]
    centre = (np.percentile(xy, 2, axis=0) + np.percentile(xy, 98, axis=0)) / 2
    offsets = xy - centre
    if len(xy) >= 3 and np.linalg.matrix_rank(offsets) == 2:
        _, vectors = np.linalg.eigh(offsets.T @ offsets)
        axis = vectors[:, -1]
    else:
        axis = np.array([1.0, 0.0])
    yaw = float(np.arctan2(axis[1], axis[0]))
    rotation = np.array([[np.cos(yaw), np.sin(yaw)], [-np.sin(yaw), np.cos(yaw)]])
    local = offsets @ rotation.T
    low, high = np.percentile(local, 3, axis=0), np.percentile(local, 97, axis=0)
    centre = centre + ((low + high) / 2) @ rotation
    top = float(np.percentile(points[:, 2], 97))
    bottom = float(np.percentile(points[:, 2], 2))
    if top - bottom < 0.01:
        bottom = table_z
    bottom = max(bottom, table_z)
    extent = np.array([*(high - low + 0.004), max(top - bottom, 0.005)])
    position = np.array([centre[0], centre[1], (top + bottom) / 2])
    return position, extent, yaw


def cloud(rng, n):
    points = rng.normal(0, 0.03, (n, 3)) * rng.uniform(0.1, 2, 3) + np.array([0.5, 0.1, 0.03])
    if n > 4 and rng.random() < 0.3:
        points[: n // 3] = points[0]  # repeated values
    return points


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 20, 21, 100, 101, 999, 4000])
def test_percentiles_and_median_equal_numpys(n):
    rng = np.random.default_rng(n)
    for _ in range(5):
        values = cloud(rng, n)
        for q in [(5, 95), (2, 98), (3, 97), (2, 97), (0, 50, 100), (37.5,)]:
            got, median = percentiles(values, q, median=True)
            np.testing.assert_array_equal(got, np.percentile(values, q, axis=0))
            np.testing.assert_array_equal(median, np.median(values, axis=0))
            column, _ = percentiles(values[:, 2], q)
            np.testing.assert_array_equal(column, np.percentile(values[:, 2], q))


@pytest.mark.parametrize("seed", range(30))
def test_geometry_equals_the_direct_computation(seed):
    rng = np.random.default_rng(seed)
    points = cloud(rng, int(rng.integers(1, 3000)))
    if seed % 5 == 0:
        points[:, 2] = 0.02  # only a top face
    table_z = 0.0
    for got, expected in zip(
        points_geometry(points, table_z), reference_geometry(points, table_z), strict=True
    ):
        np.testing.assert_array_equal(got, expected)


def test_statistics_follow_the_points_array():
    rng = np.random.default_rng(0)
    obj = PerceivedObject(cloud(rng, 50), np.ones(4), np.zeros(3), 0.5)
    first = obj.geometry(0.0)
    assert obj.geometry(0.0)[0] is not first[0]  # callers get copies
    obj.points = obj.points + np.array([0.1, 0.0, 0.0])
    np.testing.assert_allclose(obj.geometry(0.0)[0][0], first[0][0] + 0.1)
    np.testing.assert_allclose(obj.centroid[0], np.median(obj.points[:, 0]))


def _surface(kind: str, n: int = 4000, seed: int = 0) -> np.ndarray:
    """Points on the visible surface of a 5 cm wide object on a table at z = 0 (seen from
    above and the sides: everything but the bottom)."""
    rng = np.random.default_rng(seed)
    r = 0.025
    if kind == "cylinder":  # a squat cylinder, as tall as it is wide: a flat top
        side = rng.uniform(0, 2 * np.pi, n // 2)
        sz = rng.uniform(0, 2 * r, n // 2)
        disc = np.sqrt(rng.uniform(0, 1, n // 2)) * r
        angle = rng.uniform(0, 2 * np.pi, n // 2)
        top = np.stack([disc * np.cos(angle), disc * np.sin(angle), np.full(n // 2, 2 * r)], 1)
        return np.concatenate([np.stack([r * np.cos(side), r * np.sin(side), sz], 1), top])
    if kind == "ball":  # a dome: only a small cap is near the top
        v = rng.normal(size=(n, 3))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v[v[:, 2] > -0.8] * r + np.array([0, 0, r])
    if kind == "cone":  # an apex
        h = rng.uniform(0, 1, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = r * (1 - h)
        return np.stack([radius * np.cos(angle), radius * np.sin(angle), h * 0.05], 1)
    raise ValueError(kind)


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [("cylinder", 0.8, 1.05), ("ball", 0.4, 0.7), ("cone", 0.05, 0.35)],
)
def test_top_width_tells_flat_tops_domes_and_apexes(kind, low, high):
    points = _surface(kind)
    _, _, yaw = points_geometry(points, 0.0)
    assert low <= top_width(points, yaw) <= high


def test_top_width_does_not_depend_on_size():
    points = _surface("ball")
    _, _, yaw = points_geometry(points, 0.0)
    assert top_width(points * 3, yaw) == pytest.approx(top_width(points, yaw))


def test_top_width_needs_enough_points():
    assert np.isnan(top_width(_surface("cylinder")[:10], 0.0))
