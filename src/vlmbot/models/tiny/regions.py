"""Size preferences of the embedded model's detector: "the small block" among proposals."""

from __future__ import annotations

import numpy as np

from vlmbot.types import Detections


def size_factors(proposals: Detections, size: str, relevance: np.ndarray) -> np.ndarray:
    """Prefer the smallest (or largest) among the proposals that match the noun.

    Size is 3D volume when positions were lifted, else box area; the comparison set is the
    proposals with relevance ≥ half the best one's.
    """
    if proposals.extents is not None and not np.isnan(proposals.extents).all():
        measure = np.nan_to_num(np.prod(np.clip(proposals.extents, 1e-3, None), axis=1), nan=1e-6)
    else:
        measure = proposals.areas.astype(np.float64)
    peers = relevance >= 0.5 * float(relevance.max()) if len(relevance) else np.zeros(0, bool)
    if not peers.any():
        return np.ones(len(proposals), np.float32)
    low, high = measure[peers].min(), measure[peers].max()
    if high <= low * 1.2:
        return np.full(len(proposals), 0.5, np.float32)  # nothing is clearly smaller or larger
    ratio = (measure - low) / (high - low)
    factor = 1.0 - ratio if size == "small" else ratio
    return np.clip(0.15 + 0.85 * factor, 0.05, 1.0).astype(np.float32)
