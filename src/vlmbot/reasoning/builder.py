"""Build the scene graph from perceived objects, with ids that stay stable across steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from vlmbot.cell import Workspace
from vlmbot.errors import InputError
from vlmbot.geometry import to_local_xy
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.stages import ColorNamer, RegionScorer, VisionStages
from vlmbot.perception.objects import (
    PerceivedObject,
    centred_in,
    footprint_gap,
    footprint_overlap,
    heights_overlap,
)
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.reasoning.shapes import ShapePrior
from vlmbot.types import SceneObject

Geometry = tuple[np.ndarray, np.ndarray, float]  # position (3,), extent (3,), yaw


@dataclass(frozen=True)
class GraphConfig:
    """Numbers of scene-graph building (metres unless said).

    novelty_floor: appearance never rules out a category the model never saw below this;
    untrained_uniform: share of that mass split evenly among untrained categories (their
    appearance scores are uncalibrated). Tracking: a match costs distance/track_distance +
    Lab distance/track_color + (1 - embedding cosine) and is kept below match_cost_limit.
    Echoes: an item that looks like a container (probability > echo_container_prob) lying
    over echo_overlap of a container is the container seen twice; an item on a proposal flagged
    as a container but of a category that holds nothing (a mug), centred in its footprint or
    over part_overlap of it, is a part of it, and so is a proposal one camera saw touching
    (within fragment_gap) a larger object several cameras saw; an item at least wall_aspect
    times longer than wide, its top within wall_rim of the rim, between wall_band of the wall,
    is the container's wall. Slices: a thin part (at most slice_thin of the category's height)
    within slice_contact under an object, overlapping it by slice_overlap, of Lab distance
    below slice_color, the two no taller than slice_total of one such object, is one object.
    Hidden bases: an object whose lowest visible point is hidden_base[0]..hidden_base[1] above
    the table with no object under it stands on the table, its lower part hidden from every
    camera (behind a neighbour, out of frame, or a side no camera sees): its bottom is the
    table."""

    novelty_floor: float = 0.02
    untrained_uniform: float = 0.5
    match_cost_limit: float = 2.5
    track_distance: float = 0.05
    track_color: float = 40.0
    echo_container_prob: float = 0.5
    echo_overlap: float = 0.6
    part_overlap: float = 0.3
    fragment_gap: float = 0.01
    wall_aspect: float = 2.5
    wall_rim: float = 0.012
    wall_band: tuple[float, float] = (-0.02, 0.03)
    slice_contact: float = 0.008
    slice_thin: float = 0.4
    slice_total: float = 1.4
    slice_overlap: float = 0.6
    slice_color: float = 20.0
    hidden_base: tuple[float, float] = (0.008, 0.05)

    def __post_init__(self) -> None:
        unit = (
            "novelty_floor",
            "untrained_uniform",
            "echo_container_prob",
            "echo_overlap",
            "part_overlap",
            "slice_thin",
            "slice_overlap",
        )
        for name in unit:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"GraphConfig.{name} must be in [0, 1]")
        positive = (
            "match_cost_limit",
            "track_distance",
            "track_color",
            "wall_aspect",
            "wall_rim",
            "fragment_gap",
            "slice_contact",
            "slice_total",
            "slice_color",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise InputError(f"GraphConfig.{name} must be positive")
        if not self.wall_band[0] < self.wall_band[1]:
            raise InputError("GraphConfig.wall_band must be (low, high)")
        if not 0.0 < self.hidden_base[0] < self.hidden_base[1] <= 0.2:
            raise InputError("GraphConfig.hidden_base must be (low, high) in (0, 0.2] metres")


DEFAULT_GRAPH = GraphConfig()


class CategoryClassifier:
    """Category distribution of objects from their region embeddings and measured extents.

    Appearance: per category, the best logit among its names. Categories the model was
    trained on share a softmax; categories it never saw (listed in its metadata) get the
    mass no trained category claims (one minus the best trained category's calibrated
    probability, at least `GraphConfig.novelty_floor`). Shape: the posterior multiplies
    appearance by how likely the measured extents are under each category (`ShapePrior`),
    which tells a flat domino from the jenga block it resembles.
    """

    def __init__(
        self,
        scorer: RegionScorer,
        trained_categories: frozenset[str] | None = None,
        shapes: ShapePrior | None = None,
        config: GraphConfig = DEFAULT_GRAPH,
        categories: Sequence[str] | None = None,
    ) -> None:
        """categories: the vocabulary objects may belong to (a cell's; default: every known)."""
        self.scorer = scorer
        self.shapes = shapes
        self.config = config
        self.categories = list(categories or CONCEPTS)
        names = [(c, n) for c in self.categories for n in CONCEPTS[c].names]
        self._owner = np.array([self.categories.index(c) for c, _ in names])
        self._text = scorer.encode_text([n for _, n in names])
        trained = trained_categories
        self.trained = np.array([not trained or c in trained for c in self.categories])

    @property
    def text_embeddings(self) -> np.ndarray:
        """(K, D) the category names' text embeddings in the scorer's space."""
        return self._text

    @classmethod
    def for_stages(
        cls,
        stages: VisionStages,
        shapes: ShapePrior | None,
        categories: Sequence[str] | None = None,
    ) -> CategoryClassifier:
        return cls(stages.scorer, stages.trained_categories, shapes, categories=categories)

    def __call__(
        self,
        embeddings: np.ndarray,
        extents: np.ndarray | None = None,
        alternatives: np.ndarray | None = None,
        tops: np.ndarray | None = None,
    ) -> np.ndarray:
        """(N, D) embeddings, (N, 3) extents (metres; a NaN row: not measured reliably) or
        None → (N, C) probabilities. alternatives: (N, 3) a second reading of the extents
        (NaN row: none), equally likely: a base that may be hidden or may not be. The shape
        likelihood is then the mean over the two readings. tops: (N,) top widths
        (`vlmbot.perception.objects.top_width`; NaN: not measured)."""
        probs = self.appearance(embeddings)
        if self.shapes is None or extents is None or not len(probs):
            return probs
        measured = ~np.isnan(extents).any(axis=1)
        if not measured.any():
            return probs
        top = None if tops is None else np.asarray(tops, dtype=float)[measured]
        loglik = self.shapes.log_likelihood(extents[measured], self.categories, top)
        if alternatives is not None:
            other = alternatives[measured]
            has = ~np.isnan(other).any(axis=1)
            if has.any():
                second = self.shapes.log_likelihood(
                    other[has], self.categories, None if top is None else top[has]
                )
                loglik[has] = np.logaddexp(loglik[has], second) - np.log(2.0)
        posterior = probs[measured] * np.exp(loglik - loglik.max(axis=1, keepdims=True))
        total = posterior.sum(axis=1, keepdims=True)
        shaped = np.where(total > 0, posterior / np.maximum(total, 1e-300), probs[measured])
        probs[measured] = shaped
        return probs

    def appearance(self, embeddings: np.ndarray) -> np.ndarray:
        """(N, D) → (N, C) probabilities from the region embeddings alone."""
        logits = self.scorer.region_text_logits(embeddings, self._text)
        per_category = np.full((len(embeddings), len(self.categories)), -np.inf)
        for k in range(len(self.categories)):
            per_category[:, k] = logits[:, self._owner == k].max(axis=1)
        probs = np.zeros_like(per_category)
        probs[:, self.trained] = _softmax(per_category[:, self.trained])
        if self.trained.all():
            return probs
        fit = 1.0 / (1.0 + np.exp(-per_category[:, self.trained].max(axis=1)))
        novelty = np.maximum(1.0 - fit, self.config.novelty_floor)
        probs[:, self.trained] *= (1.0 - novelty)[:, None]
        uniform = self.config.untrained_uniform
        split = (1 - uniform) * _softmax(per_category[:, ~self.trained]) + uniform / int(
            (~self.trained).sum()
        )
        probs[:, ~self.trained] = split * novelty[:, None]
        return probs


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return np.asarray(z / z.sum(axis=1, keepdims=True))


class Tracker:
    """Keeps object ids across observations by matching position, colour and appearance.

    After the robot moves an object, `moved(id, xy)` predicts where it will be seen next.
    """

    def __init__(self, config: GraphConfig = DEFAULT_GRAPH) -> None:
        self.config = config
        self.previous: list[GraphObject] = []
        self.predicted: dict[str, np.ndarray] = {}
        self._next = 0

    def reset(self) -> None:
        self.previous, self.predicted, self._next = [], {}, 0

    def moved(self, object_id: str, xy: np.ndarray) -> None:
        self.predicted[object_id] = np.asarray(xy, dtype=float)

    def assign(self, nodes: list[GraphObject]) -> None:
        """Set node ids in place: matched nodes keep their previous id, new ones get fresh ids."""
        ids: list[str | None] = [None] * len(nodes)
        if self.previous and nodes:
            cost = np.array([[self._cost(old, new) for new in nodes] for old in self.previous])
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols, strict=True):
                if cost[r, c] < self.config.match_cost_limit:
                    ids[c] = self.previous[r].id
        for i, node in enumerate(nodes):
            if ids[i] is None:
                ids[i] = f"obj{self._next}"
                self._next += 1
            node.obj = _with_id(node.obj, ids[i])  # type: ignore[arg-type]
        self.previous = list(nodes)
        self.predicted = {}

    def _cost(self, old: GraphObject, new: GraphObject) -> float:
        expected = self.predicted.get(old.id, old.xy)
        distance = float(np.linalg.norm(expected - new.xy))
        color = float(np.linalg.norm(np.nan_to_num(old.lab - new.lab))) / self.config.track_color
        appearance = 1.0 - float(old.embedding @ new.embedding)
        return distance / self.config.track_distance + color + appearance


