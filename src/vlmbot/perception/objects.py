"""A perceived object (its world-frame points and what the vision stages measured of it), with
the robust statistics fusion and the scene graph read from its points computed once per point
set and cached."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Geometry = tuple[np.ndarray, np.ndarray, float]  # position (3,), extent (3,), yaw


@dataclass(frozen=True)
class PointStats:
    """Robust statistics of a point set (world frame, metres).

    centroid: (3,) per-axis median; footprint: (4,) xy bounds [x0, y0, x1, y1] (5th and 95th
    percentiles); z_range: (2,) 5th and 95th percentiles of height."""

    centroid: np.ndarray
    footprint: np.ndarray
    z_range: np.ndarray

    @classmethod
    def of(cls, points: np.ndarray) -> PointStats:
        """Statistics of (M, 3) points, M >= 1."""
        (low, high), centroid = percentiles(points, (5, 95), median=True)
        return cls(
            centroid=centroid,
            footprint=np.concatenate([low[:2], high[:2]]),
            z_range=np.array([low[2], high[2]]),
        )


def percentiles(
    values: np.ndarray, q: tuple[float, ...], median: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """((len(q), ...) percentiles q (0-100) along axis 0, (...) median along axis 0 or an
    empty array): exactly the values of `np.percentile(values, q, axis=0)` (its default
    linear method) and `np.median(values, axis=0)`, bit for bit, from one partial sort
    (`np.partition` at the order statistics they need) instead of one per call."""
    n = len(values)
    fractions = np.true_divide(np.asarray(q, dtype=np.float64), 100)
    virtual = (n - 1) * fractions
    previous = np.floor(virtual)
    following = previous + 1
    previous[virtual >= n - 1] = following[virtual >= n - 1] = -1
    previous[virtual < 0] = following[virtual < 0] = 0
    previous_i, following_i = previous.astype(np.intp), following.astype(np.intp)
    half = n // 2
    middle = [half - 1, half] if n % 2 == 0 else [half]
    needed = {*(previous_i % n).tolist(), *(following_i % n).tolist()}
    part = np.partition(values, sorted(needed | set(middle) if median else needed), axis=0)
    gamma = (virtual - previous_i).reshape(-1, *([1] * (values.ndim - 1)))
    below, above = part[previous_i], part[following_i]
    step = above - below
    result = below + step * gamma
    np.subtract(above, step * (1 - gamma), out=result, where=gamma >= 0.5)
    centre = np.mean(part[middle[0] : middle[-1] + 1], axis=0) if median else np.empty(0)
    return result, np.asarray(centre)


@dataclass
class PerceivedObject:
    """One object in the world frame (metres, radians).

    points: (M, 3) world points of its visible surface; embedding: (D,) region embedding;
    lab: (3,) colour; views: camera → pixel box xyxy; objectness: detector confidence;
    cut_off: the cameras whose frame border cuts it off (its box touches the border), where
    its points show only part of it.
    Statistics of the points (`stats`, `geometry`) are cached for the current `points` array:
    assign a new array to change them, never modify `points` in place.
    """

    points: np.ndarray
    embedding: np.ndarray
    lab: np.ndarray
    objectness: float
    views: dict[str, list[float]] = field(default_factory=dict)
    id: str = ""
    container: bool = False  # proposed by the container heatmap
    cut_off: frozenset[str] = frozenset()
    _stats: tuple[np.ndarray, PointStats] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _geometry: tuple[np.ndarray, float, Geometry] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _top: tuple[np.ndarray, float, float] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def stats(self) -> PointStats:
        """Robust statistics of the current points (computed once per points array)."""
        if self._stats is None or self._stats[0] is not self.points:
            self._stats = (self.points, PointStats.of(self.points))
        return self._stats[1]

    @property
    def centroid(self) -> np.ndarray:
        """(3,) per-axis median of the points, world frame."""
        return self.stats.centroid

    @property
    def whole(self) -> bool:
        """Whether some camera sees all of it (no frame border cuts it off there): only then
        do its points measure its size and shape."""
        return not self.views or bool(set(self.views) - self.cut_off)

    def geometry(self, table_z: float) -> Geometry:
        """(position (3,), extent (3,) in its own axes, yaw) from its points, world frame.

        The footprint's axes come from PCA of the xy points; sizes are robust percentile
        ranges. The bottom is the lowest visible point, or the table when only the top shows.
        Cached per points array and table height.
        """
        cached = self._geometry
        if cached is None or cached[0] is not self.points or cached[1] != table_z:
            cached = (self.points, table_z, points_geometry(self.points, table_z))
            self._geometry = cached
        position, extent, yaw = cached[2]
        return position.copy(), extent.copy(), yaw

    def top_width(self, table_z: float) -> float:
        """`top_width` of its points across its footprint's long axis (see `geometry`), NaN
        when too few points measure it. Cached per points array and table height."""
        cached = self._top
        if cached is None or cached[0] is not self.points or cached[1] != table_z:
            cached = (self.points, table_z, top_width(self.points, self.geometry(table_z)[2]))
            self._top = cached
        return cached[2]


def points_geometry(points: np.ndarray, table_z: float) -> Geometry:
    """(position (3,), extent (3,), yaw) of (M, 3) world points standing on a table at table_z
    (see `PerceivedObject.geometry`)."""
    xy = points[:, :2]
    spread, _ = percentiles(xy, (2, 98))
    centre = (spread[0] + spread[1]) / 2
    offsets = xy - centre
    if len(xy) >= 3 and np.linalg.matrix_rank(offsets) == 2:
        _, vectors = np.linalg.eigh(offsets.T @ offsets)
        axis = vectors[:, -1]
    else:
        axis = np.array([1.0, 0.0])
    yaw = float(np.arctan2(axis[1], axis[0]))
    rotation = np.array([[np.cos(yaw), np.sin(yaw)], [-np.sin(yaw), np.cos(yaw)]])
    local = offsets @ rotation.T
    (low, high), _ = percentiles(local, (3, 97))
    centre = centre + ((low + high) / 2) @ rotation
    bottom, top = (float(z) for z in percentiles(points[:, 2], (2, 97))[0])
    if top - bottom < 0.01:
        bottom = table_z  # only the top face is visible: it stands on the table
    bottom = max(bottom, table_z)
    extent = np.array([*(high - low + 0.004), max(top - bottom, 0.005)])
    position = np.array([centre[0], centre[1], (top + bottom) / 2])
    return position, extent, yaw


#: The top band of an object: its points within this share of its visible height of the top.
TOP_BAND = 0.1
#: Fewer points than these (in all, in the top band) measure no top width.
TOP_MIN_POINTS = (30, 8)


def top_width(points: np.ndarray, yaw: float, band: float = TOP_BAND) -> float:
    """How wide an object's top is, as a share of its footprint's short side: the 5-95th
    percentile spread, across the footprint's long axis (`yaw`), of the points in its top
    `band` of visible height over that of all its points. About 1 for a flat top (a cube, a
    cylinder, a domino), above 1 for a rim (a bowl), 0.5 for a dome (a ball), 0.25 for an apex
    (a cone); it needs no size and no camera pose. NaN when too few points measure it."""
    if len(points) < TOP_MIN_POINTS[0]:
        return float("nan")
    across = points[:, :2] @ np.array([-np.sin(yaw), np.cos(yaw)])
    heights = points[:, 2]
    (bottom, top), _ = percentiles(heights, (2, 98))
    in_band = heights >= top - band * (top - bottom)
    if in_band.sum() < TOP_MIN_POINTS[1]:
        return float("nan")
    (low, high), _ = percentiles(across, (5, 95))
    (band_low, band_high), _ = percentiles(across[in_band], (5, 95))
    return float((band_high - band_low) / max(high - low, 1e-6))


def footprint_overlap(a: PerceivedObject, b: PerceivedObject) -> float:
    """Intersection of the two xy footprints over the smaller one."""
    fa, fb = a.stats.footprint, b.stats.footprint
    inter = np.prod(np.clip(np.minimum(fa[2:], fb[2:]) - np.maximum(fa[:2], fb[:2]), 0, None))
    smaller = min(np.prod(fa[2:] - fa[:2]), np.prod(fb[2:] - fb[:2]))
    return float(inter / max(smaller, 1e-9))


def footprint_gap(a: PerceivedObject, b: PerceivedObject) -> float:
    """Metres between the two xy footprints (0 when they touch or overlap)."""
    fa, fb = a.stats.footprint, b.stats.footprint
    return float(max(fb[0] - fa[2], fa[0] - fb[2], fb[1] - fa[3], fa[1] - fb[3], 0.0))


def centred_in(a: PerceivedObject, b: PerceivedObject) -> bool:
    """Whether a's centroid lies in b's xy footprint."""
    centre, footprint = a.stats.centroid[:2], b.stats.footprint
    return bool(np.all(centre >= footprint[:2]) and np.all(centre <= footprint[2:]))


def heights_overlap(a: PerceivedObject, b: PerceivedObject, tolerance: float = 0.0) -> bool:
    """Vertical ranges overlap (within `tolerance` metres): a block seen from above on top of
    another is not the other."""
    za, zb = a.stats.z_range, b.stats.z_range
    return bool(za[0] <= zb[1] + tolerance and zb[0] <= za[1] + tolerance)


def footprint_iou(a: PerceivedObject, b: PerceivedObject) -> float:
    """Intersection over union of the two xy footprints."""
    fa, fb = a.stats.footprint, b.stats.footprint
    inter = np.prod(np.clip(np.minimum(fa[2:], fb[2:]) - np.maximum(fa[:2], fb[:2]), 0, None))
    union = np.prod(fa[2:] - fa[:2]) + np.prod(fb[2:] - fb[:2]) - inter
    return float(inter / max(union, 1e-9))
