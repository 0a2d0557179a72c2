"""Object category accuracy of the agent's perception, from appearance alone and with the shape
prior, on task scenes of the seen and held-out-category splits.

    python -m benchmarks.eval_categories [--scenes 80] [--json]

Each perceived object is labelled by the true object within 3 cm (simulator ground truth,
used for scoring only); objects with no such match (phantoms, containers' insides) are left
out. Containers are counted too.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np
import torch

from vlmbot.agents.vlm import VLMAgent
from vlmbot.perception.scene import perceive
from vlmbot.reasoning.builder import build_graph
from vlmbot.sim.catalog import HELDOUT_CATEGORIES, HOME_CATEGORIES
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import ACTIONABLE, EpisodeSpec, build_episode

SPLITS = ("seen", "heldout_categories")
LABEL_DISTANCE = 0.03
SEED_OFFSET = 50_000  # scenes away from those the shape prior was fit on


def _accuracy(pairs: list[tuple[str, str]]) -> float | None:
    return round(float(np.mean([t == p for t, p in pairs])), 3) if pairs else None


def run(scenes: int) -> dict[str, object]:
    with_shapes, without = VLMAgent(), VLMAgent(shapes=None)
    env = TabletopEnv()
    results: dict[str, dict[str, list[tuple[str, str]]]] = {
        "appearance": defaultdict(list),
        "appearance+shape": defaultdict(list),
    }
    try:
        for split in SPLITS:
            for i in range(scenes):
                spec = EpisodeSpec(ACTIONABLE[i % len(ACTIONABLE)], SEED_OFFSET + i, split)
                env.reset(build_episode(spec).scene)
                truth = list(env.object_states().values())
                perceived = perceive(with_shapes.stages, env.observe())
                for name, agent in (("appearance", without), ("appearance+shape", with_shapes)):
                    graph = build_graph(
                        perceived, agent.classifier, agent.stages.colors, agent.cell.workspace
                    )
                    for node in graph.objects:
                        gaps = [np.linalg.norm(node.xy - s.position[:2]) for s in truth]
                        nearest = int(np.argmin(gaps))
                        if gaps[nearest] <= LABEL_DISTANCE:
                            results[name][truth[nearest].category].append(
                                (truth[nearest].category, node.category)
                            )
    finally:
        env.close()
    report: dict[str, object] = {"scenes_per_split": scenes}
    for name, by_category in results.items():
        seen = [p for c, v in by_category.items() if c not in HELDOUT_CATEGORIES for p in v]
        held = [p for c, v in by_category.items() if c in HELDOUT_CATEGORIES for p in v]
        report[name] = {
            "seen_categories": _accuracy(seen),
            "heldout_categories": _accuracy(held),
            "per_heldout_category": {
                c: _accuracy(by_category[c]) for c in sorted(HELDOUT_CATEGORIES & HOME_CATEGORIES)
            },
            "objects": {"seen": len(seen), "heldout": len(held)},
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=80, help="scenes per split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    report = run(args.scenes)
    if args.json:
        print(json.dumps(report))
        return 0
    for name in ("appearance", "appearance+shape"):
        r = report[name]
        assert isinstance(r, dict)
        print(
            f"{name:17} seen categories {r['seen_categories']}  held-out categories "
            f"{r['heldout_categories']}  per held-out category {r['per_heldout_category']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
