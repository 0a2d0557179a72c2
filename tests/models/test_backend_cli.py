"""`vlmbot detect | classify | ask | describe | models` through main(), on tiny checkpoints.

(These live beside the model tests because they use the tiny checkpoints built there.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlmbot.cli import model_cmds
from vlmbot.cli.main import build_parser, main
from vlmbot.models import ModelFamily, families, registry

Checkpoints = Callable[[str], Path]


@pytest.fixture
def image_file(tmp_path: Path, rgb: np.ndarray) -> Path:
    path = tmp_path / "scene.png"
    Image.fromarray(rgb).save(path)
    return path


@pytest.fixture
def camera_files(tmp_path: Path) -> tuple[Path, Path]:
    depth = tmp_path / "depth.npy"
    np.save(depth, np.full((48, 64), 1.2, dtype=np.float32))
    camera = tmp_path / "camera.json"
    camera.write_text(
        json.dumps(
            {
                "K": [[60, 0, 32], [0, 60, 24], [0, 0, 1]],
                "T_world_cam": np.eye(4).tolist(),
                "width": 64,
                "height": 48,
            }
        )
    )
    return depth, camera


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("vlmbot: error: ") and "\n" not in err and "Traceback" not in err
    return err


def test_detect_json_rows_grouped_by_query_best_first(
    tiny_checkpoints: Checkpoints, image_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = f"owlv2:{tiny_checkpoints('owlv2')}"
    argv = [
        "detect",
        str(image_file),
        "--query",
        "mug",
        "--query",
        "duck",
        "--model",
        model,
        "--threshold",
        "0.3",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"detections"} and out["detections"]
    rows = out["detections"]
    assert all(set(row) == {"query", "score", "xyxy", "position"} for row in rows)
    assert all(row["position"] is None and row["score"] >= 0.3 for row in rows)
    queries = [row["query"] for row in rows]
    assert queries == sorted(queries, key=["mug", "duck"].index)
    for query in ("mug", "duck"):
        scores = [row["score"] for row in rows if row["query"] == query]
        assert scores == sorted(scores, reverse=True)


def test_detect_positions_and_annotated_image(
    tiny_checkpoints: Checkpoints,
    image_file: Path,
    camera_files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    depth, camera = camera_files
    out_png = tmp_path / "out" / "annotated.png"
    argv = [
        "detect",
        str(image_file),
        "--query",
        "mug",
        "--model",
        f"owlvit:{tiny_checkpoints('owlvit')}",
        "--threshold",
        "0.0",
        "--depth",
        str(depth),
        "--camera",
        str(camera),
        "--json",
        "--out",
        str(out_png),
    ]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)["detections"]
    positions = [row["position"] for row in rows if row["position"] is not None]
    assert positions and all(p[2] == pytest.approx(1.2, abs=1e-3) for p in positions)
    drawn = np.asarray(Image.open(out_png).convert("RGB"))
    original = np.asarray(Image.open(image_file).convert("RGB"))
    assert drawn.shape == original.shape and (drawn != original).any()


def test_detect_plain_text_output(
    tiny_checkpoints: Checkpoints, image_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "detect",
        str(image_file),
        "--query",
        "mug",
        "--model",
        f"owlv2:{tiny_checkpoints('owlv2')}",
        "--threshold",
        "0",
    ]
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(line.startswith("mug  ") and " box [" in line for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["detect", "{missing}", "--query", "mug", "--model", "{owlv2}"], "image not found"),
        (["detect", "{corrupt}", "--query", "mug", "--model", "{owlv2}"], "cannot read image"),
        (["detect", "{image}", "--query", " ", "--model", "{owlv2}"], "needs some text"),
        (["detect", "{image}", "--query", "mug", "--model", "nosuch:x"], "unknown model"),
        (["detect", "{image}", "--query", "mug", "--model", "owlv2:{missing}"], "not available"),
        (
            ["detect", "{image}", "--query", "mug", "--model", "{owlv2}", "--threshold", "2"],
            "threshold",
        ),
        (
            ["detect", "{image}", "--query", "mug", "--model", "{owlv2}", "--depth", "{depth}"],
            "both --depth and --camera",
        ),
        (["detect", "{image}", "--query", "mug", "--model", "{clip}"], "families that do: "),
        (["detect", "{image}", "--query", "mug", "--model", "broken:x"], "cannot be loaded"),
        (
            ["classify", "{image}", "--label", "mug", "--label", "duck", "--model", "{owlv2}"],
            "does not do classification",
        ),
        (["classify", "{image}", "--label", "mug", "--model", "{clip}"], "at least two"),
        (
            ["ask", "what?", "--image", "{image}", "--model", "{clip}"],
            "families that do: blip, idefics, paligemma",
        ),
        (["ask", "what?", "--image", "{image}"], "needs --model"),
        (["ask", "what?"], "--seed N"),
        (["ask", " ", "--image", "{image}", "--model", "{blip-vqa}"], "question is empty"),
        (
            ["describe", "--image", "{image}", "--model", "{blip-vqa}"],
            "does not do captioning (it does vqa)",
        ),
        (["describe", "--image", "{missing}", "--model", "{blip-caption}"], "image not found"),
    ],
)
def test_model_command_mistakes_are_one_line_errors(
    argv: list[str],
    message: str,
    tiny_checkpoints: Checkpoints,
    image_file: Path,
    camera_files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A family whose code is missing from this install (as `tiny` is until it is built).
    broken = ModelFamily("broken", frozenset({"detect"}), "vlmbot.no_such_module:load", "x")
    monkeypatch.setitem(registry._FAMILIES, "broken", broken)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"not a png")
    names = {
        "image": str(image_file),
        "missing": str(tmp_path / "missing.png"),
        "corrupt": str(corrupt),
        "depth": str(camera_files[0]),
        "owlv2": f"owlv2:{tiny_checkpoints('owlv2')}",
        "clip": f"clip:{tiny_checkpoints('clip')}",
        "blip-vqa": f"blip:{tiny_checkpoints('blip-vqa')}",
        "blip-caption": f"blip:{tiny_checkpoints('blip-caption')}",
    }
    assert main([arg.format(**names) for arg in argv]) == 2
    assert message in _error(capsys)


def test_model_defaults_to_the_embedded_tiny_model() -> None:
    parser = build_parser()
    assert parser.parse_args(["detect", "x.png", "--query", "mug"]).model == "tiny"
    assert parser.parse_args(["classify", "x.png", "--label", "a"]).model == "tiny"


def test_classify_json(
    tiny_checkpoints: Checkpoints, image_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "classify",
        str(image_file),
        "--label",
        "mug",
        "--label",
        "duck",
        "--label",
        "cube",
        "--model",
        f"siglip:{tiny_checkpoints('siglip2')}",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    probs = [row["prob"] for row in out["labels"]]
    assert out["top"] == out["labels"][0]["label"] and probs == sorted(probs, reverse=True)
    assert {row["label"] for row in out["labels"]} == {"mug", "duck", "cube"}
    assert sum(probs) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["ask", "what is on the table?", "--model", "{blip-vqa}"], "answer"),
        (["ask", "how many?", "--model", "{idefics}"], "answer"),
        (["describe", "--model", "{blip-caption}"], "description"),
        (["describe", "--model", "{paligemma}"], "description"),
    ],
)
def test_ask_and_describe_with_an_image(
    argv: list[str],
    key: str,
    tiny_checkpoints: Checkpoints,
    image_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = {
        name: f"{family}:{tiny_checkpoints(name)}"
        for family, name in [
            ("blip", "blip-vqa"),
            ("idefics", "idefics3"),
            ("blip", "blip-caption"),
            ("paligemma", "paligemma"),
        ]
    }
    names["idefics"] = names.pop("idefics3")
    full = [arg.format(**names) for arg in argv] + ["--image", str(image_file), "--json"]
    assert main(full) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out[key], str) and out["model"] == full[full.index("--model") + 1]


def test_agent_path_is_one_replaceable_function(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(model_cmds, "_ask_with_agent", lambda args: calls.append(args) or 0)
    assert main(["ask", "what is red?", "--seed", "4", "--json"]) == 0
    assert main(["describe", "--image", "x.png", "--depth", "d.npy", "--camera", "c.json"]) == 0
    assert [c.seed for c in calls] == [4, None] and calls[1].depth == "d.npy"


def test_models_lists_every_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    listed = {row["family"]: row for row in out["families"]}
    assert set(listed) == set(families())
    for name, family in families().items():
        assert listed[name]["tasks"] == sorted(family.tasks)
        assert listed[name]["example_ids"] == list(family.example_ids)
    assert out["embedded"]["name"] == "tiny" and isinstance(out["embedded"]["available"], bool)
    assert main(["models"]) == 0
    text = capsys.readouterr().out
    assert "owlv2" in text and "google/owlv2-base-patch16-ensemble" in text
    assert "embedded model: tiny" in text
