"""The CLI bad-input set: every user mistake is exactly one line `vlmbot: error: ...` on stderr
with exit status 2, nothing on stdout, no traceback, and no output file written."""

import json
import os
import re

import numpy as np
import pytest
from PIL import Image

from vlmbot.cell import HOME_CELL
from vlmbot.cli.main import main

TOP = HOME_CELL.camera("top").camera


def _table_depth() -> np.ndarray:
    """The top camera's depth of the bare table plane z = 0 (metres)."""
    return np.full((TOP.height, TOP.width), float(TOP.position[2]), np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (224, 224, 3)).astype(np.uint8)).save(d / "rgb.png")
    (d / "camera.json").write_text(json.dumps(TOP.to_dict()))
    np.save(d / "depth.npy", _table_depth())
    np.save(d / "depth_mm.npy", _table_depth() * 1000)
    np.save(d / "depth_nan.npy", np.full((224, 224), np.nan, np.float32))
    np.save(d / "small.npy", np.ones((20, 20), np.float32))
    (d / "empty.npy").write_bytes(b"")
    np.savez(d / "archive.npz", a=np.zeros((4, 4)))
    os.replace(d / "archive.npz", d / "archive.npy")
    (d / "truncated.npy").write_bytes((d / "depth.npy").read_bytes()[:300])
    np.save(d / "strings.npy", np.array(["a", "b"]))
    (d / "text.npy").write_text("not an array")
    camera = TOP.to_dict()
    (d / "cam_inf.json").write_text(json.dumps(camera).replace('"width": 224', '"width": 1e400'))
    (d / "cam_nan.json").write_text(json.dumps(camera).replace('"width": 224', '"width": NaN'))
    (d / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    (d / "latin1.json").write_bytes(b'{"name": "\xe9"}')
    Image.fromarray(np.full((224, 224), 900, np.uint16)).save(d / "grey16.png")
    Image.new("L", (12_000, 12_000)).save(d / "bomb.png")
    (d / "truncated.png").write_bytes((d / "rgb.png").read_bytes()[:200])
    (d / "eps_surrogate.jsonl").write_text(
        '{"task": "put_in", "seed": 1, "instruction": "\\udcff"}'
    )
    (d / "eps_nested.jsonl").write_text("[" * 50_000 + "]" * 50_000 + "\n")
    (d / "eps_nan.jsonl").write_text('{"task": "put_in", "seed": NaN}\n')
    (d / "resume_bad.jsonl").write_text('{"no": "key"}\n{"key": "x"}\n')
    return d


CASES = {
    "argparse: not a number": (["eval", "--episodes", "x"], "not a whole number"),
    "argparse: unknown command": (["juggle"], "invalid choice"),
    "argparse: missing required": (["sim", "render", "--seed", "1"], "required"),
    "episodes unbounded": (["eval", "--episodes", "100000000"], r"not in \[1, 100000\]"),
    "workers zero": (["eval", "--episodes", "2", "--workers", "0"], "not in"),
    "seed negative": (["run", "--seed", "-3", "--instruction", "hi"], "not in"),
    "seed too big": (["sim", "render", "--seed", str(2**40), "--out", "x"], "not in"),
    "unknown suite": (["eval", "--suite", "bogus"], "invalid choice"),
    "no episodes": (["eval"], "give --episodes"),
    "suite with a file": (
        ["eval", "--suite", "safety", "--episodes-file", "{d}/eps_nan.jsonl"],
        "tasks suite",
    ),
    "episodes: lone surrogate": (["eval", "--episodes-file", "{d}/eps_surrogate.jsonl"], "UTF-8"),
    "episodes: nested": (["eval", "--episodes-file", "{d}/eps_nested.jsonl"], "nested|JSON object"),
    "episodes: NaN": (["eval", "--episodes-file", "{d}/eps_nan.jsonl"], "NaN"),
    "resume: not ours": (
        ["eval", "--episodes", "1", "--resume", "{d}/resume_bad.jsonl"],
        "episode record",
    ),
    "instruction not UTF-8": (["run", "--seed", "1", "--instruction", "put \udcff away"], "UTF-8"),
    "detect: out is the input": (
        ["detect", "{d}/rgb.png", "--query", "a", "--out", "{d}/rgb.png"],
        "input file",
    ),
    "detect: out not an image": (
        ["detect", "{d}/rgb.png", "--query", "a", "--out", "{d}/o.txt"],
        "image file name",
    ),
    "image: empty": (["detect", "{d}/empty.npy", "--query", "a"], "is empty"),
    "image: bomb": (["detect", "{d}/bomb.png", "--query", "a"], "limit"),
    "image: 16-bit grey": (["detect", "{d}/grey16.png", "--query", "a"], "16 or 32 bits"),
    "image: truncated": (["detect", "{d}/truncated.png", "--query", "a"], "cannot read image"),
    "image: missing": (["detect", "{d}/nope.png", "--query", "a"], "not found"),
    "threshold: nan": (["detect", "{d}/rgb.png", "--query", "a", "--threshold", "nan"], "finite"),
}
AGENT = ["ask", "what is here?", "--image", "{d}/rgb.png", "--camera", "{d}/camera.json", "--depth"]
CASES.update(
    {
        "depth: empty": ([*AGENT, "{d}/empty.npy"], "is empty"),
        "depth: npz named npy": ([*AGENT, "{d}/archive.npy"], "npz archive"),
        "depth: truncated": ([*AGENT, "{d}/truncated.npy"], "cannot read depth"),
        "depth: strings": ([*AGENT, "{d}/strings.npy"], "must hold numbers"),
        "depth: not npy": ([*AGENT, "{d}/text.npy"], "no NumPy header"),
        "depth: wrong size": ([*AGENT, "{d}/small.npy"], "depth must have shape"),
        "depth: millimetres": ([*AGENT, "{d}/depth_mm.npy"], "millimetres"),
        "depth: NaN": ([*AGENT, "{d}/depth_nan.npy"], "NaN"),
        "depth: scale silly": ([*AGENT, "{d}/depth.npy", "--depth-scale", "-1"], "depth-scale"),
        "depth: 8-bit png": ([*AGENT, "{d}/rgb.png"], "16-bit single-channel"),
    }
)
CAMERA = ["ask", "what?", "--image", "{d}/rgb.png", "--depth", "{d}/depth.npy", "--camera"]
CASES.update(
    {
        "camera: width 1e400": ([*CAMERA, "{d}/cam_inf.json"], "whole number of pixels"),
        "camera: NaN": ([*CAMERA, "{d}/cam_nan.json"], "NaN is not a number"),
        "camera: nested": ([*CAMERA, "{d}/nested.json"], "nested too deeply"),
        "camera: not UTF-8": ([*CAMERA, "{d}/latin1.json"], "cannot read camera"),
        "camera: not an object": ([*CAMERA, "{d}/resume_bad.jsonl"], "cannot read camera"),
    }
)


@pytest.mark.parametrize("case", list(CASES))
def test_a_mistake_is_one_line_and_exit_2(files, capsys, case):
    argv, pattern = CASES[case]
    argv = [a.format(d=files) for a in argv]
    before = sorted(p.name for p in files.iterdir())
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vlmbot: error: "), captured.err
    assert re.search(pattern, lines[0]), lines[0]
    assert captured.out == ""
    assert sorted(p.name for p in files.iterdir()) == before  # nothing written


def test_depth_scale_converts_millimetres(files):
    from vlmbot.cli.agent_cmds import observation_from_files

    observation = observation_from_files(
        str(files / "rgb.png"), str(files / "depth_mm.npy"), str(files / "camera.json"), 0.001
    )
    frame = next(iter(observation.frames.values()))
    assert np.allclose(frame.depth, _table_depth(), atol=1e-5)
