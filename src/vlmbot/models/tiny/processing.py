"""Pre- and post-processing for vlmbot-tiny, with the matching coordinate transforms.

Image pixels: (u, v) with the origin at the top-left corner. The detector sees the image
resized to (S, S); `ImageTransform` maps boxes between the two.
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
    """Original image (H, W) ↔ detector input (S, S) by an axis-aligned resize."""

    height: int
    width: int
    size: int

    def to_original(self, xyxy: np.ndarray) -> np.ndarray:
        scale = np.array([self.width, self.height, self.width, self.height]) / self.size
        return np.asarray(xyxy, dtype=np.float32) * scale

    def to_input(self, xyxy: np.ndarray) -> np.ndarray:
        scale = self.size / np.array([self.width, self.height, self.width, self.height])
        return np.asarray(xyxy, dtype=np.float32) * scale


def image_tensor(image: np.ndarray, config: TinyConfig) -> tuple[torch.Tensor, ImageTransform]:
    """(H, W, 3) uint8 → normalised (1, 3, S, S) float32 and the transform back to pixels."""
    image = check_image(image)
    height, width = image.shape[:2]
    tensor = torch.tensor(image).permute(2, 0, 1).float().div_(255.0).unsqueeze(0)
    if (height, width) != (config.image_size, config.image_size):
        tensor = F.interpolate(
            tensor,
            size=(config.image_size,) * 2,
            mode="bilinear",
            align_corners=False,
            antialias=True,
        )
    return normalize(tensor, config), ImageTransform(height, width, config.image_size)


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
    boxes = boxes.clamp(0, config.image_size)
    return boxes.numpy().astype(np.float32), top_scores.numpy().astype(np.float32)