def _with_id(obj: SceneObject, object_id: str) -> SceneObject:
    return SceneObject(
        id=object_id,
        category=obj.category,
        position=obj.position,
        extent=obj.extent,
        yaw=obj.yaw,
        color=obj.color,
        score=obj.score,
        attributes=obj.attributes,
    )


def _not_container_echoes(
    perceived: list[PerceivedObject], probs: np.ndarray, categories: list[str], config: GraphConfig
) -> np.ndarray:
    """False for item proposals that look like a container and lie inside a container proposal:
    the container's inside seen a second time, not an object in it."""

    container_columns = [i for i, c in enumerate(categories) if CONCEPTS[c].is_container]
    keep = np.ones(len(perceived), dtype=bool)
    containers = [p for p in perceived if p.container]
    for i, obj in enumerate(perceived):
        looks_like_container = probs[i, container_columns].sum() > config.echo_container_prob
        if not obj.container and looks_like_container:
            keep[i] = not any(footprint_overlap(obj, c) > config.echo_overlap for c in containers)
    return keep


def _not_parts(
    perceived: list[PerceivedObject], probs: np.ndarray, categories: list[str], config: GraphConfig
) -> np.ndarray:
    """False for item proposals lying on a proposal the detector flagged as a container but
    that is no container by its category (a mug, whose handle or rim the detector may propose
    again): nothing is put in those, so what lies on their footprint is a part of them."""
    keep = np.ones(len(perceived), dtype=bool)
    holders = [
        p
        for p, row in zip(perceived, probs, strict=True)
        if p.container and not CONCEPTS[categories[int(np.argmax(row))]].is_container
    ]
    for i, obj in enumerate(perceived):
        if not obj.container and any(
            centred_in(obj, holder) or footprint_overlap(obj, holder) > config.part_overlap
            for holder in holders
        ):
            keep[i] = False
    return keep


