"""Shape priors: how likely an object's measured 3D extents are under each category.

Appearance alone cannot tell a category the model never saw from the trained one it most
resembles (a domino looks like a jenga block to a model that only knows jenga blocks); depth
can: the domino is a third as tall. Features are scale-free log ratios plus one log size,

    f = (log short side, log(long side / short side), log(height / short side), top width),

the first three a linear map of the log extents with unit Jacobian, so densities of different
kinds compare. Top width (`vlmbot.perception.objects.top_width`) is how wide the top is over
the footprint: a squat cylinder and a ball have the same extents, but the cylinder's top is
flat (about 1) and the ball's a dome (about 0.5). Where it is not measured, every category's
density is its marginal over the first three.
- categories with measurements (fit on seen-split scenes, `python -m training.shapes`) get a
  Gaussian, mixed with a broad outlier component (occlusion, objects half inside a bowl)
  weighted by how often that category's measurements fell outside the Gaussian;
- categories without (the model never saw them) get their knowledge-base shape word
  (`Concept.proportions`: round, flat, upright, ..., or a finer form such as a tile twice as
  long as wide) and any size within hand-sized range.
This is attribute-based zero-shot recognition: unseen categories are described, not shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vlmbot.errors import InputError
from vlmbot.lexicon.concepts import CONCEPTS

Description = tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
#: Shape words: (mean, std) of log(long / short), of log(height / short) and of top width.
#: A top is as precise a description as a measurement where a word's kinds share it (flat
#: tops about 0.95, domes 0.55, apexes 0.25, rims 1.1, as measured on trained kinds: disks and
#: rings, balls, cones and pyramids, bowls and trays; std 0.06, as measured) and broad where
#: they do not (upright bottles narrow to a neck, upright cylinders do not).
SHAPE_WORDS: dict[str, Description] = {
    "cube": ((0.08, 0.12), (np.log(0.85), 0.25), (0.95, 0.06)),
    "round": ((0.08, 0.15), (np.log(0.85), 0.3), (0.55, 0.06)),
    "flat": ((np.log(1.6), 0.5), (np.log(0.3), 0.4), (0.95, 0.06)),
    "long": ((np.log(3.0), 0.4), (np.log(0.7), 0.4), (0.8, 0.25)),
    "upright": ((np.log(1.4), 0.35), (np.log(1.7), 0.35), (0.7, 0.3)),
    "squat": ((0.15, 0.25), (np.log(0.5), 0.35), (0.8, 0.2)),
    "hollow": ((0.05, 0.1), (np.log(0.35), 0.5), (1.1, 0.06)),
    "pointed": ((0.05, 0.12), (np.log(1.0), 0.3), (0.25, 0.06)),
    # Kinds whose proportions are part of what they are (a described kind needs no more):
    # a tile twice as long as wide (a domino), a star outline (as wide as long; its top is
    # its flat face), a stick many times longer than thick, lying down (a marker, a pen:
    # its top a ridge, narrow like a dome's).
    "tile": ((np.log(2.0), 0.15), (np.log(0.3), 0.4), (0.95, 0.06)),
    "star": ((0.05, 0.1), (np.log(0.25), 0.4), (0.95, 0.06)),
    "stick": ((np.log(7.0), 0.35), (0.0, 0.25), (0.55, 0.1)),
}
#: Sizes a described (never measured) category may have: log short side in [1 cm, 30 cm].
LOG_SIZE_RANGE = (np.log(0.01), np.log(0.30))
#: The broad density any object may take when its measurement went wrong.
BROAD: Description = ((0.4, 0.8), (0.0, 1.0), (0.8, 0.4))
OUTLIER_MAHALANOBIS2 = 16.27  # chi-square, 3 degrees of freedom, 99.9 %
MIN_STD = 0.05  # log units: 5 % of a size


def shape_features(extents: np.ndarray, tops: np.ndarray | None = None) -> np.ndarray:
    """(N, 3) extents (footprint side, footprint side, height; metres) → (N, 3) features, or
    (N, 4) with (N,) top widths."""
    extents = np.maximum(np.asarray(extents, dtype=float).reshape(-1, 3), 1e-3)
    long = np.maximum(extents[:, 0], extents[:, 1])
    short = np.minimum(extents[:, 0], extents[:, 1])
    columns = [np.log(short), np.log(long / short), np.log(extents[:, 2] / short)]
    if tops is not None:
        columns.append(np.asarray(tops, dtype=float).reshape(-1))
    return np.stack(columns, axis=1)


def _log_normal(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.asarray(-0.5 * ((x - mean) / std) ** 2 - np.log(std * np.sqrt(2 * np.pi)))


def _described(features: np.ndarray, description: Description) -> np.ndarray:
    """Log density of a size-free description: uniform log size, Gaussian ratios (and top
    width, for (N, 4) features)."""
    low, high = LOG_SIZE_RANGE
    inside = (features[:, 0] >= low) & (features[:, 0] <= high)
    density = np.where(inside, -np.log(high - low), -np.log(high - low) - 10.0)
    for column, (mean, std) in zip(range(1, features.shape[1]), description, strict=False):
        density = density + _log_normal(features[:, column], mean, std)
    return np.asarray(density)


@dataclass(frozen=True)
class MeasuredShape:
    """A Gaussian over features fit on measured objects of one category."""

    mean: np.ndarray  # (3,) or (4,) with top width
    cov: np.ndarray  # (3, 3) or (4, 4)
    count: int
    outlier_weight: float  # share of measurements the Gaussian does not explain

    def mahalanobis2(self, features: np.ndarray) -> np.ndarray:
        """(N, K) features, K at most the Gaussian's dimension: over the first K (a marginal)."""
        k = features.shape[1]
        offsets = features - self.mean[:k]
        inverse = np.linalg.inv(self.cov[:k, :k])
        return np.asarray(np.einsum("ni,ij,nj->n", offsets, inverse, offsets))

    def log_density(self, features: np.ndarray) -> np.ndarray:
        k = features.shape[1]
        _, logdet = np.linalg.slogdet(self.cov[:k, :k])
        return np.asarray(-0.5 * (self.mahalanobis2(features) + logdet + k * np.log(2 * np.pi)))


