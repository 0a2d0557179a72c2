"""Helpers shared by CLI commands: reading user files with clear errors and size limits, writing
outputs atomically (temp file + rename), printing JSON.

Every reader raises InputError (one line) for a missing, oversized, truncated, mistyped or
malformed file, never a traceback; every writer leaves either the complete new file or the old
state, never a truncated file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.errors import InputError
from vlmbot.types import MAX_IMAGE_SIDE, Camera

#: Limits on user files: an image may decode to at most this many pixels (decompression bombs
#: are refused before decoding); files on disk at most this many bytes.
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_IMAGE_BYTES = 256 * 2**20
MAX_JSON_BYTES = 2**20
#: Image modes that hold one channel of 16 or 32 bits: depth maps, not colour images.
_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
#: Largest scene seed (the same bound as `vlmbot.tasks.suite.MAX_SEED`, without importing it).
MAX_SEED = 2**31 - 1
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK"


def _existing_file(path: str | Path, what: str, max_bytes: int) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found: {path}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise InputError(f"{what} {path} is empty")
    if size > max_bytes:
        raise InputError(f"{what} {path} is {size} bytes; the limit is {max_bytes}")
    return path


@contextlib.contextmanager
def _open_image(path: Path, what: str) -> Iterator[Any]:
    """A PIL image whose header was read and whose size is within MAX_IMAGE_PIXELS."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
                    raise InputError(
                        f"{what} {path} is {width}x{height} pixels; the limit is "
                        f"{MAX_IMAGE_PIXELS} pixels and {MAX_IMAGE_SIDE} per side"
                    )
                yield image
        except InputError:
            raise
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            ValueError,
            SyntaxError,
            EOFError,
        ) as exc:
            raise InputError(f"cannot read {what} {path}: {exc}") from None


def read_image(path: str | Path) -> np.ndarray:
    """An 8-bit colour or grey image file → (H, W, 3) uint8 RGB.

    A 16/32-bit single-channel image (a depth map) is refused: converted to RGB it would read
    as all white. Missing, oversized or corrupt files raise InputError."""
    path = _existing_file(path, "image", MAX_IMAGE_BYTES)
    with _open_image(path, "image") as image:
        if image.mode in _DEPTH_MODES:
            raise InputError(
                f"image {path} has one {image.mode} channel (16 or 32 bits): that is a depth or "
                "greyscale measurement, not a colour image; give it as --depth"
            )
        rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def read_depth(path: str | Path, scale: float | None = None) -> np.ndarray:
    """A depth file → (H, W) float32 metres.

    .npy: a 2-D numeric array, multiplied by `scale` (default 1: metres). PNG/TIFF: a 16-bit
    single-channel image, multiplied by `scale` (default 0.001: millimetres). Whether the
    values are plausible for a camera is checked later (`vlmbot.perception.validation`).
    """
    if scale is not None and not (np.isfinite(scale) and 0 < scale <= 1000):
        raise InputError(f"--depth-scale must be a positive number up to 1000, got {scale}")
    path = _existing_file(path, "depth file", MAX_IMAGE_BYTES)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        raise InputError(f"depth file {path} is a .npz archive; save one array with np.save")
    if head.startswith(_NPY_MAGIC):
        depth = _load_npy(path) * (1.0 if scale is None else scale)
    elif path.suffix.lower() == ".npy":
        raise InputError(f"depth file {path} is not a .npy array (no NumPy header)")
    else:
        depth = _load_depth_image(path) * (0.001 if scale is None else scale)
    if depth.ndim == 3 and depth.shape[2] == 1:
        depth = depth[..., 0]
    if depth.ndim != 2 or 0 in depth.shape:
        raise InputError(f"depth must be a 2-D array (H, W) in metres, got shape {depth.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        return depth.astype(np.float32)


def _load_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read depth {path}: {exc}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
        kind = getattr(array, "dtype", type(array).__name__)
        raise InputError(f"depth {path} must hold numbers (metres), got {kind}")
    if array.ndim > 3 or any(side > MAX_IMAGE_SIDE for side in array.shape):
        raise InputError(f"depth {path} has shape {array.shape}; want (H, W)")
    return array.astype(np.float64)


def _load_depth_image(path: Path) -> np.ndarray:
    with _open_image(path, "depth image") as image:
        if image.mode not in _DEPTH_MODES:
            raise InputError(
                f"depth image {path} is {image.mode}, not a 16-bit single-channel image: 8-bit "
                "or colour images cannot hold depth"
            )
        return np.asarray(image).astype(np.float64)


def read_json(path: str | Path, what: str) -> Any:
    """A small JSON file: size-limited, UTF-8, no NaN/Infinity, bounded nesting."""
    path = _existing_file(path, what, MAX_JSON_BYTES)
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InputError(f"cannot read {what} {path}: {reason}") from None


def _reject_constant(name: str) -> float:
    raise InputError(f"{name} is not a number")


def read_camera(path: str | Path) -> Camera:
    """A camera JSON file ({"K", "T_world_cam", "width", "height"}) → Camera."""
    data = read_json(path, "camera file")
    try:
        return Camera.from_dict(data)
    except InputError as exc:
        raise InputError(f"camera file {path}: {exc}") from None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=None, default=_json_default)
    sys.stdout.write("\n")
    sys.stdout.flush()


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
        with tempfile.NamedTemporaryFile(dir=path, prefix=".vlmbot-write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return path


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename, on any
    error it is deleted and `path` is left as it was. OSError (a full disk) → InputError."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, path)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")


def check_not_input(out: str | Path, inputs: list[str | Path | None]) -> None:
    """InputError when the output path is one of the input files (it would be overwritten)."""
    out_path = Path(out)
    for given in inputs:
        if given is None:
            continue
        source = Path(given)
        same = out_path.resolve() == source.resolve()
        if not same and out_path.exists() and source.exists():
            same = os.path.samefile(out_path, source)
        if same:
            raise InputError(f"--out {out} is an input file; it would be overwritten")


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse `type` for a whole number in [low, high] (checked before anything runs)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in [{low}, {high}]")
        return value

    return parse


def finite_float(text: str) -> float:
    """An argparse `type` for a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
