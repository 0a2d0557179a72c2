"""Class-agnostic region proposals from depth geometry alone (no learned weights).

Every pixel whose 3D point stands above the table plane (RANSAC) is object; a jump in height
between neighbouring pixels separates objects (an occlusion edge, or a block standing in a
bowl). Connected regions become proposals; a wide, low region is a container (a tray, a bowl, a
plate). Pairs with any region scorer (CLIP, SigLIP, vlmbot-tiny's crop encoder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from vlmbot.depth import estimate_table_plane, height_map
from vlmbot.errors import InputError
from vlmbot.geometry import deproject
from vlmbot.models.stages import Proposals
from vlmbot.types import Camera


@dataclass(frozen=True)
class DepthProposerConfig:
    """min_height: metres above the table plane that count as object; edge_step: a height jump
    (metres) between neighbouring pixels that separates two objects; min_pixels: the smallest
    region kept; container_min_side / container_max_height: a region at least this wide on its
    narrow side and at most this tall (metres) is a container; objectness_pixels: the region
    size (pixels) at which objectness reaches 1 - 1/e."""

    min_height: float = 0.006
    edge_step: float = 0.012
    min_pixels: int = 12
    max_proposals: int = 30
    container_min_side: float = 0.10
    container_max_height: float = 0.08
    objectness_pixels: float = 40.0

    def __post_init__(self) -> None:
        if not 0 < self.min_height < 0.1 or not 0 < self.edge_step < 0.2:
            raise InputError("depth proposer: min_height and edge_step must be small positive")
        if self.min_pixels < 1 or self.max_proposals < 1 or self.objectness_pixels <= 0:
            raise InputError("depth proposer: pixel counts must be positive")
        if self.container_min_side <= 0 or self.container_max_height <= 0:
            raise InputError("depth proposer: container sizes must be positive")


class DepthProposer:
    """RegionProposer from depth (see module docstring). Without depth it proposes nothing."""

    name = "depth"

    def __init__(self, config: DepthProposerConfig | None = None) -> None:
        self.config = config or DepthProposerConfig()

    def propose(
        self, image: np.ndarray, depth: np.ndarray | None = None, camera: Camera | None = None
    ) -> Proposals:
        height, width = image.shape[:2]
        if depth is None or camera is None:
            return Proposals.empty(height, width)
        plane = estimate_table_plane(depth, camera)
        if plane is None:
            return Proposals.empty(height, width)
        heights = height_map(depth, camera, plane)
        labels, count = ndimage.label(self._separable(heights))
        if count == 0:
            return Proposals.empty(height, width)
        sizes = np.bincount(labels.reshape(-1), minlength=count + 1)[1:]
        order = [i + 1 for i in np.argsort(-sizes) if sizes[i] >= self.config.min_pixels]
        order = order[: self.config.max_proposals]
        slices = ndimage.find_objects(labels)
        boxes, masks, containers, scores = [], [], [], []
        for label in order:
            rows, cols = slices[label - 1]
            mask = labels == label
            boxes.append([cols.start, rows.start, cols.stop, rows.stop])
            masks.append(mask)
            containers.append(self._is_container(mask, depth, camera, heights))
            scores.append(1.0 - np.exp(-sizes[label - 1] / self.config.objectness_pixels))
        if not boxes:
            return Proposals.empty(height, width)
        return Proposals(np.array(boxes), np.array(scores), np.stack(masks), np.array(containers))

    def _separable(self, heights: np.ndarray) -> np.ndarray:
        """Above-table pixels minus the higher side of every height jump (H, W) bool."""
        above = np.nan_to_num(heights, nan=-1.0) > self.config.min_height
        h = np.nan_to_num(heights, nan=0.0)
        cut = np.zeros_like(above)
        step = self.config.edge_step
        dx = h[:, 1:] - h[:, :-1]
        cut[:, 1:] |= dx > step  # the right pixel is higher
        cut[:, :-1] |= -dx > step
        dy = h[1:, :] - h[:-1, :]
        cut[1:, :] |= dy > step
        cut[:-1, :] |= -dy > step
        return np.asarray(above & ~cut)

    def _is_container(
        self, mask: np.ndarray, depth: np.ndarray, camera: Camera, heights: np.ndarray
    ) -> bool:
        v, u = np.nonzero(mask)
        points = deproject(camera, np.stack([u + 0.5, v + 0.5], axis=1), depth[v, u])
        xy = points[:, :2] - points[:, :2].mean(axis=0)
        if len(xy) < 3:
            return False
        _, vectors = np.linalg.eigh(xy.T @ xy)
        local = xy @ vectors
        sides = np.percentile(local, 97, axis=0) - np.percentile(local, 3, axis=0)
        tall = float(np.percentile(heights[v, u], 97))
        return bool(
            sides.min() >= self.config.container_min_side
            and tall <= self.config.container_max_height
        )
