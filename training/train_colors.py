"""Train vlmbot-tiny's colour head: each object's pixels and its frame → the object's albedo.

Samples: every labelled object of every training frame (its mask from the render's
segmentation, used for training only), with the frame's context; the target is the colour the
object was rendered in (its sRGB albedo). Loss: L1 in CIELAB with lightness weighted as the
lexicon weights it (shading moves lightness most).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from training.data import Frames
from vlmbot.lexicon.colors import srgb_to_lab
from vlmbot.models.tiny.color_head import _EPS, ColorHead, color_features, frame_context

LIGHTNESS_WEIGHT = 0.5


def color_samples(
    frames: Frames, seed: int, per_frame: int = 4
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(M, FEATURES) features, (M, 3) target Lab and the M palette colour names."""
    rng = np.random.default_rng(seed)
    features, targets, names = [], [], []
    for i in range(len(frames)):
        count = len(frames.object_index[i])
        if count == 0:
            continue
        chosen = rng.choice(count, min(per_frame, count), replace=False)
        masks = np.stack([frames.segmentation[i] == frames.object_index[i][k] for k in chosen])
        context = frame_context(frames.rgb[i])
        features.append(color_features(frames.rgb[i], masks, context))
        targets.append(srgb_to_lab(frames.albedo[i][chosen]))
        names += [frames.colors[i][k] for k in chosen]
    return np.concatenate(features), np.concatenate(targets).astype(np.float32), names


def _lab(log_linear: torch.Tensor) -> torch.Tensor:
    """Differentiable log linear-RGB → CIELAB (D65), (N, 3)."""
    linear = (torch.exp(log_linear) - _EPS).clamp(0.0, 1.0)
    matrix = torch.tensor(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
         [0.0193339, 0.1191920, 0.9503041]]
    )  # fmt: skip
    xyz = linear @ matrix.T / torch.tensor([0.95047, 1.0, 1.08883])
    f = torch.where(xyz > 216 / 24389, (xyz + 1e-9) ** (1 / 3), (24389 / 27 * xyz + 16) / 116)
    return torch.stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], dim=1
    )


def train_color_head(
    features: np.ndarray,
    target_lab: np.ndarray,
    epochs: float,
    seed: int,
    batch_size: int = 512,
    lr: float = 3e-3,
    max_steps: int | None = None,
) -> tuple[ColorHead, dict[str, float]]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    head = ColorHead()
    x, y = torch.from_numpy(features), torch.from_numpy(target_lab)
    weight = torch.tensor([LIGHTNESS_WEIGHT, 1.0, 1.0])
    steps = max_steps or max(1, int(epochs * len(x) / batch_size))
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps)
    start = time.perf_counter()
    head.train()
    for step in range(steps):
        index = torch.from_numpy(rng.choice(len(x), min(batch_size, len(x)), replace=False))
        loss = ((_lab(head(x[index])) - y[index]).abs() * weight).sum(dim=1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 200 == 0 or step == steps - 1:
            print(f"colors: step {step + 1}/{steps} Lab L1 {loss.item():.2f}", file=sys.stderr)
    head.eval()
    return head, {
        "steps": steps,
        "samples": len(x),
        "seconds": round(time.perf_counter() - start, 1),
        "final_lab_l1": round(float(loss.item()), 3),
    }
