"""Training data: simulator renders (seen split only) → detector targets and region crops."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.dataset import DatasetConfig, load_shard, render_dataset
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.processing import crop_tensor

MIN_PIXELS = 20  # objects with fewer visible pixels are not training targets


@dataclass
class Frames:
    """All frames in memory. rgb (N, H, W, 3) uint8; boxes[i]: (K, 4) float32 pixels;
    categories[i], colors[i]: K names; depth (N, H, W) float16; segmentation (N, H, W)."""

    rgb: np.ndarray
    depth: np.ndarray
    segmentation: np.ndarray
    boxes: list[np.ndarray]
    categories: list[list[str]]
    colors: list[list[str]]
    object_index: list[list[int]]
    albedo: list[np.ndarray]  # (K, 3) sRGB render colour of each object, in [0, 1]
    cells: list[str]

    def __len__(self) -> int:
        return len(self.rgb)


def render(out: Path, scenes: int, seed: int, workers: int) -> dict[str, Any]:
    if (out / "stats.json").is_file():
        import json

        stats = json.loads((out / "stats.json").read_text())
        if stats["scenes"] == scenes and stats["config"]["seed"] == seed:
            print(f"data: reusing {stats['frames']} frames in {out}", file=sys.stderr)
            return dict(stats)

    def progress(done: int, total: int) -> None:
        print(f"data: shard {done}/{total}", file=sys.stderr, flush=True)

    config = DatasetConfig(scenes=scenes, seed=seed, split="seen", shard_size=100)
    return render_dataset(config, out, workers=workers, progress=progress)


def load_frames(folder: Path) -> Frames:
    parts: list[dict[str, np.ndarray]] = []
    boxes, categories, colors, indices, albedo, cells = [], [], [], [], [], []
    for npz in sorted(folder.glob("shard_*.npz")):
        arrays, meta = load_shard(npz)
        parts.append(arrays)
        for frame in meta:
            objects = [o for o in frame["objects"] if o["pixels"] >= MIN_PIXELS]
            boxes.append(np.asarray([o["box"] for o in objects], dtype=np.float32).reshape(-1, 4))
            categories.append([o["category"] for o in objects])
            colors.append([o["color"] for o in objects])
            indices.append([o["index"] for o in objects])
            albedo.append(np.asarray([o["rgb"] for o in objects], dtype=np.float32).reshape(-1, 3))
            cells.append(frame.get("cell", "home"))
    stack = lambda key: np.concatenate([p[key] for p in parts])  # noqa: E731
    return Frames(
        stack("rgb"),
        stack("depth"),
        stack("segmentation"),
        boxes,
        categories,
        colors,
        indices,
        albedo,
        cells,
    )


def jitter_boxes(boxes: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Shift and rescale boxes by up to `amount` of their size (imitates proposal noise)."""
    wh = boxes[:, 2:] - boxes[:, :2]
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2 + rng.uniform(-amount, amount, (len(boxes), 2)) * wh
    wh = wh * rng.uniform(1 - amount, 1 + amount, (len(boxes), 2))
    return np.concatenate([centre - wh / 2, centre + wh / 2], axis=1)


def background_boxes(boxes: np.ndarray, rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """Random boxes that barely overlap any object: negatives for every phrase."""
    from vlmbot.boxes import box_iou

    found: list[np.ndarray] = []
    for _ in range(n * 10):
        if len(found) == n:
            break
        side = rng.uniform(10, 40)
        x, y = rng.uniform(0, size - side, 2)
        box = np.array([[x, y, x + side, y + side]], dtype=np.float32)
        if len(boxes) == 0 or box_iou(box, boxes).max() < 0.1:
            found.append(box[0])
    return np.asarray(found, dtype=np.float32).reshape(-1, 4)


@dataclass
class Crops:
    """Region crops (M, 3, C, C) uint8 with their category (−1 = background), colour name and
    the Lab colour of the object's own pixels (for fitting colour prototypes)."""

    images: torch.Tensor
    category: np.ndarray
    color: list[str]
    object_lab: np.ndarray


def extract_crops(
    frames: Frames, categories: list[str], config: TinyConfig, seed: int, jitters: int = 2
) -> Crops:
    """Crops around every labelled object (several jittered copies) plus background crops."""
    rng = np.random.default_rng(seed)
    images, labels, color_names, object_lab = [], [], [], []
    for i in range(len(frames)):
        keep = [k for k, c in enumerate(frames.categories[i]) if c in categories]
        boxes = frames.boxes[i][keep]
        image = torch.from_numpy(frames.rgb[i]).permute(2, 0, 1).float().unsqueeze(0)
        all_boxes = [jitter_boxes(boxes, rng, 0.12) for _ in range(jitters)] if len(boxes) else []
        background = background_boxes(frames.boxes[i], rng, frames.rgb.shape[1], 1)
        all_boxes.append(background)
        stacked = np.concatenate(all_boxes) if all_boxes else np.zeros((0, 4), np.float32)
        if len(stacked) == 0:
            continue
        crops = crop_tensor(image, stacked, config).round().clamp(0, 255).to(torch.uint8)
        images.append(crops)
        object_labels = [categories.index(frames.categories[i][k]) for k in keep]
        labels += object_labels * jitters + [-1] * len(background)
        object_colors = [frames.colors[i][k] for k in keep]
        color_names += object_colors * jitters + [""] * len(background)
        rgb = [_object_lab(frames, i, frames.object_index[i][k]) for k in keep]
        object_lab += rgb * jitters + [np.zeros(3)] * len(background)
    return Crops(
        torch.cat(images), np.asarray(labels), color_names, np.asarray(object_lab, dtype=np.float32)
    )


def _object_lab(frames: Frames, frame: int, index: int) -> np.ndarray:
    """Lab colour of an object's own pixels, measured as the model measures it at run time."""
    from vlmbot.lexicon.colors import object_color

    return object_color(frames.rgb[frame][frames.segmentation[frame] == index])
