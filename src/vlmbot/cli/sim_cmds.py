"""`vlmbot sim render`: write a seeded scene's camera frames, calibration and ground truth."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.cli.common import MAX_SEED, bounded_int, ensure_out_dir, print_json
from vlmbot.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser("sim", help="the simulator: render scenes")
    sim_sub = sim.add_subparsers(dest="sim_command", metavar="SIM_COMMAND")
    render = sim_sub.add_parser("render", help="render a seeded scene to PNG/NPY/JSON files")
    render.add_argument(
        "--seed",
        type=bounded_int(0, MAX_SEED),
        required=True,
        help="scene seed (same seed, same scene)",
    )
    render.add_argument("--out", required=True, help="output folder")
    render.add_argument("--task", help="render the scene of this task family's episode instead")
    render.add_argument("--split", default="seen", help="split for --task (default: seen)")
    render.add_argument("--json", action="store_true", help="print what was written as JSON")
    render.set_defaults(func=cmd_render)
    sim.set_defaults(func=lambda args: sim.print_help() or 2)


def cmd_render(args: argparse.Namespace) -> int:
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, build_episode, free_episode

    if args.task:
        episode = build_episode(EpisodeSpec(args.task, args.seed, args.split))
    else:
        EpisodeSpec("put_in", args.seed, args.split)  # validates seed and split
        episode = free_episode(args.seed, "", args.split)
    out = ensure_out_dir(args.out)
    with TabletopEnv() as env:
        env.reset(episode.scene)
        written = write_render_atomic(env, out)
    if args.json:
        print_json({"out": str(out), "files": written, "instruction": episode.instruction or None})
    else:
        print(f"wrote {len(written)} files to {out}")
    return 0


def write_render_atomic(env: Any, out: Path) -> list[str]:
    """`write_render` into a hidden staging folder inside `out`, then each file renamed into
    place: a failure (a full disk, an interrupt) leaves no partial set, only what was there."""
    staging = Path(tempfile.mkdtemp(prefix=".vlmbot-render-", dir=out))
    try:
        try:
            written = write_render(env, staging)
        except OSError as exc:
            raise InputError(f"cannot write to {out}: {exc.strerror or exc}") from None
        for name in written:
            os.replace(staging / name, out / name)
        return written
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)


def write_render(env: Any, out: Path) -> list[str]:
    """Per camera <cam>_rgb.png, <cam>_depth.npy, <cam>_camera.json; then objects.json."""
    from PIL import Image

    written = []
    boxes: dict[str, dict[str, list[float]]] = {}
    body_to_object = env.body_to_object()
    for name, camera in env.cameras.items():
        frame = env.render(name)
        Image.fromarray(frame.rgb).save(out / f"{name}_rgb.png")
        np.save(out / f"{name}_depth.npy", frame.depth)
        (out / f"{name}_camera.json").write_text(json.dumps(camera.to_dict(), indent=2))
        written += [f"{name}_rgb.png", f"{name}_depth.npy", f"{name}_camera.json"]
        for body, box in segmentation_boxes(frame.segmentation).items():
            if body in body_to_object:
                boxes.setdefault(body_to_object[body], {})[name] = box
    objects = [
        {
            "id": s.id,
            "category": s.category,
            "color": s.color,
            "position": [round(float(v), 4) for v in s.position],
            "boxes": boxes.get(s.id, {}),
        }
        for s in env.object_states().values()
    ]
    (out / "objects.json").write_text(json.dumps(objects, indent=2))
    return [*written, "objects.json"]


def segmentation_boxes(segmentation: np.ndarray, min_pixels: int = 4) -> dict[int, list[float]]:
    """Body id → pixel box [x0, y0, x1, y1] (exclusive max) of its visible pixels."""
    boxes = {}
    for body in np.unique(segmentation):
        if body < 0:
            continue
        v, u = np.nonzero(segmentation == body)
        if len(u) >= min_pixels:
            boxes[int(body)] = [
                float(u.min()),
                float(v.min()),
                float(u.max() + 1),
                float(v.max() + 1),
            ]
    return boxes
