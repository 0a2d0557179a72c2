"""Perception in robot cells it was never trained in: object category and colour accuracy, and
whether the arm is ever taken for an object, on the home cell and the held-out cells.

    python -m benchmarks.eval_cells [--cells home,heldout] [--scenes 4] [--json]

Each cell's task scenes (seen split, its own vocabulary) are observed through the agent's
perception; each perceived object is labelled by the true object within 3 cm (simulator
ground truth, for scoring only). A perceived object with no true object nearby whose camera
boxes show mostly the robot is an arm part taken for an object. Colour names are compared
with the palette colour each object was rendered in; "colour (true masks)" measures the colour
namer alone on the objects' true pixels, to tell naming from segmentation. Recall is bucketed
by the object's box side in the image the detector reads (vlmbot-tiny letterboxes a 640x480
frame to 320x240: a 24 px object there is 12 px to the detector). Sizes: objects
drawn smaller than 0.8 or larger than 1.25 times their category's nominal size are reported
apart.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import Any

import numpy as np

from vlmbot.agents.vlm import VLMAgent
from vlmbot.boxes import box_iou
from vlmbot.models.tiny.processing import letterbox_size
from vlmbot.sim.cells import cell_set
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import ACTIONABLE, EpisodeSpec, build_episode

LABEL_DISTANCE = 0.03
SEED_OFFSET = 70_000


SIZE_BUCKETS = (8, 12, 16, 24, 32)


def _size_bucket(side: float) -> str:
    """The object's box side in pixels, as a bucket name: "<8", "8-12", ..., ">=32"."""
    for low, high in zip((0, *SIZE_BUCKETS), SIZE_BUCKETS, strict=False):
        if side < high:
            return f"<{high}px" if low == 0 else f"{low}-{high}px"
    return f">={SIZE_BUCKETS[-1]}px"


def detector_input_scale(agent: VLMAgent, height: int, width: int) -> float:
    """How much the proposer shrinks an image before detecting: vlmbot-tiny letterboxes to
    `input_long_side` pixels; other proposers are measured in image pixels (1.0)."""
    config = getattr(agent.stages.proposer, "config", None)
    long_side = getattr(config, "input_long_side", None)
    return 1.0 if long_side is None else letterbox_size(height, width, long_side)[0]


def _rate(values: list[bool]) -> float | None:
    return round(float(np.mean(values)), 3) if values else None


def _robot_box(segmentation: np.ndarray, box: list[float], robot: int) -> bool:
    x0, y0, x1, y1 = (round(v) for v in box)
    patch = segmentation[max(y0, 0) : max(y1, 1), max(x0, 0) : max(x1, 1)]
    return bool(patch.size and np.mean(patch == robot) > 0.3)


def evaluate_cell(
    env: TabletopEnv, agent: VLMAgent, cell_name: str, scenes: int
) -> dict[str, list[bool]]:
    """Per measure, one bool per object (or object view) of the cell's scenes."""
    counts: dict[str, list[bool]] = defaultdict(list)
    for i in range(scenes):
        spec = EpisodeSpec(ACTIONABLE[i % len(ACTIONABLE)], SEED_OFFSET + i, "seen", cell=cell_name)
        try:
            episode = build_episode(spec)
        except RuntimeError:
            continue
        env.set_cell(episode.cell)
        env.reset(episode.scene)
        states = list(env.object_states().values())
        specs = {s.id: s for s in episode.scene.objects}
        observation = env.observe()
        renders = {name: env.render(name) for name in observation.frames}
        robot = env.robot.body if env.robot is not None else -1
        bodies = env.body_to_object()
        agent.reset()
        for node in agent.scene.scene_graph(observation).objects:
            gaps = [float(np.linalg.norm(node.xy - s.position[:2])) for s in states]
            nearest = int(np.argmin(gaps))
            if gaps[nearest] > LABEL_DISTANCE:
                arm = any(
                    _robot_box(renders[c].segmentation, box, robot) for c, box in node.views.items()
                )
                counts["arm_as_object"].append(arm)
                continue
            truth = states[nearest]
            counts["arm_as_object"].append(False)
            counts["category"].append(node.category == truth.category)
            counts["colour"].append(node.color == truth.color)
            scale = specs[truth.id].scale * float(np.prod(specs[truth.id].stretch) ** (1 / 3))
            bucket = "small" if scale < 0.8 else ("large" if scale > 1.25 else "nominal")
            counts[f"category_{bucket}"].append(node.category == truth.category)
        for name, render in renders.items():
            frame = observation.frames[name]
            proposals = agent.stages.proposer.propose(frame.rgb, frame.depth, frame.camera)
            input_scale = detector_input_scale(agent, frame.rgb.shape[0], frame.rgb.shape[1])
            for body, object_id in bodies.items():
                mask = render.segmentation == body
                if not mask.any():
                    continue
                v, u = np.nonzero(mask)
                box = np.array([[u.min(), v.min(), u.max() + 1, v.max() + 1]], np.float32)
                side = input_scale * float(max(box[0, 2] - box[0, 0], box[0, 3] - box[0, 1]))
                found = len(proposals) and box_iou(box, proposals.xyxy).max() >= 0.3
                counts[f"recall_{_size_bucket(side)}"].append(bool(found))
                if mask.sum() >= 30:  # the colour namer alone, on true masks
                    lab = agent.stages.colors.measure(render.rgb, mask[None])[0]
                    counts["colour_true_masks"].append(
                        agent.stages.colors.name(lab) == specs[object_id].color
                    )
    return counts


def _rates(counts: dict[str, list[bool]]) -> dict[str, Any]:
    """Each measure's rate; recall buckets also give how many objects they hold (`..._n`)."""
    sizes = {f"{key}_n": len(values) for key, values in counts.items() if key.startswith("recall_")}
    return (
        {key: _rate(values) for key, values in sorted(counts.items())}
        | sizes
        | {
            "objects": len(counts.get("category", [])),
            "arm_parts_as_objects": int(sum(counts.get("arm_as_object", []))),
        }
    )


def run(
    cell_sets: list[str], scenes: int, model: str = "tiny", shapes: str = "embedded"
) -> dict[str, Any]:
    """Per cell and pooled per cell set; `model` and `shapes` as VLMAgent takes them (a
    training run measures its own weights and shape prior before they are installed)."""
    import torch

    torch.set_num_threads(1)
    home = VLMAgent(model, shapes=shapes)
    env = TabletopEnv()
    report: dict[str, Any] = {"scenes_per_cell": scenes, "cells": {}}
    try:
        for set_name in cell_sets:
            pooled: dict[str, list[bool]] = defaultdict(list)
            for cell in cell_set(set_name):
                agent = VLMAgent(home.stages, cell=cell.robot, shapes=shapes)
                counts = evaluate_cell(env, agent, cell.name, scenes)
                report["cells"][cell.name] = _rates(counts)
                for key, values in counts.items():
                    pooled[key] += values
            report[set_name] = _rates(pooled)
    finally:
        env.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="home,heldout", help="cell sets, comma separated")
    parser.add_argument("--scenes", type=int, default=4, help="scenes per cell")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.cells.split(","), args.scenes)
    if args.json:
        print(json.dumps(report))
        return 0
    for set_name in args.cells.split(","):
        print(f"{set_name:8} {report[set_name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
