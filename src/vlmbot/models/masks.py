"""Object masks for boxes in one image: the object's own pixels from depth (above the table plane,
at the box's own depth layer), or from colour contrast without depth; and each mask's colour.

Shared by every region proposer (the embedded model, OWL boxes, the depth-geometry proposer)."""

from __future__ import annotations

import numpy as np

from vlmbot.depth import estimate_table_plane, height_map
from vlmbot.lexicon.colors import srgb_to_lab
from vlmbot.types import Camera

MIN_HEIGHT = 0.004  # metres above the table that count as object
NEAR_LAYER = 0.04  # depth an item's visible surface reaches in front of its centre, metres


def depth_layer(reference: float, box: np.ndarray, focal: float) -> tuple[float, float]:
    """(in front, behind) metres of its box's centre depth `reference` that an item's visible
    surface may reach: `NEAR_LAYER` in front and three quarters of it behind, or half what the
    box's diagonal spans at that depth (pixels * depth / focal length in pixels) if more. A
    tall object seen from above reaches far behind its centre (its base is farther from the
    camera than its top), a small one does not."""
    diagonal = float(np.hypot(box[2] - box[0], box[3] - box[1])) * reference / max(focal, 1e-6)
    reach = diagonal / 2
    return max(NEAR_LAYER, reach), max(NEAR_LAYER * 0.75, reach)


def object_masks(
    image: np.ndarray,
    boxes: np.ndarray,
    depth: np.ndarray | None,
    camera: Camera | None,
    containers: np.ndarray | None = None,
) -> np.ndarray:
    """(N, H, W) bool: the object's own pixels inside each box.

    With depth: pixels above the table plane; an item keeps the pixels near the depth of its
    box centre (not an occluder in front, not what is behind), and a pixel two items claim goes
    to the one whose centre depth it matches best; containers give up pixels items claim.
    Without depth: pixels whose colour stands out from the box's surroundings.
    """
    height, width = image.shape[:2]
    n = len(boxes)
    masks = np.zeros((n, height, width), dtype=bool)
    if n == 0:
        return masks
    is_container = np.zeros(n, bool) if containers is None else np.asarray(containers, bool)
    plane = (
        estimate_table_plane(depth, camera) if depth is not None and camera is not None else None
    )
    if plane is None or depth is None or camera is None:
        owner = ownership(boxes, height, width)
        for i, box in enumerate(boxes):
            x0, y0, x1, y1 = _int_box(box, width, height)
            if x1 > x0 and y1 > y0:
                region = _contrast_mask(image, x0, y0, x1, y1) & (owner[y0:y1, x0:x1] == i)
                masks[i, y0:y1, x0:x1] = (
                    region if region.sum() >= 3 else _centre_mask(y1 - y0, x1 - x0)
                )
        return masks
    above = np.nan_to_num(height_map(depth, camera, plane), nan=-1.0) > MIN_HEIGHT
    focal = float(camera.K[0, 0] + camera.K[1, 1]) / 2
    _depth_masks(masks, boxes, depth, above, is_container, focal)
    return masks


def _depth_masks(
    masks: np.ndarray,
    boxes: np.ndarray,
    depth: np.ndarray,
    above: np.ndarray,
    is_container: np.ndarray,
    focal: float,
) -> None:
    """Fill (N, H, W) masks in place from depth (H, W) metres and the above-table pixels (H, W),
    working in each box's crop: an item keeps the pixels within its `depth_layer` (focal: the
    camera's focal length in pixels), a pixel two items claim goes to the item whose centre
    depth it matches best (the first on ties), and containers give up every pixel an item
    keeps."""
    height, width = depth.shape
    best = np.full((height, width), np.inf, dtype=np.float32)  # best item mismatch per pixel
    owner = np.full((height, width), -1, dtype=np.int32)  # the item with that mismatch
    crops: list[tuple[int, tuple[slice, slice]]] = []
    container_crops: list[tuple[int, tuple[slice, slice]]] = []
    for i, box in enumerate(boxes):
        x0, y0, x1, y1 = _int_box(box, width, height)
        if x1 <= x0 or y1 <= y0:
            continue
        crop = (slice(y0, y1), slice(x0, x1))
        region = above[crop]
        if is_container[i]:
            masks[i][crop] = region
            container_crops.append((i, crop))
            continue
        patch = depth[crop]
        reference = _centre_depth(patch, region)
        if reference is None:
            continue
        front, behind = depth_layer(reference, box, focal)
        close = region & (patch >= reference - front) & (patch <= reference + behind)
        mismatch = np.where(close, np.abs(patch - reference), np.inf).astype(np.float32)
        wins = mismatch < best[crop]  # strict: an earlier item keeps a tie, as argmin does
        best[crop] = np.where(wins, mismatch, best[crop])
        owner[crop] = np.where(wins, i, owner[crop])
        masks[i][crop] = close
        crops.append((i, crop))
    claimed = np.zeros((height, width), dtype=bool)
    for i, crop in crops:
        masks[i][crop] &= owner[crop] == i
        claimed[crop] |= masks[i][crop]
    for i, crop in container_crops:
        masks[i][crop] &= ~claimed[crop]


def _centre_depth(patch: np.ndarray, above: np.ndarray) -> float | None:
    """Median depth of the above-table pixels in the central part of a box."""
    h, w = patch.shape
    for fraction in (0.3, 0.6, 1.0):
        dy, dx = int(h * (1 - fraction) / 2), int(w * (1 - fraction) / 2)
        centre = patch[dy : h - dy, dx : w - dx]
        valid = above[dy : h - dy, dx : w - dx] & (centre > 0)
        if valid.sum() >= 3:
            return float(np.median(centre[valid]))
    return None


def ownership(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W) index of the smallest box covering each pixel (−1 outside all boxes)."""
    owner = np.full((height, width), -1, dtype=np.int32)
    areas = np.prod(np.clip(boxes[:, 2:] - boxes[:, :2], 0, None), axis=1)
    for i in np.argsort(-areas):
        x0, y0, x1, y1 = _int_box(boxes[i], width, height)
        owner[y0:y1, x0:x1] = i
    return owner


def _int_box(box: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = np.round(box).astype(int)
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def _contrast_mask(image: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Pixels that differ from the colour just around the box (the background)."""
    height, width = image.shape[:2]
    ring = np.concatenate(
        [
            image[max(y0 - 2, 0) : y0, x0:x1].reshape(-1, 3),
            image[y1 : min(y1 + 2, height), x0:x1].reshape(-1, 3),
            image[y0:y1, max(x0 - 2, 0) : x0].reshape(-1, 3),
            image[y0:y1, x1 : min(x1 + 2, width)].reshape(-1, 3),
        ]
    )
    if len(ring) == 0:
        return _centre_mask(y1 - y0, x1 - x0)
    background = np.median(srgb_to_lab(ring / 255.0), axis=0)
    lab = srgb_to_lab(image[y0:y1, x0:x1] / 255.0)
    return np.asarray(np.linalg.norm(lab - background, axis=-1) > 12.0)


def _centre_mask(h: int, w: int) -> np.ndarray:
    mask = np.zeros((h, w), dtype=bool)
    mask[h // 4 : h - h // 4 + 1, w // 4 : w - w // 4 + 1] = True
    return mask
