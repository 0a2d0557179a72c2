"""Train the class-agnostic proposal network (CenterNet-style focal loss on centre heatmaps)."""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

from training.data import Frames
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import ProposalNet
from vlmbot.models.tiny.processing import normalize

CONTAINER_CATEGORIES = frozenset(c for c, k in CONCEPTS.items() if k.is_container)


def gaussian_radius(w: float, h: float) -> float:
    """Heatmap spread in cells for a box of (w, h) cells (a simple, size-proportional rule)."""
    return max(0.7, 0.18 * math.sqrt(w * h))


def targets(
    boxes: list[np.ndarray],
    channels: list[np.ndarray],
    config: TinyConfig,
    shape: tuple[int, int] | None = None,
) -> tuple[torch.Tensor, ...]:
    """Boxes (pixels of the (H, W) input, default S×S) and their heatmap channel (0 items,
    1 containers) → heatmap (B,2,Gh,Gw), size, offset and mask (B,4,Gh,Gw) at object centres."""
    stride = config.detector_stride
    height, width = shape or (config.image_size, config.image_size)
    rows, cols = height // stride, width // stride
    b = len(boxes)
    heat = np.zeros((b, 2, rows, cols), np.float32)
    size = np.zeros((b, 4, rows, cols), np.float32)
    offset = np.zeros((b, 4, rows, cols), np.float32)
    mask = np.zeros((b, 4, rows, cols), np.float32)
    ys, xs = np.mgrid[0:rows, 0:cols]
    for i, (frame_boxes, frame_channels) in enumerate(zip(boxes, channels, strict=True)):
        for (x0, y0, x1, y1), c in zip(frame_boxes, frame_channels, strict=True):
            w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
            cx, cy = (x0 + x1) / 2 / stride, (y0 + y1) / 2 / stride
            ix, iy = min(int(cx), cols - 1), min(int(cy), rows - 1)
            sigma = gaussian_radius(w / stride, h / stride)
            g = np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma**2))
            heat[i, c] = np.maximum(heat[i, c], g)
            size[i, 2 * c : 2 * c + 2, iy, ix] = np.log(
                [w / config.image_size, h / config.image_size]
            )
            offset[i, 2 * c : 2 * c + 2, iy, ix] = [cx - ix - 0.5, cy - iy - 0.5]
            mask[i, 2 * c : 2 * c + 2, iy, ix] = 1.0
    return tuple(torch.from_numpy(a) for a in (heat, size, offset, mask))


def focal_loss(logits: torch.Tensor, heat: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss (alpha 2, beta 4)."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    positive = heat.eq(1).float()
    pos_loss = -((1 - p) ** 2) * torch.log(p) * positive
    neg_loss = -((1 - heat) ** 4) * (p**2) * torch.log(1 - p) * (1 - positive)
    return (pos_loss.sum() + neg_loss.sum()) / positive.sum().clamp(min=1)


def augment(
    rgb: np.ndarray, boxes: list[np.ndarray], rng: np.random.Generator
) -> tuple[torch.Tensor, list[np.ndarray]]:
    """Random horizontal flips, brightness/contrast and per-channel (light colour) jitter.
    rgb: (B, H, W, 3) uint8."""
    images = torch.from_numpy(rgb).permute(0, 3, 1, 2).float() / 255.0
    width = rgb.shape[2]
    out_boxes = []
    for i in range(len(images)):
        b = boxes[i].copy()
        if rng.random() < 0.5:
            images[i] = images[i].flip(-1)
            b[:, [0, 2]] = width - b[:, [2, 0]]
        out_boxes.append(b)
    gain = torch.from_numpy(rng.uniform(0.8, 1.2, (len(images), 1, 1, 1)).astype(np.float32))
    gain = gain * torch.from_numpy(rng.uniform(0.9, 1.1, (len(images), 3, 1, 1)).astype(np.float32))
    bias = torch.from_numpy(rng.uniform(-0.08, 0.08, (len(images), 1, 1, 1)).astype(np.float32))
    return (images * gain + bias).clamp(0, 1), out_boxes


def random_windows(
    rgb: np.ndarray, boxes: list[np.ndarray], size: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """A random size x size window of each (B, H, W, 3) frame (H, W >= size): the crops, the
    boxes shifted into them (those whose centre falls outside are dropped, the rest clipped),
    and which of each frame's boxes were kept."""
    height, width = rgb.shape[1:3]
    crops, out_boxes, kept = [], [], []
    for i in range(len(rgb)):
        y, x = int(rng.integers(0, height - size + 1)), int(rng.integers(0, width - size + 1))
        crops.append(rgb[i, y : y + size, x : x + size])
        b = boxes[i] - np.array([x, y, x, y], dtype=np.float32)
        centre = (b[:, :2] + b[:, 2:]) / 2
        inside = np.all((centre >= 0) & (centre < size), axis=1)
        kept.append(inside)
        out_boxes.append(np.clip(b[inside], 0, size))
    return np.stack(crops), out_boxes, kept


def train_detector(
    frames: Frames,
    config: TinyConfig,
    epochs: float,
    seed: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    max_steps: int | None = None,
    window: int = 256,
) -> tuple[ProposalNet, dict[str, float]]:
    """Train on random `window`-pixel squares of the frames (the net is fully convolutional:
    it reads whole letterboxed frames at inference)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ProposalNet(config)
    steps = max_steps or max(1, int(epochs * len(frames) / batch_size))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    start = time.perf_counter()
    model.train()
    for step in range(steps):
        index = rng.choice(len(frames), batch_size, replace=False)
        size = min(window, *frames.rgb.shape[1:3])
        crops, boxes, kept = random_windows(
            frames.rgb[index], [frames.boxes[i] for i in index], size, rng
        )
        images, boxes = augment(crops, boxes, rng)
        channels = [
            np.array([c in CONTAINER_CATEGORIES for c in frames.categories[i]], dtype=np.int64)[
                inside
            ]
            for i, inside in zip(index, kept, strict=True)
        ]
        heat, size, offset, mask = targets(boxes, channels, config, images.shape[2:])
        pred_heat, pred_size, pred_offset = model(normalize(images, config))
        loss_heat = focal_loss(pred_heat, heat)
        n = (mask.sum() / 2).clamp(min=1)
        loss_size = (F.l1_loss(pred_size, size, reduction="none") * mask).sum() / n
        loss_offset = (F.l1_loss(pred_offset, offset, reduction="none") * mask).sum() / n
        loss = loss_heat + 0.5 * loss_size + loss_offset
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 50 == 0 or step == steps - 1:
            rate = (step + 1) * batch_size / (time.perf_counter() - start)
            parts = [f"{k} {v.item():.3f}" for k, v in (("heat", loss_heat), ("size", loss_size))]
            print(
                f"detector: step {step + 1}/{steps} loss {loss.item():.3f} ({', '.join(parts)}) "
                f"{rate:.0f} img/s",
                file=sys.stderr,
                flush=True,
            )
    model.eval()
    return model, {
        "steps": steps,
        "seconds": round(time.perf_counter() - start, 1),
        "final_loss": round(float(loss.item()), 4),
    }