class ShapePrior:
    """Per-category log density of measured extents; see the module docstring."""

    def __init__(self, measured: dict[str, MeasuredShape] | None = None) -> None:
        self.measured = dict(measured or {})
        self.categories = list(CONCEPTS)

    def typical_extent(self, category: str) -> np.ndarray | None:
        """Median measured (long side, short side, height) of a category in metres, None if
        never measured."""
        shape = self.measured.get(category)
        if shape is None:
            return None
        short, long_ratio, height_ratio = shape.mean[:3]
        return np.exp(np.array([short + long_ratio, short, short + height_ratio]))

    def typical_volume(self, category: str) -> float | None:
        """Median measured volume (cubic metres) of a category, None if never measured."""
        extent = self.typical_extent(category)
        return None if extent is None else float(np.prod(extent))

    @property
    def measures_tops(self) -> bool:
        """Whether every measured Gaussian includes top width (a prior fit before it did not)."""
        return all(len(shape.mean) == 4 for shape in self.measured.values())

    def log_likelihood(
        self,
        extents: np.ndarray,
        categories: list[str] | None = None,
        tops: np.ndarray | None = None,
    ) -> np.ndarray:
        """(N, 3) extents and optional (N,) top widths (NaN: not measured) → (N, C) log
        densities over `categories` (default: every known)."""
        categories = categories or self.categories
        extents = np.asarray(extents, dtype=float).reshape(-1, 3)
        if tops is None or not self.measures_tops:
            return self._log_likelihood(shape_features(extents), categories)
        tops = np.asarray(tops, dtype=float).reshape(-1)
        has = np.isfinite(tops)
        out = np.empty((len(extents), len(categories)))
        if has.any():
            out[has] = self._log_likelihood(shape_features(extents[has], tops[has]), categories)
        if not has.all():
            out[~has] = self._log_likelihood(shape_features(extents[~has]), categories)
        return out

    def _log_likelihood(self, features: np.ndarray, categories: list[str]) -> np.ndarray:
        broad = _described(features, BROAD)
        columns = []
        for category in categories:
            shape = self.measured.get(category)
            if shape is None:
                columns.append(_described(features, SHAPE_WORDS[CONCEPTS[category].proportions]))
                continue
            columns.append(
                np.logaddexp(
                    np.log(1 - shape.outlier_weight) + shape.log_density(features),
                    np.log(shape.outlier_weight) + broad,
                )
            )
        return np.stack(columns, axis=1)

    @classmethod
    def fit(cls, samples: dict[str, np.ndarray], min_count: int = 8) -> ShapePrior:
        """samples: category → (M, 3) measured extents, or (M, 4) extents and top width
        (rows whose top width is NaN are left out). A robust Gaussian per category with at
        least min_count samples (the 10 % farthest from the median are left out of the fit);
        its outlier weight is the smoothed share of samples beyond the Gaussian's 99.9 %
        region, (outliers + 1) / (samples + 2)."""
        measured = {}
        for category, rows in samples.items():
            rows = np.asarray(rows, dtype=float).reshape(len(rows), -1)
            rows = rows[np.isfinite(rows).all(axis=1)]
            features = shape_features(rows[:, :3], rows[:, 3] if rows.shape[1] == 4 else None)
            if len(features) < min_count:
                continue
            spread = np.abs(features - np.median(features, axis=0)).sum(axis=1)
            kept = features[spread <= np.quantile(spread, 0.9)]
            cov = np.cov(kept.T) + np.eye(features.shape[1]) * MIN_STD**2
            shape = MeasuredShape(kept.mean(axis=0), cov, len(features), 0.0)
            outliers = int((shape.mahalanobis2(features) > OUTLIER_MAHALANOBIS2).sum())
            weight = (outliers + 1) / (len(features) + 2)
            measured[category] = MeasuredShape(shape.mean, cov, len(features), weight)
        return cls(measured)

    def to_json(self) -> dict[str, object]:
        return {
            "features": "log short, log long/short, log height/short (extents in metres)"
            + (", top width" if self.measured and self.measures_tops else ""),
            "measured": {
                c: {
                    "mean": s.mean.tolist(),
                    "cov": s.cov.tolist(),
                    "count": s.count,
                    "outlier_weight": s.outlier_weight,
                }
                for c, s in self.measured.items()
            },
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ShapePrior:
        try:
            data = json.loads(Path(path).read_text())
            measured = {
                c: MeasuredShape(
                    np.array(s["mean"]),
                    np.array(s["cov"]),
                    int(s["count"]),
                    float(s["outlier_weight"]),
                )
                for c, s in data["measured"].items()
                if c in CONCEPTS
            }
            dims = {len(shape.mean) for shape in measured.values()}
            for shape in measured.values():
                k = len(shape.mean)
                if k not in (3, 4) or shape.mean.shape != (k,) or shape.cov.shape != (k, k):
                    raise ValueError("each category needs a mean (3,) and a cov (3, 3), or (4,)")
            if len(dims) > 1:
                raise ValueError("every category needs the same features")
        except FileNotFoundError:
            raise InputError(f"shape prior file not found: {path}") from None
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as error:
            raise InputError(f"shape prior file {path} is not valid: {error}") from None
        return cls(measured)


def embedded_shape_prior() -> ShapePrior:
    """The shape prior shipped with the package (fit on seen-split scenes)."""
    return ShapePrior.load(Path(__file__).resolve().parents[1] / "weights" / "shapes.json")
