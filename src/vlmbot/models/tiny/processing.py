"""Pre- and post-processing for vlmbot-tiny, with the matching coordinate transforms.

Image pixels: (u, v) with the origin at the top-left corner. The detector sees the image
letterboxed: scaled by s ≤ 1 so that its long side is at most `input_long_side`, aspect kept,
padded with black at the right and bottom to multiples of 32; `ImageTransform` maps boxes
between the two (a pure scale: the padding is at the far edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from vlmbot.errors import InputError
from vlmbot.models.tiny.configuration import TinyConfig


def check_image(image: np.ndarray) -> np.ndarray:
    """Validate an (H, W, 3) uint8 RGB image (a clear error for anything else)."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise InputError(f"image must be (H, W, 3) RGB, got shape {array.shape}")
    if array.dtype != np.uint8:
        raise InputError(f"image must be uint8, got {array.dtype}")
    if min(array.shape[:2]) < 8:
        raise InputError(f"image is too small: {array.shape[1]}x{array.shape[0]}")
    return array


@dataclass(frozen=True)
class ImageTransform:
    """Original image (H, W) ↔ detector input: scaled by `scale`, then padded at the right and
    bottom to (input_height, input_width)."""

    height: int
    width: int
    scale: float
    input_height: int
    input_width: int

    def to_original(self, xyxy: np.ndarray) -> np.ndarray:
        boxes = np.asarray(xyxy, dtype=np.float32) / self.scale
        bounds = np.array([self.width, self.height, self.width, self.height], np.float32)
        return np.clip(boxes, 0, bounds)

    def to_input(self, xyxy: np.ndarray) -> np.ndarray:
        return np.asarray(xyxy, dtype=np.float32) * self.scale


def letterbox_size(height: int, width: int, long_side: int) -> tuple[float, int, int]:
    """(scale, scaled height, scaled width): the long side at most `long_side`, never enlarged."""
    scale = min(1.0, long_side / max(height, width))
    return scale, max(1, round(height * scale)), max(1, round(width * scale))


def image_tensor(image: np.ndarray, config: TinyConfig) -> tuple[torch.Tensor, ImageTransform]:
    """(H, W, 3) uint8 → the normalised, letterboxed detector input (1, 3, H', W') float32 and
    the transform back to image pixels."""
    image = check_image(image)
    height, width = image.shape[:2]
    scale, h, w = letterbox_size(height, width, config.input_long_side)
    tensor = torch.tensor(image).permute(2, 0, 1).float().div_(255.0).unsqueeze(0)
    if (h, w) != (height, width):
        tensor = F.interpolate(
            tensor, size=(h, w), mode="bilinear", align_corners=False, antialias=True
        )
    padded_h, padded_w = -(-h // 32) * 32, -(-w // 32) * 32
    if (padded_h, padded_w) != (h, w):
        tensor = F.pad(tensor, (0, padded_w - w, 0, padded_h - h))  # black at the far edges
    return normalize(tensor, config), ImageTransform(height, width, scale, padded_h, padded_w)


def normalize(tensor: torch.Tensor, config: TinyConfig) -> torch.Tensor:
    mean = torch.tensor(config.mean).view(1, 3, 1, 1)
    std = torch.tensor(config.std).view(1, 3, 1, 1)
    return (tensor - mean) / std


def square_boxes(xyxy: np.ndarray, margin: float) -> np.ndarray:
    """Square boxes around each box's centre, side = (1 + margin) · max(w, h)."""
    xyxy = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4)
    centre = (xyxy[:, :2] + xyxy[:, 2:]) / 2
    half = np.maximum(xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1])[:, None] * (1 + margin) / 2
    half = np.maximum(half, 2.0)
    return np.concatenate([centre - half, centre + half], axis=1)


def crop_tensor(image: torch.Tensor, xyxy: np.ndarray, config: TinyConfig) -> torch.Tensor:
    """Crops around boxes (pixels of `image`), square with a margin, resampled to (C, C).

    image: (1, 3, H, W) normalised; returns (N, 3, C, C). Outside the image reads as zeros.
    """
    n = len(xyxy)
    if n == 0:
        return torch.zeros((0, 3, config.crop_size, config.crop_size))
    _, _, height, width = image.shape
    boxes = torch.from_numpy(square_boxes(xyxy, config.crop_margin))
    # affine_grid works in [-1, 1] normalised coordinates (align_corners=False convention).
    cx = (boxes[:, 0] + boxes[:, 2]) / width - 1
    cy = (boxes[:, 1] + boxes[:, 3]) / height - 1
    sx = (boxes[:, 2] - boxes[:, 0]) / width
    sy = (boxes[:, 3] - boxes[:, 1]) / height
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = sx, cx
    theta[:, 1, 1], theta[:, 1, 2] = sy, cy
    grid = F.affine_grid(theta, [n, 3, config.crop_size, config.crop_size], align_corners=False)
    return F.grid_sample(image.expand(n, -1, -1, -1), grid, mode="bilinear", align_corners=False)


def decode_proposals(
    heatmap: torch.Tensor,
    size: torch.Tensor,
    offset: torch.Tensor,
    config: TinyConfig,
    max_proposals: int = 30,
    min_score: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detector outputs for one image → boxes (N, 4) in input pixels, objectness (N,) and the
    heatmap channel (N,) each came from (0 items, 1 containers)."""
    boxes, scores, channels = [], [], []
    for channel in range(heatmap.shape[1]):
        b, s = _decode_channel(
            heatmap[0, channel],
            size[0, 2 * channel : 2 * channel + 2],
            offset[0, 2 * channel : 2 * channel + 2],
            config,
            max_proposals,
            min_score,
        )
        boxes.append(b)
        scores.append(s)
        channels.append(np.full(len(s), channel, dtype=np.int64))
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(channels)


def _decode_channel(
    heat: torch.Tensor,
    size: torch.Tensor,
    offset: torch.Tensor,
    config: TinyConfig,
    k: int,
    min_score: float,
) -> tuple[np.ndarray, np.ndarray]:
    scores = torch.sigmoid(heat)
    peaks = scores == F.max_pool2d(scores[None, None], 3, 1, 1)[0, 0]
    scores = torch.where(peaks, scores, torch.zeros_like(scores))
    flat = scores.flatten()
    top_scores, top_index = flat.topk(min(k, flat.numel()))
    keep = top_scores >= min_score
    top_scores, top_index = top_scores[keep], top_index[keep]
    cells = scores.shape[1]
    ys, xs = top_index // cells, top_index % cells
    stride = config.detector_stride
    cx = (xs.float() + 0.5 + offset[0, ys, xs]) * stride
    cy = (ys.float() + 0.5 + offset[1, ys, xs]) * stride
    w = size[0, ys, xs].exp() * config.image_size
    h = size[1, ys, xs].exp() * config.image_size
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)
    limits = torch.tensor([heat.shape[1], heat.shape[0]] * 2, dtype=boxes.dtype) * stride
    boxes = torch.minimum(boxes.clamp(min=0), limits)
    return boxes.numpy().astype(np.float32), top_scores.numpy().astype(np.float32)
