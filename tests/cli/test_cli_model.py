"""`vlmbot model eval`, `vlmbot bench`, `vlmbot detect` and `vlmbot ask` on the shipped model."""

import json

import pytest

from vlmbot.cli.main import main

pytestmark = pytest.mark.sim


def test_model_eval_json_schema(capsys):
    assert main(["model", "eval", "--scenes", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["splits"]) == {
        "seen",
        "heldout_wording",
        "heldout_color_combos",
        "heldout_categories",
    }
    for row in out["splits"].values():
        assert {"ap50", "grounding_top1", "classification", "n"} <= set(row)
    assert "chance" in out["splits"]["heldout_categories"]
    assert set(out["latency_ms"]) >= {"median", "p90"}


def test_bench_json_schema(capsys):
    assert main(["bench", "--frames", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"tiny_ms", "owlvit_b32_ms", "ratio"}
    assert out["owlvit_b32_ms"] > out["tiny_ms"] > 0


def test_detect_on_a_rendered_frame(tmp_path, capsys):
    assert main(["sim", "render", "--seed", "3", "--task", "put_in", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    files = {
        name: str(tmp_path / name) for name in ("top_rgb.png", "top_depth.npy", "top_camera.json")
    }
    argv = ["detect", files["top_rgb.png"], "--query", "tray", "--query", "bowl", "--json"]
    argv += ["--depth", files["top_depth.npy"], "--camera", files["top_camera.json"]]
    argv += ["--out", str(tmp_path / "boxes.png"), "--threshold", "0.3"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["detections"], out
    for row in out["detections"]:
        assert set(row) >= {"query", "score", "xyxy", "position"}
        assert len(row["position"]) == 3
    assert (tmp_path / "boxes.png").is_file()


def test_ask_about_a_simulated_scene(capsys):
    assert main(["ask", "--seed", "3", "how many trays are there?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "answer" and out["answer"]


@pytest.mark.parametrize(
    "argv",
    [
        ["detect", "/nonexistent.png", "--query", "mug"],
        ["model", "eval", "--model", "/nonexistent.safetensors"],
        ["ask", "--image", "/nonexistent.png", "--depth", "d.npy", "--camera", "c.json", "hi?"],
        ["bench", "--frames", "0"],
    ],
)
def test_errors_are_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vlmbot: error:")
