"""Point statistics from one sort equal numpy's percentiles and medians bit for bit, and an
object's geometry equals its direct computation."""

import numpy as np
import pytest

from vlmbot.perception.objects import PerceivedObject, percentiles, points_geometry


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
