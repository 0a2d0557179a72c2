"""Faster forms of perception's checks give the results of the direct computations."""

import itertools

import numpy as np
import pytest

from vlmbot.cell import HOME_CELL
from vlmbot.perception.body import DEFAULT_BODY, _segment_distance, on_robot
from vlmbot.perception.validation import rgb_spread
from vlmbot.types import RobotState


def direct_on_robot(points, cell, robot, config=DEFAULT_BODY):
    """Every point against every link (no bounding-box prefilter)."""
    base = cell.base
    centre = np.asarray(base.position)
    radial = np.hypot(points[:, 0] - centre[0], points[:, 1] - centre[1])
    hit = (radial < base.body_radius) & (points[:, 2] < centre[2] + base.body_height)
    if robot is not None and robot.links is not None and len(robot.links):
        links = np.asarray(robot.links, dtype=float)
        for a, b in itertools.pairwise(links):
            hit |= _segment_distance(points, a, b) < base.link_radius
        hit |= np.linalg.norm(points - links[-1], axis=1) < config.tool_radius
    if robot is not None:
        hit |= np.linalg.norm(points - np.asarray(robot.ee_position), axis=1) < config.tool_radius
    return hit


@pytest.mark.parametrize("seed", range(20))
def test_on_robot_equals_the_direct_test(seed):
    rng = np.random.default_rng(seed)
    links = np.cumsum(rng.normal(0, 0.15, (int(rng.integers(2, 9)), 3)), axis=0) + np.array(
        [0.2, 0, 0.3]
    )
    ee = links[-1] + rng.normal(0, 0.05, 3)
    points = rng.uniform([-0.2, -0.6, -0.05], [1.0, 0.6, 0.8], (4000, 3))
    points[:500] = links[rng.integers(0, len(links), 500)] + rng.normal(0, 0.06, (500, 3))
    for robot in (None, RobotState(ee, 0.04), RobotState(ee, 0.04, links=links)):
        got = on_robot(points, HOME_CELL, robot)
        np.testing.assert_array_equal(got, direct_on_robot(points, HOME_CELL, robot))
        by_x = points[np.argsort(points[:, 0])]  # small clusters: the bounding-box early outs
        for cluster in np.split(by_x, 40):
            expected = direct_on_robot(cluster, HOME_CELL, robot)
            np.testing.assert_array_equal(on_robot(cluster, HOME_CELL, robot), expected)
        if robot is not None and robot.links is not None:
            assert got[:500].mean() > 0.3  # the cases test points on the arm


def test_on_robot_of_no_points():
    assert on_robot(np.zeros((0, 3)), HOME_CELL, RobotState(np.zeros(3), 0.04)).shape == (0,)


@pytest.mark.parametrize("seed", range(6))
def test_rgb_spread_is_the_largest_channel_std(seed):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    if seed % 3 == 0:
        image[:] = (10, 200, 30)
        image[0, 0] = (11, 200, 30)  # almost flat
    expected = float(image.reshape(-1, 3).std(axis=0).max())
    assert rgb_spread(image) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_blank_check_short_cut_is_sound(seed):
    """The subsample short cut only passes images whose full spread passes too."""
    from vlmbot.perception.validation import _surely_spread

    rng = np.random.default_rng(seed)
    noise = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 30.0][seed % 7]
    image = np.clip(100 + rng.normal(0, noise, (60, 80, 3)), 0, 255).astype(np.uint8)
    if seed % 3 == 0:  # a few outliers, on or off the subsample's lattice
        image[rng.integers(0, 60, 5), rng.integers(0, 80, 5)] = 255
    surely = _surely_spread(image, 1.0)
    assert not surely or rgb_spread(image) >= 1.0
    if noise == 0.0 and seed % 3:
        assert not surely  # a blank image is checked in full
    if noise == 30.0:
        assert surely  # an ordinary image takes the short cut