def _not_fragments(perceived: list[PerceivedObject], config: GraphConfig) -> np.ndarray:
    """False for a proposal only one camera saw that touches (within fragment_gap) a larger
    object the same camera and others saw, at overlapping heights: a part of it (a mug's
    handle proposed apart) that the other cameras saw as that object. A real object there
    would be seen by the other cameras too (they see the whole workspace)."""
    keep = np.ones(len(perceived), dtype=bool)

    def area(p: PerceivedObject) -> float:
        f = p.stats.footprint
        return float((f[2] - f[0]) * (f[3] - f[1]))

    for i, obj in enumerate(perceived):
        if len(obj.views) != 1:
            continue
        (camera,) = obj.views
        keep[i] = not any(
            other is not obj
            and camera in other.views
            and len(other.views) >= 2
            and footprint_gap(obj, other) <= config.fragment_gap
            and heights_overlap(obj, other)
            and area(obj) < 0.5 * area(other)
            for other in perceived
        )
    return keep


def _wall_echo(item: Geometry, container: Geometry, config: GraphConfig) -> bool:
    """An item proposal that is a container's wall seen again: long and thin, hugging the
    container's side, its top at the rim (a real object inside stands lower, on the floor)."""
    (position, extent, _), (centre, size, yaw) = item, container
    if max(extent[:2]) < config.wall_aspect * min(extent[:2]):
        return False
    if abs((position[2] + extent[2] / 2) - (centre[2] + size[2] / 2)) > config.wall_rim:
        return False
    local = to_local_xy(position[:2] - centre[:2], yaw)
    to_wall = float(np.min(np.asarray(size[:2]) / 2 - np.abs(local)))
    return config.wall_band[0] <= to_wall <= config.wall_band[1]


