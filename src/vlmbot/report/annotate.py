"""Draw boxes, labels and scores on images (PIL only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

PALETTE = (
    (230, 25, 75),
    (60, 180, 75),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
)


def draw_boxes(
    image: np.ndarray,
    boxes: Sequence[Sequence[float]],
    labels: Sequence[str],
    scale: int = 2,
    color_keys: Sequence[str] | None = None,
) -> Image.Image:
    """(H, W, 3) uint8 image + pixel boxes xyxy → an upscaled PIL image with labelled boxes.

    color_keys: boxes with the same key share a colour (default: one colour per box)."""
    canvas = Image.fromarray(np.asarray(image, dtype=np.uint8)).resize(
        (image.shape[1] * scale, image.shape[0] * scale), Image.Resampling.NEAREST
    )
    draw = ImageDraw.Draw(canvas)
    keys = list(color_keys) if color_keys is not None else [str(i) for i in range(len(boxes))]
    distinct = list(dict.fromkeys(keys))
    for box, label, key in zip(boxes, labels, keys, strict=True):
        color = PALETTE[distinct.index(key) % len(PALETTE)]
        x0, y0, x1, y1 = (float(v) * scale for v in box)
        draw.rectangle([x0, y0, x1, y1], outline=color, width=2)
        text_w = draw.textlength(label) + 4
        top = max(y0 - 12, 0)
        draw.rectangle([x0, top, x0 + text_w, top + 12], fill=color)
        draw.text((x0 + 2, top), label, fill=(255, 255, 255))
    return canvas
