"""Grey-level surface textures for tables and floors (tinted by the surface colour): plain,
checker, stripes (wood-like) and noise. Written once per process into a cache folder."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 256


def texture_image(kind: str, seed: int = 0) -> np.ndarray:
    """(SIZE, SIZE, 3) uint8 grey-level pattern, bright (0.7-1.0) so the tint dominates."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    if kind == "checker":
        value = 0.78 + 0.22 * (((x * 8).astype(int) + (y * 8).astype(int)) % 2)
    elif kind == "stripes":
        grain = np.sin(2 * np.pi * (y * 14 + 0.4 * np.sin(2 * np.pi * x * 2)))
        value = 0.86 + 0.1 * grain + rng.normal(0, 0.02, x.shape)
    elif kind == "noise":
        coarse = rng.random((16, 16))
        value = 0.75 + 0.25 * np.kron(coarse, np.ones((SIZE // 16, SIZE // 16)))
    else:
        raise ValueError(f"unknown texture {kind!r}")
    grey = (np.clip(value, 0, 1) * 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


@functools.cache
def texture_file(kind: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "vlmbot-textures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}.png"
    temporary = path.with_suffix(".tmp.png")
    Image.fromarray(texture_image(kind)).save(temporary)
    temporary.replace(path)
    return path