def _join_slices(
    perceived: list[PerceivedObject],
    geometry: list[Geometry],
    probs: np.ndarray,
    classifier: CategoryClassifier,
) -> list[PerceivedObject] | None:
    """One object seen as two: a thin slice right under an object of the same colour and
    footprint, far thinner than that object's category ever is, while the two together are
    no taller than one such object (a real stack of two is). Joined, or None if none.

    The first (upper, lower) pair in list order; the height tests run on all lower candidates
    at once, footprint and colour only on those that pass them."""
    cfg = classifier.config
    tops = np.array([g[0][2] + g[1][2] / 2 for g in geometry])
    heights = np.array([g[1][2] for g in geometry])
    items = ~np.array([p.container for p in perceived])
    for j, upper in enumerate(perceived):
        category = classifier.categories[int(np.argmax(probs[j]))]
        norm = classifier.shapes.typical_extent(category) if classifier.shapes else None
        if upper.container or norm is None:
            continue
        typical = float(norm[2])
        (position, extent, _) = geometry[j]
        bottom = position[2] - extent[2] / 2
        candidates = (
            items
            & ~(np.abs(tops - bottom) > cfg.slice_contact)
            & ~(heights > cfg.slice_thin * typical)
            & ~(heights + extent[2] > cfg.slice_total * typical)
        )
        candidates[j] = False
        for i in np.nonzero(candidates)[0]:
            lower = perceived[i]
            if footprint_overlap(lower, upper) < cfg.slice_overlap or not (
                np.linalg.norm(np.nan_to_num(lower.lab - upper.lab, nan=99.0)) < cfg.slice_color
            ):
                continue
            return _joined(perceived, int(i), j)
    return None


def _joined(perceived: list[PerceivedObject], i: int, j: int) -> list[PerceivedObject]:
    """The objects with the slice i joined into object j (points, views, objectness)."""
    lower, upper = perceived[i], perceived[j]
    views = dict(lower.views)
    for camera, box in upper.views.items():
        other = views.get(camera, box)
        views[camera] = [*np.minimum(box[:2], other[:2]), *np.maximum(box[2:], other[2:])]
    joined = replace(
        upper,
        points=np.concatenate([upper.points, lower.points]),
        objectness=max(upper.objectness, lower.objectness),
        views={c: [float(v) for v in b] for c, b in views.items()},
        cut_off=upper.cut_off | lower.cut_off,
    )
    return [joined if k == j else p for k, p in enumerate(perceived) if k != i]


