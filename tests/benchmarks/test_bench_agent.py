"""The agent benchmark's camera rigs and its `decision_ms` contract, on one scene per rig."""

import json

import pytest

from benchmarks import bench_agent
from vlmbot.cell import HOME_CELL

pytestmark = pytest.mark.sim


@pytest.mark.parametrize(
    ("rig", "count", "size"),
    [("2x224x224", 2, (224, 224)), ("3x640x480", 3, (640, 480)), ("1x1280x720", 1, (1280, 720))],
)
def test_rigs_are_the_home_cell_through_other_cameras(rig, count, size):
    cell = bench_agent.rig_cell(rig)
    assert len(cell.cameras) == count
    assert {(c.camera.width, c.camera.height) for c in cell.cameras} == {size}
    assert cell.workspace == HOME_CELL.workspace and cell.vocabulary == HOME_CELL.vocabulary
    for camera in cell.cameras:  # every camera looks down at the workspace centre
        assert camera.camera.T_world_cam[2, 2] < -0.3


def test_unknown_rig_is_refused():
    with pytest.raises(ValueError, match="unknown rig"):
        bench_agent.rig_cameras("4x10x10")


def test_decision_ms_has_every_rig(monkeypatch, capsys):
    monkeypatch.setattr(bench_agent, "run_episodes", lambda episodes: {"decision_ms_median": 1.0})
    assert bench_agent.main(["--json", "--scenes", "1", "--owl-frames", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["decision_ms"]) == set(bench_agent.RIGS)
    assert all(ms > 0 for ms in result["decision_ms"].values())
    assert result["threads"] == 1 and result["decision_ms_median"] == 1.0
    assert result["blas_threads"] in (1, "default")
