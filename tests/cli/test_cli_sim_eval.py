import json

import numpy as np
import pytest

from vlmbot.cli.main import main

pytestmark = pytest.mark.sim


def test_sim_render_writes_the_contract_files(tmp_path, capsys):
    assert main(["sim", "render", "--seed", "3", "--out", str(tmp_path)]) == 0
    for cam in ("front", "top"):
        assert (tmp_path / f"{cam}_rgb.png").is_file()
        depth = np.load(tmp_path / f"{cam}_depth.npy")
        camera = json.loads((tmp_path / f"{cam}_camera.json").read_text())
        assert depth.shape == (camera["height"], camera["width"])
        assert set(camera) >= {"K", "T_world_cam", "width", "height"}
    objects = json.loads((tmp_path / "objects.json").read_text())
    assert objects and set(objects[0]) == {"id", "category", "color", "position", "boxes"}
    assert any("top" in o["boxes"] for o in objects)
    x0, y0, x1, y1 = next(o["boxes"]["top"] for o in objects if "top" in o["boxes"])
    assert 0 <= x0 < x1 <= 224 and 0 <= y0 < y1 <= 224


def test_eval_json_contract(tmp_path, capsys):
    episodes = tmp_path / "eps.jsonl"
    episodes.write_text(
        '{"task": "question", "seed": 1}\n'
        '{"task": "clarify_or_refuse", "seed": 2, "split": "heldout_wording"}\n'
    )
    assert (
        main(
            [
                "eval",
                "--agent",
                "oracle",
                "--episodes-file",
                str(episodes),
                "--workers",
                "1",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert set(out["summary"]) >= {
        "episodes",
        "success_rate",
        "by_family",
        "by_split",
        "unsafe_actions",
    }
    assert out["summary"]["episodes"] == 2
    keys = {
        "task",
        "seed",
        "instruction",
        "split",
        "expected",
        "outcome",
        "success",
        "answer",
        "unsafe_actions",
        "decision_ms",
        "cell",
        "category",
    }
    assert all(set(e) == keys for e in out["episodes"])
    assert {e["cell"] for e in out["episodes"]} == {"home"}
    assert {e["expected"] for e in out["episodes"]} <= {"act", "answer", "clarify", "refuse"}


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "--agent", "nobody", "--episodes", "2"],
        ["eval", "--episodes", "0"],
        ["eval", "--episodes-file", "/nonexistent.jsonl"],
        ["run", "--seed", "-3", "--instruction", "hi"],
        ["run", "--seed", "1"],
        ["run", "--seed", "1", "--task", "juggle"],
        ["sim", "render", "--seed", "1", "--out", "/proc/forbidden"],
    ],
)
def test_user_mistakes_are_one_line_errors(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vlmbot: error:")


def test_run_json(capsys):
    assert main(["run", "--seed", "5", "--task", "question", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "answer" and out["success"] is True
    assert out["final_objects"]
