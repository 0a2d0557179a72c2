"""Train the region encoder and the text projection: sigmoid (SigLIP-style) multi-label loss
between object crops and frozen MiniLM embeddings of the seen prompt bank."""

from __future__ import annotations

import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

from training.data import Crops
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import RegionEncoder, TextProjection
from vlmbot.models.tiny.processing import normalize


def augment_crops(crops: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """uint8 (B, 3, C, C) → float in [0, 1] with flips, brightness/contrast jitter and colour
    changes (channel permutations, grey): category must not be read off colour, or a colour
    never seen on a category in training would hide it."""
    x = crops.float() / 255.0
    flip = torch.from_numpy(rng.random(len(x)) < 0.5)
    x[flip] = x[flip].flip(-1)
    for i in np.nonzero(rng.random(len(x)) < 0.5)[0]:
        x[i] = x[i][torch.from_numpy(rng.permutation(3))]
    grey = torch.from_numpy(rng.random(len(x)) < 0.1)
    x[grey] = x[grey].mean(dim=1, keepdim=True).expand(-1, 3, -1, -1)
    gain = torch.from_numpy(rng.uniform(0.75, 1.25, (len(x), 1, 1, 1)).astype(np.float32))
    bias = torch.from_numpy(rng.uniform(-0.1, 0.1, (len(x), 1, 1, 1)).astype(np.float32))
    return (x * gain + bias).clamp(0, 1)


def train_regions(
    crops: Crops,
    phrase_embeddings: np.ndarray,
    labels: np.ndarray,
    config: TinyConfig,
    epochs: float,
    seed: int,
    batch_size: int = 256,
    lr: float = 3e-3,
    max_steps: int | None = None,
) -> tuple[RegionEncoder, TextProjection, dict[str, float]]:
    """phrase_embeddings: (P, 384) MiniLM; labels: (C, P) 1 where phrase p describes category c."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    encoder, projection = RegionEncoder(config), TextProjection(config)
    params = list(encoder.parameters()) + list(projection.parameters())
    steps = max_steps or max(1, int(epochs * len(crops.category) / batch_size))
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    phrases = torch.from_numpy(phrase_embeddings.astype(np.float32))
    label_rows = torch.from_numpy(
        np.concatenate([labels, np.zeros((1, labels.shape[1]), np.float32)])
    )
    start = time.perf_counter()
    encoder.train()
    projection.train()
    for step in range(steps):
        index = rng.choice(len(crops.category), batch_size, replace=False)
        images = normalize(augment_crops(crops.images[index], rng), config)
        target = label_rows[torch.from_numpy(crops.category[index])]  # −1 → the all-zero row
        logits = projection.logits(encoder(images), projection(phrases))
        loss = F.binary_cross_entropy_with_logits(logits, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 50 == 0 or step == steps - 1:
            rate = (step + 1) * batch_size / (time.perf_counter() - start)
            print(
                f"regions: step {step + 1}/{steps} loss {loss.item():.4f} {rate:.0f} crops/s",
                file=sys.stderr,
                flush=True,
            )
    encoder.eval()
    projection.eval()
    return (
        encoder,
        projection,
        {
            "steps": steps,
            "seconds": round(time.perf_counter() - start, 1),
            "final_loss": round(float(loss.item()), 4),
        },
    )
