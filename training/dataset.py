"""Render perception training data: RGB-D frames with per-object boxes, masks, 3D positions
and phrases, from random `seen`-split scenes, in parallel processes.

Scenes are drawn in robot cells: the home cell (its two cameras, jittered, home lighting
randomisation) for `home_share` of them, randomised training cells (`vlmbot.sim.cells`, never
the held-out family) for the rest, with their arms in view. Every camera is rendered
letterboxed as the model reads it (the long side at most `canvas` pixels, aspect kept) and
padded with black at the right and bottom to a `canvas` x `canvas` frame.

Output folder: shard_XXXX.npz (rgb (N,C,C,3) uint8, depth (N,C,C) float16 metres (0 where
padded), segmentation (N,C,C) int16 object index or −1, K (N,3,3), T_world_cam (N,4,4)) and
shard_XXXX.jsonl (one line per frame: scene seed, cell, camera, objects with index, category,
colour, render rgb, box xyxy, pixel count, world position, phrases).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.cell import CellCamera
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.sim.cameras import Render
from vlmbot.sim.catalog import training_categories
from vlmbot.sim.cells import HELDOUT_SEED_BASE, SimCell, home_cell, random_cell
from vlmbot.sim.env import SceneSpec, TabletopEnv
from vlmbot.sim.scene import ObjectRequest, Randomization, SceneSampler
from vlmbot.types import Camera

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
    home_share: float = 0.35
    canvas: int = 320


def training_cell(rng: np.random.Generator, config: DatasetConfig) -> SimCell:
    """The home cell, or a randomised cell of the training family (never a held-out one)."""
    if rng.random() < config.home_share:
        return home_cell()
    return random_cell(int(rng.integers(0, HELDOUT_SEED_BASE)), "train")


def letterboxed(camera: CellCamera, long_side: int) -> CellCamera:
    """The camera as the model reads it: scaled (never enlarged) to `long_side` on its long
    side, same field of view and pose."""
    cam = camera.camera
    scale = min(1.0, long_side / max(cam.width, cam.height))
    if scale == 1.0:
        return camera
    width, height = max(8, round(cam.width * scale)), max(8, round(cam.height * scale))
    K = cam.K.copy()
    K[0, :] *= width / cam.width
    K[1, :] *= height / cam.height
    K[2] = [0.0, 0.0, 1.0]
    scaled = Camera(K, cam.T_world_cam, width, height, cam.name)
    return CellCamera(scaled, camera.depth_range)


def random_scene(
    rng: np.random.Generator, config: DatasetConfig, cell: SimCell | None = None
) -> SceneSpec:
    """A cluttered scene in a cell: random categories and colours, some objects inside
    containers or stacked, strong domain randomisation."""
    cell = cell or home_cell()
    sampler = SceneSampler(rng, config.split, TRAINING_RANDOMIZATION, cell=cell)
    categories = training_categories(config.split, cell.vocabulary)
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
    scene = sampler.sample(requests, distractors=0)
    cameras = tuple(letterboxed(c, config.canvas) for c in (scene.cameras or cell.robot.cameras))
    return replace(scene, cameras=cameras)


def phrases_for(category: str, color: str) -> list[str]:
    names = CONCEPTS[category].names
    return [f"{color} {names[0]}", *names]


def _render_scene(env: TabletopEnv, seed: int, config: DatasetConfig) -> list[dict[str, Any]]:
    rng = np.random.default_rng([config.seed, seed])
    cell = training_cell(rng, config)
    for attempt in range(12):
        try:
            scene = random_scene(rng, config, cell if attempt < 10 else home_cell())
            break
        except RuntimeError:
            continue
    else:
        raise RuntimeError(f"no training scene for seed {seed}")
    if attempt >= 10:
        cell = home_cell()
    env.set_cell(cell)
    env.reset(scene, settle_steps=240)
    states = env.object_states()
    body_to_index = {env.bodies[spec.id]: i for i, spec in enumerate(scene.objects)}
    frames = []
    for name, camera in env.cameras.items():
        render = pad_render(env.render(name), config.canvas)
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
                    "rgb": [round(float(c), 4) for c in spec.rgb],
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
                "meta": {
                    "scene_seed": seed,
                    "cell": cell.name,
                    "camera": name,
                    "size": [camera.width, camera.height],
                    "objects": objects,
                },
            }
        )
    return frames


def pad_render(render: Render, canvas: int) -> Render:
    """A render padded with black (depth 0, no object) at the right and bottom to canvas²."""
    height, width = render.depth.shape
    pad = ((0, canvas - height), (0, canvas - width))
    return Render(
        np.pad(render.rgb, (*pad, (0, 0))),
        np.pad(render.depth, pad),
        np.pad(render.segmentation, pad, constant_values=-1),
    )


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
