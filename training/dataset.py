"""Render perception training data: RGB-D frames with per-object boxes, masks, 3D positions
and phrases, from random `seen`-split scenes, in parallel processes.

Output folder: shard_XXXX.npz (rgb (N,H,W,3) uint8, depth (N,H,W) float16 metres,
segmentation (N,H,W) int16 object index or −1, K (N,3,3), T_world_cam (N,4,4)) and
shard_XXXX.jsonl (one line per frame: scene seed, camera, objects with index, category,
colour, box xyxy, pixel count, world position, phrases).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.sim.catalog import training_categories
from vlmbot.sim.env import SceneSpec, TabletopEnv
from vlmbot.sim.scene import ObjectRequest, Randomization, SceneSampler

TRAINING_RANDOMIZATION = Randomization(
    lighting=True, table_color=True, camera_jitter=0.03, color_shade=0.06, distractors=(0, 0)
)


@dataclass(frozen=True)
class DatasetConfig:
    """scenes: how many scenes (each gives one frame per camera); seed: reproducibility;
    split: which object vocabulary to draw from (training only ever uses `seen`)."""

    scenes: int = 100
    seed: int = 0
    split: str = "seen"
    min_objects: int = 3
    max_objects: int = 8
    shard_size: int = 200
    with_robot: bool = True


def random_scene(rng: np.random.Generator, config: DatasetConfig) -> SceneSpec:
    """A cluttered scene: random categories and colours, some objects inside containers or
    stacked, strong domain randomisation."""
    sampler = SceneSampler(rng, config.split, TRAINING_RANDOMIZATION)
    categories = training_categories(config.split)
    graspable = [c for c in categories if CONCEPTS[c].graspable]
    containers = [c for c in categories if CONCEPTS[c].is_container]
    n = int(rng.integers(config.min_objects, config.max_objects + 1))
    requests = []
    for i in range(int(rng.integers(0, 3))):
        requests.append(ObjectRequest(str(rng.choice(containers)), id=f"c{i}"))
    for i in range(n - len(requests)):
        support = None
        if requests and rng.random() < 0.25:
            support = requests[int(rng.integers(len(requests)))].id
        requests.append(ObjectRequest(str(rng.choice(graspable)), id=f"o{i}", support=support))
    return sampler.sample(requests, distractors=0)


def phrases_for(category: str, color: str) -> list[str]:
    names = CONCEPTS[category].names
    return [f"{color} {names[0]}", *names]


def _render_scene(env: TabletopEnv, seed: int, config: DatasetConfig) -> list[dict[str, Any]]:
    rng = np.random.default_rng([config.seed, seed])
    for _ in range(10):
        try:
            scene = random_scene(rng, config)
            break
        except RuntimeError:
            continue
    env.reset(scene, settle_steps=240)
    states = env.object_states()
    body_to_index = {env.bodies[spec.id]: i for i, spec in enumerate(scene.objects)}
    frames = []
    for name, camera in env.cameras.items():
        render = env.render(name)
        segmentation = np.full(render.segmentation.shape, -1, dtype=np.int16)
        for body, index in body_to_index.items():
            segmentation[render.segmentation == body] = index
        objects = []
        for index, spec in enumerate(scene.objects):
            v, u = np.nonzero(segmentation == index)
            if len(u) < 6:
                continue
            objects.append(
                {
                    "index": index,
                    "category": spec.category,
                    "color": spec.color,
                    "box": [int(u.min()), int(v.min()), int(u.max()) + 1, int(v.max()) + 1],
                    "pixels": len(u),
                    "position": [round(float(x), 4) for x in states[spec.id].position],
                    "phrases": phrases_for(spec.category, spec.color),
                }
            )
        frames.append(
            {
                "rgb": render.rgb,
                "depth": render.depth.astype(np.float16),
                "segmentation": segmentation,
                "K": camera.K,
                "T_world_cam": camera.T_world_cam,
                "meta": {"scene_seed": seed, "camera": name, "objects": objects},
            }
        )
    return frames


def _render_shard(args: tuple[int, list[int], DatasetConfig, str]) -> tuple[int, int]:
    from vlmbot.sim.env import TabletopEnv

    shard, seeds, config, out = args
    frames: list[dict[str, Any]] = []
    with TabletopEnv(with_robot=config.with_robot) as env:
        for seed in seeds:
            frames += _render_scene(env, seed, config)
    path = Path(out) / f"shard_{shard:04d}"
    arrays: dict[str, Any] = {
        key: np.stack([f[key] for f in frames])
        for key in ("rgb", "depth", "segmentation", "K", "T_world_cam")
    }
    np.savez_compressed(path.with_suffix(".npz"), **arrays)
    with path.with_suffix(".jsonl").open("w") as handle:
        for frame in frames:
            handle.write(json.dumps(frame["meta"]) + "\n")
    return shard, len(frames)


def render_dataset(
    config: DatasetConfig,
    out: str | Path,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Render config.scenes scenes into `out`; returns throughput statistics."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(config.scenes))
    shards = [seeds[i : i + config.shard_size] for i in range(0, len(seeds), config.shard_size)]
    jobs = [(i, s, config, str(out)) for i, s in enumerate(shards)]
    start = time.perf_counter()
    frames = 0
    if workers <= 1:
        results = map(_render_shard, jobs)
        for done, (_, n) in enumerate(results, 1):
            frames += n
            if progress:
                progress(done, len(jobs))
    else:
        with mp.get_context("spawn").Pool(workers) as pool:
            for done, (_, n) in enumerate(pool.imap_unordered(_render_shard, jobs), 1):
                frames += n
                if progress:
                    progress(done, len(jobs))
    seconds = time.perf_counter() - start
    stats = {
        "frames": frames,
        "scenes": config.scenes,
        "seconds": round(seconds, 2),
        "frames_per_second": round(frames / seconds, 2),
        "workers": workers,
        "config": asdict(config),
    }
    (out / "stats.json").write_text(json.dumps(stats, indent=2))
    return stats


def load_shard(path: str | Path) -> tuple[dict[str, np.ndarray], list[dict[str, Any]]]:
    """One shard's arrays and per-frame metadata."""
    path = Path(path)
    with np.load(path.with_suffix(".npz")) as data:
        arrays = {key: data[key] for key in data.files}
    meta = [json.loads(line) for line in path.with_suffix(".jsonl").read_text().splitlines()]
    return arrays, meta
