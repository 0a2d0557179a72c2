"""Robot cells in the simulator: drawn deterministically from seeds, held-out cells apart from
training cells, files that load with one-line errors, arms that pick and place."""

import json

import numpy as np
import pytest

from vlmbot.cell import HOME_CELL
from vlmbot.errors import InputError
from vlmbot.sim.bodies import ObjectSpec
from vlmbot.sim.catalog import COLORS, HELDOUT_CATEGORIES, OBJECT_MODELS, training_categories
from vlmbot.sim.cells import (
    RESOLUTIONS,
    cell_set,
    color_temperature_rgb,
    load_sim_cell,
    random_cell,
    resolve_cell,
)
from vlmbot.sim.env import SceneSpec, TabletopEnv
from vlmbot.types import PickPlace, Pose


@pytest.mark.parametrize("family", ["train", "heldout"])
def test_cells_are_drawn_deterministically_within_bounds(family):
    for seed in range(20):
        cell = random_cell(seed, family)
        assert random_cell(seed, family) == cell
        assert 1 <= len(cell.robot.cameras) <= 3
        for camera in cell.robot.cameras:
            assert (camera.camera.width, camera.camera.height) in RESOLUTIONS
            assert 0.5 <= camera.camera.position[2] <= 1.3
        assert cell.robot.gripper.suction == (cell.robot.arm != "panda")


def test_the_heldout_family_is_never_a_training_cell():
    train = {random_cell(s, "train").robot.to_dict().__repr__() for s in range(40)}
    heldout = [random_cell(s, "heldout") for s in range(40)]
    assert not {c.robot.to_dict().__repr__() for c in heldout} & train
    assert any(c.robot.arm == "xarm6" for c in heldout)
    assert not any(random_cell(s, "train").robot.arm == "xarm6" for s in range(60))
    # The held-out look: low, strongly warm or cold, glossy light, never drawn for training.
    glossy = [c for c in heldout if c.appearance.lighting.specular > 0.3]
    assert glossy and not any(
        random_cell(s, "train").appearance.lighting.specular > 0.3 for s in range(60)
    )


def test_colour_temperature_runs_from_warm_to_cold():
    warm, day, cold = (color_temperature_rgb(k) for k in (2700, 6500, 11000))
    assert warm[0] == 1.0 and warm[2] < 0.5 and abs(day[0] - day[2]) < 0.05 and cold[2] == 1.0


def test_cell_names_and_sets():
    assert resolve_cell("home").robot == HOME_CELL
    assert resolve_cell("heldout-3") == random_cell(3, "heldout")
    assert [c.name for c in cell_set("heldout", 3)] == ["heldout-0", "heldout-1", "heldout-2"]
    with pytest.raises(InputError, match="unknown cell"):
        resolve_cell("mars")


def test_the_shipped_kuka_cell_file_loads():
    cell = load_sim_cell("cells/kuka.json")
    assert cell.robot.arm == "kuka_iiwa" and cell.robot.gripper.suction
    assert [c.camera.width for c in cell.robot.cameras] == [640, 640, 640]
    assert cell.appearance.table_texture == "stripes" and cell.variation is not None


@pytest.mark.parametrize(
    ("sim", "message"),
    [({"fog": 1}, "unknown keys"), ({"table_texture": "marble"}, "table_texture"),
     ({"lighting": {"glow": 2}}, "bad 'sim' block"), ("warm", "must be an object")],
)  # fmt: skip
def test_bad_sim_blocks_are_one_line_errors(tmp_path, sim, message):
    path = tmp_path / "cell.json"
    path.write_text(json.dumps({**HOME_CELL.to_dict(), "sim": sim}))
    with pytest.raises(InputError, match=message) as error:
        load_sim_cell(path)
    assert "\n" not in str(error.value)


def test_every_category_builds_with_its_size_and_the_split_rules_hold():
    assert len(training_categories("seen")) >= 20 and len(HELDOUT_CATEGORIES) >= 4
    specs = [
        ObjectSpec(
            c, c, "red", COLORS["red"].rgb, 1.0, (0.3 + 0.09 * (i % 6), -0.3 + 0.12 * (i // 6))
        )
        for i, c in enumerate(
            c for c in OBJECT_MODELS if c not in ("tray", "basket", "bowl", "plate")
        )
    ]
    with TabletopEnv(with_robot=False) as env:
        env.reset(SceneSpec(tuple(specs)))
        for state in env.object_states().values():
            size = np.sort(OBJECT_MODELS[state.category].shape.size[:2])
            measured = np.sort(state.aabb_max[:2] - state.aabb_min[:2])
            assert measured[0] >= 0.7 * size[0], state.category  # it exists at its size


@pytest.mark.parametrize("cell_name", ["train-1", "heldout-0"])
def test_a_suction_arm_picks_and_places(cell_name):
    cell = next(
        s for s in range(40) if random_cell(s, cell_name.split("-")[0]).robot.gripper.suction
    )
    sim_cell = random_cell(cell, cell_name.split("-")[0])
    block = ObjectSpec("b", "block", "red", COLORS["red"].rgb, 1.0, (0.5, 0.05))
    with TabletopEnv(cell=sim_cell) as env:
        env.reset(SceneSpec((block,)))
        top = env.object_states()["b"].top_z
        action = PickPlace(Pose((0.5, 0.05, top)), Pose((0.55, -0.12, 0.045 + 0.012)), "b")
        executed = env.execute(action)
        state = env.object_states()["b"]
    assert executed.grasped and executed.completed, executed.message
    assert np.linalg.norm(state.position[:2] - [0.55, -0.12]) < 0.02
