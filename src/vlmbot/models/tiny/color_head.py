"""Illumination-robust object colours: a small learned head that estimates an object's surface
colour (its albedo, as it would look under white light) from its pixels and the whole frame.

A light's colour and strength multiply every pixel; in log space they add, so the head reads
log linear-RGB statistics of the object (the median of its most saturated half, its median,
its bright end) beside the same statistics of the whole frame (the scene's context: the table,
the floor, the other objects, the arm) and predicts the object's log albedo. Trained on
renders under randomised light colour, intensity and direction and randomised tables and
floors, it names colours by the CIELAB lexicon after this normalisation
(`LearnedColorNamer.measure` returns the estimated albedo in Lab).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from vlmbot.lexicon.colors import LabColorNamer, srgb_to_lab

FEATURES = 18  # 9 object + 9 frame statistics
_EPS = 1e-3


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=np.float64)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def _stats(linear: np.ndarray) -> np.ndarray:
    """(M, 3) linear RGB → (9,) log statistics: saturated-half median, median, bright end."""
    if len(linear) == 0:
        return np.full(9, np.log(_EPS))
    chroma = linear.max(axis=1) - linear.min(axis=1)
    saturated = linear[chroma >= np.median(chroma)]
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    bright = linear[luminance >= np.percentile(luminance, 80)]
    parts = [np.median(saturated, axis=0), np.median(linear, axis=0), np.median(bright, axis=0)]
    return np.log(np.concatenate(parts) + _EPS)


def frame_context(image: np.ndarray, stride: int = 4) -> np.ndarray:
    """(9,) log statistics of a frame's pixels (every `stride`-th; black padding left out)."""
    pixels = np.asarray(image[::stride, ::stride], dtype=np.float64).reshape(-1, 3)
    pixels = pixels[pixels.max(axis=1) > 0]
    return _stats(srgb_to_linear(pixels / 255.0))


def color_features(
    image: np.ndarray, masks: np.ndarray, context: np.ndarray | None = None
) -> np.ndarray:
    """(N, FEATURES) float32 for the (H, W) masks of an (H, W, 3) uint8 image."""
    context = frame_context(image) if context is None else context
    rows = []
    for mask in masks:
        linear = srgb_to_linear(np.asarray(image[mask], dtype=np.float64) / 255.0)
        rows.append(np.concatenate([_stats(linear), context]))
    return np.asarray(rows, dtype=np.float32).reshape(-1, FEATURES)


class ColorHead(nn.Module):
    """(N, FEATURES) log statistics → (N, 3) log linear-RGB albedo (a residual on the object's
    own saturated-half colour)."""

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(FEATURES, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 3),
        )  # fmt: skip

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features[:, :3] + self.net(features)


class LearnedColorNamer(LabColorNamer):
    """A ColorNamer whose `measure` is the learned albedo estimate (see module docstring);
    naming and scoring are the lexicon's, on prototypes fitted to those estimates."""

    def __init__(
        self,
        head: ColorHead,
        prototypes: dict[str, np.ndarray] | None = None,
        sigma: float = 18.0,
    ) -> None:
        super().__init__(prototypes, sigma)
        self.head = head.eval().requires_grad_(False)

    def estimate(self, features: np.ndarray) -> np.ndarray:
        """(N, FEATURES) colour features → (N, 3) Lab of the estimated albedo."""
        with torch.inference_mode():
            log_albedo = self.head(torch.from_numpy(np.asarray(features, np.float32))).numpy()
        return srgb_to_lab(linear_to_srgb(np.exp(log_albedo) - _EPS)).astype(np.float32)

    def measure(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """(N, 3) Lab of each mask's estimated albedo (NaN for an empty mask)."""
        if len(masks) == 0:
            return np.zeros((0, 3), np.float32)
        lab = self.estimate(color_features(image, masks))
        empty = np.array([not mask.any() for mask in masks])
        lab[empty] = np.nan
        return lab
