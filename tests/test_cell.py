"""The robot cell: validated, a JSON round trip, one-line errors for bad files, clamping and the
gripper's reach."""

import json

import numpy as np
import pytest

from vlmbot.cell import HOME_CELL, Gripper, RobotCell, load_cell
from vlmbot.errors import InputError
from vlmbot.types import PickPlace, Pose


def test_home_cell_round_trips_through_a_file(tmp_path):
    path = tmp_path / "cell.json"
    path.write_text(json.dumps(HOME_CELL.to_dict()))
    cell = load_cell(path)
    assert cell.to_dict() == HOME_CELL.to_dict()
    assert [c.camera for c in cell.cameras] == [c.camera for c in HOME_CELL.cameras]


def test_cameras_given_by_eye_and_target():
    cell = RobotCell.from_dict(
        {
            "cameras": [
                {
                    "name": "side",
                    "eye": [0.5, 1.0, 0.8],
                    "target": [0.5, 0, 0],
                    "width": 640,
                    "height": 480,
                    "vertical_fov_deg": 45,
                }
            ]
        }
    )
    camera = cell.camera("side").camera
    assert (camera.width, camera.height) == (640, 480)
    forward = camera.T_world_cam[:3, 2]
    np.testing.assert_allclose(forward, np.array([0, -1.0, -0.8]) / np.hypot(1, 0.8), atol=1e-9)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"gripper": {"kind": "magnet"}}, "gripper kind"),
        ({"gripper": {"max_opening": 1e400}}, "finite"),
        ({"workspace": {"x_range": [0.8, 0.2]}}, "low < high"),
        ({"workspace": {"x_range": "wide"}}, "pair"),
        ({"cameras": [{"eye": [0, 0, 1]}]}, "no target"),
        (
            {"cameras": [{"name": "a", "eye": [1, 0, 1], "target": [0, 0, 0], "width": 1e400}]},
            "finite",
        ),
        (
            {"cameras": [{"name": "a", "eye": [1, 0, 1], "target": [0, 0, 0], "width": 0.5}]},
            "whole numbers",
        ),
        (
            {
                "cameras": [
                    {
                        "K": [[1, 0], [0, 1]],
                        "T_world_cam": np.eye(4).tolist(),
                        "width": 4,
                        "height": 4,
                    }
                ]
            },
            "shape",
        ),
        ({"colour": "red"}, "unknown keys"),
        ({"base": {"reach": -1}}, "reach"),
        ([], "JSON object"),
    ],
)
def test_bad_cells_are_one_line_errors(data, message):
    with pytest.raises(InputError, match=message) as error:
        RobotCell.from_dict(data)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("text", ["", "{", '{"name": NaN}', "[" * 100000])
def test_unreadable_cell_files(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match="cell file"):
        load_cell(path)


def test_clamp_reports_how_far_it_moved_the_action():
    inside = PickPlace(Pose((0.5, 0.0, 0.02)), Pose((0.6, 0.1, 0.03)))
    assert HOME_CELL.clamp(inside) == (inside, 0.0)
    outside = PickPlace(Pose((0.5, 0.0, -0.01)), Pose((0.9, 0.0, 0.03)))
    clamped, moved = HOME_CELL.clamp(outside)
    assert moved == pytest.approx(0.1)
    assert clamped.pick_pose.position[2] == 0.0 and clamped.place_pose.position[0] == 0.8


def test_reach_and_grippers():
    assert HOME_CELL.can_reach((0.5, 0.0, 0.1)) and not HOME_CELL.can_reach((0.8, 0.42, 0.1))
    assert Gripper().fits(np.array([0.05, 0.07, 0.05]))
    assert not Gripper().fits(np.array([0.08, 0.09, 0.05]))
    assert Gripper("suction").fits(np.array([0.08, 0.09, 0.05]))
    assert not Gripper("suction").fits(np.array([0.01, 0.05, 0.05]))
