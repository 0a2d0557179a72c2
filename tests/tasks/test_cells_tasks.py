"""Task episodes in robot cells: the cell's vocabulary, its gripper and its workspace decide
what a task may ask; home episodes are what they always were."""

import pytest

from vlmbot.lexicon.concepts import CONCEPTS, NO_FLAT_TOP
from vlmbot.sim.catalog import HOME_CATEGORIES
from vlmbot.tasks.suite import HELDOUT_CELLS, EpisodeSpec, build_episode, sample_specs


def test_home_episodes_use_only_home_categories():
    for seed in range(30):
        episode = build_episode(EpisodeSpec("put_in", seed))
        assert {o.category for o in episode.scene.objects} <= HOME_CATEGORIES
        assert episode.cell.name == "home" and episode.scene.cameras is not None


@pytest.mark.parametrize("seed", range(6))
def test_heldout_cell_episodes_fit_their_cell(seed):
    spec = EpisodeSpec("put_in", seed, "seen", cell=f"heldout-{seed}")
    episode = build_episode(spec)
    cell = episode.cell.robot
    assert build_episode(spec).instruction == episode.instruction  # deterministic
    assert [c.name for c in episode.scene.cameras] == [c.name for c in cell.cameras]
    target = episode.scene.object("target")
    assert cell.workspace.contains(target.position)
    if cell.gripper.suction:
        assert CONCEPTS[target.category].shape not in NO_FLAT_TOP
        assert min(target.size[:2]) >= cell.gripper.cup_diameter
    else:
        assert min(target.size[:2]) < cell.gripper.max_opening - cell.gripper.clearance


def test_heldout_specs_spread_over_the_heldout_cells():
    specs = sample_specs(2 * HELDOUT_CELLS, seed=1, cells="heldout")
    assert {s.cell for s in specs} == {f"heldout-{i}" for i in range(HELDOUT_CELLS)}
    assert [s.seed for s in specs] == [s.seed for s in sample_specs(2 * HELDOUT_CELLS, seed=1)]