def _on_the_table(
    perceived: list[PerceivedObject], table_z: float, config: GraphConfig
) -> tuple[list[Geometry], np.ndarray]:
    """Each object's geometry, world frame, and (N, 3) the extents as seen where its base may
    be hidden (NaN rows elsewhere): one whose base is hidden (see GraphConfig) reaches down to
    the table, a 6 cm cube whose lower half a bowl hides is 6 cm tall, not a 3 cm box; but a
    ball seen from above also shows no base, so what was seen stays the other reading."""
    out = []
    seen = np.full((len(perceived), 3), np.nan)
    low, high = config.hidden_base
    for i, obj in enumerate(perceived):
        position, extent, yaw = obj.geometry(table_z)
        bottom, top = position[2] - extent[2] / 2, position[2] + extent[2] / 2
        # Only an object whose base may be hidden is checked for a support (the rest rest on
        # the table or stand clearly on something): linear in the common case.
        hidden = low < bottom - table_z <= high
        if hidden and not any(
            j != i and centred_in(obj, o) and o.stats.z_range[0] < bottom
            for j, o in enumerate(perceived)
        ):
            seen[i] = extent
            extent = np.array([extent[0], extent[1], top - table_z])
            position = np.array([position[0], position[1], (top + table_z) / 2])
        out.append((position, extent, yaw))
    return out, seen


def _classify(
    perceived: list[PerceivedObject], classifier: CategoryClassifier, workspace: Workspace
) -> tuple[list[Geometry], np.ndarray, np.ndarray]:
    """Geometry, (N, C) category probabilities and (N,) top widths of the objects."""
    geometry, seen = _on_the_table(perceived, workspace.table_z, classifier.config)
    # Shape evidence only where the prior was measured: inside the workspace, where the
    # cameras see objects up close (far away, few depth points make poor extents), and of
    # objects some camera sees whole (a frame border cuts the top off a mug: a dome).
    inside = [
        workspace.contains(g[0][:2]) and p.whole for g, p in zip(geometry, perceived, strict=True)
    ]
    extents = np.stack(
        [g[1] if ok else np.full(3, np.nan) for g, ok in zip(geometry, inside, strict=True)]
    )
    tops = np.array(
        [
            p.top_width(workspace.table_z) if ok else np.nan
            for p, ok in zip(perceived, inside, strict=True)
        ]
    )
    embeddings = np.stack([p.embedding for p in perceived])
    return geometry, classifier(embeddings, extents, seen, tops), tops


def build_graph(
    perceived: list[PerceivedObject],
    classifier: CategoryClassifier,
    color_namer: ColorNamer,
    workspace: Workspace,
    tracker: Tracker | None = None,
) -> SceneGraph:
    """Perceived objects → SceneGraph nodes with category, colour and geometry."""
    nodes = []
    if perceived:
        geometry, probs, tops = _classify(perceived, classifier, workspace)
        while (joined := _join_slices(perceived, geometry, probs, classifier)) is not None:
            perceived = joined
            geometry, probs, tops = _classify(perceived, classifier, workspace)
        config = classifier.config
        keep = _not_container_echoes(perceived, probs, classifier.categories, config)
        containers = [g for p, g in zip(perceived, geometry, strict=True) if p.container]
        for i, (obj, item) in enumerate(zip(perceived, geometry, strict=True)):
            if not obj.container and any(_wall_echo(item, c, config) for c in containers):
                keep[i] = False
        keep &= _not_parts(perceived, probs, classifier.categories, config)
        keep &= _not_fragments(perceived, config)
        for obj, row, (position, extent, yaw), top, kept in zip(
            perceived, probs, geometry, tops, keep, strict=True
        ):
            if not kept:
                continue
            category = classifier.categories[int(np.argmax(row))]
            color = color_namer.name(obj.lab)
            scene_object = SceneObject("", category, position, extent, yaw, color, obj.objectness)
            nodes.append(
                GraphObject(
                    obj=scene_object,
                    category_probs=dict(zip(classifier.categories, row.tolist(), strict=True)),
                    lab=obj.lab,
                    embedding=obj.embedding,
                    views=obj.views,
                    top_width=float(top),
                    whole=obj.whole,
                )
            )
    if tracker is not None:
        tracker.assign(nodes)
    else:
        for i, node in enumerate(nodes):
            node.obj = _with_id(node.obj, f"obj{i}")
    return SceneGraph(nodes, workspace)
