"""Helpers shared by CLI commands: reading user files with clear errors, printing JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.errors import InputError
from vlmbot.types import Camera


def read_image(path: str | Path) -> np.ndarray:
    """An image file → (H, W, 3) uint8 RGB. Missing or corrupt files raise InputError."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"image not found: {path}")
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"cannot read image {path}: {exc}") from None


def read_depth(path: str | Path) -> np.ndarray:
    """A .npy depth file (H, W) in metres, or a 16-bit PNG in millimetres → float32 metres."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"depth file not found: {path}")
    try:
        if path.suffix == ".npy":
            depth = np.load(path, allow_pickle=False)
        else:
            from PIL import Image

            with Image.open(path) as image:
                depth = np.asarray(image).astype(np.float32) / 1000.0
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read depth {path}: {exc}") from None
    if depth.ndim == 3 and depth.shape[2] == 1:
        depth = depth[..., 0]
    if depth.ndim != 2 or not np.issubdtype(depth.dtype, np.number):
        raise InputError(f"depth must be a 2-D numeric array (H, W) in metres, got {depth.shape}")
    return depth.astype(np.float32)


def read_camera(path: str | Path) -> Camera:
    """A camera JSON file ({"K", "T_world_cam", "width", "height"}) → Camera."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"camera file not found: {path}")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read camera {path}: {exc}") from None
    return Camera.from_dict(data)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=None, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def ensure_out_dir(path: str | Path) -> Path:
    """Create an output folder (and parents); raise InputError if it cannot be written."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".vlmbot-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return path
