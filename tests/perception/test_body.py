"""The robot's own body and the space outside the cell are never objects."""

import numpy as np
import pytest

from vlmbot.cell import HOME_CELL
from vlmbot.perception.body import on_robot, outside_cell
from vlmbot.types import RobotState

ARM = RobotState(
    np.array([0.45, 0.0, 0.30]),
    0.08,
    links=np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.33], [0.2, 0.0, 0.6], [0.45, 0.0, 0.4]]),
)


@pytest.mark.parametrize(
    ("point", "robot", "on"),
    [
        ((0.05, 0.0, 0.2), None, True),  # inside the base's body cylinder
        ((0.5, 0.0, 0.02), None, False),  # an object on the table
        ((0.15, 0.0, 0.535), ARM, True),  # on the upper arm, between two links
        ((0.45, 0.0, 0.33), ARM, True),  # at the tool
        ((0.45, 0.2, 0.02), ARM, False),  # on the table beside the arm
        ((0.15, 0.0, 0.535), None, False),  # without the robot state the arm is unknown
    ],
)
def test_on_robot(point, robot, on):
    assert bool(on_robot(np.array([point]), HOME_CELL, robot)[0]) is on


@pytest.mark.parametrize(
    ("point", "outside"),
    [((0.5, 0.0, 0.02), False), ((1.3, 0.0, 0.02), True), ((0.5, -0.9, 0.02), True),
     ((0.5, 0.0, 0.7), True), ((0.5, 0.0, 0.5), False)],
)  # fmt: skip
def test_outside_cell(point, outside):
    assert bool(outside_cell(np.array([point]), HOME_CELL)[0]) is outside
