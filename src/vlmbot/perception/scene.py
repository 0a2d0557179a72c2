"""From calibrated RGB-D frames to 3D objects: proposals per camera, deprojected with depth,
fused across cameras, with oriented footprints for grasping.

Only what the cameras give is used: images, depth in metres, K and T_world_cam. No simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell, Workspace
from vlmbot.errors import InputError
from vlmbot.geometry import deproject
from vlmbot.models.stages import Proposals, VisionStages
from vlmbot.perception.body import DEFAULT_BODY, BodyConfig, on_robot, outside_cell
from vlmbot.perception.objects import (
    PerceivedObject,
    centred_in,
    footprint_iou,
    footprint_overlap,
    heights_overlap,
)
from vlmbot.perception.pairs import PairGrid
from vlmbot.types import Observation, RGBDFrame, RobotState, SceneObject


@dataclass(frozen=True)
class PerceptionConfig:
    """min_objectness: proposals below are ignored; min_points: fewest depth points an object
    needs; min_item_height: metres, the top of anything graspable is at least this high (a
    coin-thin disk or star stands 5-9 mm);
    merge_distance: metres between centroids of one object seen by two cameras;
    same_camera_overlap / nested_overlap: footprint overlap (of the smaller) above which two
    detections from one camera / from two cameras are one object; height_tolerance: metres of
    vertical gap still counted as overlapping heights; container_overlap: footprint IoU above
    which an "item" is a container's inside seen as an object; max_points: the most points
    kept of one detection, a bound on the worst case (an even random subsample beyond it).
    Kept high on purpose: detections in 640x480 and 1280x720 frames have ~700-1300 points
    (at most ~13k), costs barely depend on it, and a few hundred points move the PCA yaw of
    near-square objects (trays, lego) and so their oriented extents by up to 2 cm; pair_cell:
    metres, the cell of the spatial hash that finds candidate pairs for fusion (speed only:
    fusion's result does not depend on it); border_px: a box within this many pixels of the
    frame's border is cut off by it there (`PerceivedObject.cut_off`)."""

    min_objectness: float = 0.25
    min_points: int = 12
    min_item_height: float = 0.005
    merge_distance: float = 0.045
    same_camera_overlap: float = 0.3
    nested_overlap: float = 0.4
    height_tolerance: float = 0.005
    container_overlap: float = 0.3
    max_points: int = 20000
    pair_cell: float = 0.08
    border_px: float = 1.0

    def __post_init__(self) -> None:
        _check_range(
            self,
            ("min_objectness", "same_camera_overlap", "nested_overlap", "container_overlap"),
            0.0,
            1.0,
        )
        _check_range(self, ("min_item_height", "merge_distance", "height_tolerance"), 0.0, 0.5)
        _check_range(self, ("pair_cell",), 0.01, 1.0)
        _check_range(self, ("border_px",), 0.0, 50.0)
        if self.min_points < 1:
            raise InputError("perception min_points must be >= 1")
        if self.max_points < max(self.min_points, 50):
            raise InputError("perception max_points must be >= 50 and >= min_points")


def _check_range(config: object, names: tuple[str, ...], low: float, high: float) -> None:
    for name in names:
        value = getattr(config, name)
        if not low <= value <= high:
            raise InputError(f"{type(config).__name__}.{name} must be in [{low}, {high}]")


DEFAULT_PERCEPTION = PerceptionConfig()


def frame_objects(
    stages: VisionStages,
    camera_name: str,
    frame: RGBDFrame,
    config: PerceptionConfig = DEFAULT_PERCEPTION,
    cell: RobotCell = HOME_CELL,
    robot: RobotState | None = None,
    body: BodyConfig = DEFAULT_BODY,
) -> list[PerceivedObject]:
    """Proposals of one frame, each with its world-frame 3D points above the table (at most
    `config.max_points`: a random subsample beyond), region embedding and colour. Points on
    the robot (its base, and its arm from the robot state) or outside the cell are dropped; a
    proposal that is mostly robot is no object."""
    if frame.depth is None:
        return []
    proposals = stages.proposer.propose(frame.rgb, frame.depth, frame.camera)
    kept, pixels, clouds = [], [], []
    for i in range(len(proposals)):
        if proposals.objectness[i] < config.min_objectness:
            continue
        lifted = _lift(proposals, i, frame, config, cell, robot, body)
        if lifted is not None:
            kept.append(i)
            pixels.append(lifted[0])
            clouds.append(_subsample(lifted[1], config.max_points))
    if not kept:
        return []
    chosen = _chosen(proposals, np.asarray(kept), pixels)
    embeddings = stages.scorer.embed_regions(frame.rgb, chosen)
    colors = stages.colors.measure(frame.rgb, chosen.masks)
    cut = cut_by_border(chosen.xyxy, frame.rgb.shape[:2], config.border_px)
    return [
        PerceivedObject(
            points=clouds[k],
            embedding=embeddings[k],
            lab=colors[k],
            objectness=float(chosen.objectness[k]),
            views={camera_name: [float(x) for x in chosen.xyxy[k]]},
            container=bool(chosen.container[k]),
            cut_off=frozenset({camera_name}) if cut[k] else frozenset(),
        )
        for k in range(len(chosen))
    ]


def cut_by_border(xyxy: np.ndarray, size: tuple[int, ...], edge: float) -> np.ndarray:
    """(N, 4) pixel boxes xyxy in a frame of size (height, width) → (N,) whether each box is
    within `edge` pixels of the frame's border, where the frame may cut its object off."""
    boxes = np.asarray(xyxy, dtype=float).reshape(-1, 4)
    height, width = size[0], size[1]
    return np.asarray(
        (boxes[:, :2] <= edge).any(axis=1)
        | (boxes[:, 2] >= width - edge)
        | (boxes[:, 3] >= height - edge)
    )


def _lift(
    proposals: Proposals,
    i: int,
    frame: RGBDFrame,
    config: PerceptionConfig,
    cell: RobotCell,
    robot: RobotState | None,
    body: BodyConfig,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None:
    """((v, u) pixels, (M, 3) world points) of proposal i's scene points (valid depth, not the
    robot, inside the cell), or None when it is no object (too few points, mostly robot, or
    too flat for an item)."""
    assert frame.depth is not None
    v, u = mask_pixels(proposals.masks[i], proposals.xyxy[i])
    depth = frame.depth[v, u]
    valid = depth > 0
    if np.count_nonzero(valid) < config.min_points:
        return None
    v, u = v[valid], u[valid]
    points = deproject(frame.camera, np.stack([u + 0.5, v + 0.5], axis=1), depth[valid])
    robot_part = on_robot(points, cell, robot, body)
    if robot_part.mean() > body.robot_share:
        return None  # the arm or its base seen as a proposal
    scene = ~robot_part & ~outside_cell(points, cell, body)
    if np.count_nonzero(scene) < config.min_points:
        return None
    points = points[scene]
    if not proposals.container[i] and np.percentile(points[:, 2], 97) < config.min_item_height:
        return None  # nothing graspable is this flat: a container's floor, a table mark
    return (v[scene], u[scene]), points


def mask_pixels(mask: np.ndarray, xyxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(v, u) row and column indices of an (H, W) mask's pixels, row-major (as np.nonzero).

    Searched inside the box (xyxy, pixels, rounded outward) when the mask lies within it,
    which a count of the mask's pixels tells cheaply; else over the whole mask."""
    height, width = mask.shape
    x0, y0 = max(int(np.floor(xyxy[0])), 0), max(int(np.floor(xyxy[1])), 0)
    x1, y1 = min(int(np.ceil(xyxy[2])), width), min(int(np.ceil(xyxy[3])), height)
    if x1 > x0 and y1 > y0:
        crop = mask[y0:y1, x0:x1]
        if np.count_nonzero(crop) == np.count_nonzero(mask):
            v, u = np.nonzero(crop)
            return v + y0, u + x0
    v, u = np.nonzero(mask)
    return v, u


def _subsample(points: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` of (M, 3) points, drawn evenly at random (a fixed seed: deterministic),
    so robust percentiles of the cloud keep their values within sampling noise."""
    if len(points) <= limit:
        return points
    chosen = np.random.default_rng(0).choice(len(points), size=limit, replace=False)
    return points[np.sort(chosen)]


def _chosen(
    proposals: Proposals, kept: np.ndarray, pixels: list[tuple[np.ndarray, np.ndarray]]
) -> Proposals:
    """The kept proposals, their masks reduced to their scene pixels (K, H, W)."""
    height, width = proposals.masks.shape[1:]
    masks = np.zeros((len(kept), height, width), dtype=bool)
    for k, (v, u) in enumerate(pixels):
        masks[k, v, u] = True
    embeddings = proposals.embeddings
    return Proposals(
        proposals.xyxy[kept],
        proposals.objectness[kept],
        masks,
        proposals.container[kept],
        None if embeddings is None else embeddings[kept],
        proposals.space,
    )


def _same_object(a: PerceivedObject, b: PerceivedObject, config: PerceptionConfig) -> bool:
    """Two detections are one object when, seen by different cameras, their centroids are close
    or each falls in the other's footprint (large objects look different from each camera), at
    overlapping heights; or when, seen by the same camera, their footprints coincide."""
    if a.container != b.container:
        return False  # a block lying at a tray's centre is still two objects
    a_in_b, b_in_a = centred_in(a, b), centred_in(b, a)
    if not a.views.keys().isdisjoint(b.views):
        # Separate objects seen by one camera have separate footprints.
        overlap = footprint_overlap(a, b) > config.same_camera_overlap
        return (overlap or a_in_b or b_in_a) and heights_overlap(a, b, config.height_tolerance)
    gap = a.stats.centroid[:2] - b.stats.centroid[:2]
    close = bool(np.hypot(*gap) < config.merge_distance)
    nested = footprint_overlap(a, b) > config.nested_overlap  # one view saw part of a long object
    return (close or nested or (a_in_b and b_in_a)) and heights_overlap(
        a, b, config.height_tolerance
    )


def fuse(
    objects: list[PerceivedObject], config: PerceptionConfig = DEFAULT_PERCEPTION
) -> list[PerceivedObject]:
    """Merge detections of the same object from different cameras (and duplicates from one),
    most confident first, repeating until no two merged objects are the same.

    The merges, and their order, are those of rescanning all pairs in confidence order after
    every merge and absorbing the first pair found; but an object is compared only with the
    objects whose footprints come within `merge_distance` of its own (a spatial hash, which
    every pair `_same_object` accepts passes), and again only after it changed. Near-linear
    in the number of detections."""
    merged = sorted(objects, key=lambda o: -o.objectness)
    grid = PairGrid(config.pair_cell)
    for rank, obj in enumerate(merged):
        grid.add(rank, _reach(obj, config))
    for rank in range(len(merged)):
        if rank in grid:
            _settle(rank, merged, grid, config)
    return [obj for rank, obj in enumerate(merged) if rank in grid]


def _reach(obj: PerceivedObject, config: PerceptionConfig) -> np.ndarray:
    """(4,) xy footprint grown by merge_distance: no object outside it can be the same."""
    margin = config.merge_distance
    return obj.stats.footprint + np.array([-margin, -margin, margin, margin])


def _settle(
    rank: int, merged: list[PerceivedObject], grid: PairGrid, config: PerceptionConfig
) -> None:
    """Merge object `rank` until it is the same as no other (every object before it already
    is): first with the later objects; once it changed, an earlier object may now be the same,
    and that one absorbs it and goes on in its place."""
    p, changed = rank, False
    while True:
        near = grid.near(merged[p].stats.footprint)
        if changed:
            j = next(
                (q for q in near if q < p and _same_object(merged[q], merged[p], config)), None
            )
            if j is not None:
                _absorb(merged[j], merged[p])
                grid.remove(p)
                grid.add(j, _reach(merged[j], config))
                p = j
                continue
        k = next((q for q in near if q > p and _same_object(merged[p], merged[q], config)), None)
        if k is None:
            return
        _absorb(merged[p], merged[k])
        grid.remove(k)
        grid.add(p, _reach(merged[p], config))
        changed = True


def _absorb(into: PerceivedObject, other: PerceivedObject) -> None:
    """Merge `other` into `into`: pooled points, weighted embedding and colour, all views."""
    w_a, w_b = into.objectness, other.objectness
    embedding = w_a * into.embedding + w_b * other.embedding
    into.embedding = embedding / max(float(np.linalg.norm(embedding)), 1e-9)
    if not np.isnan(other.lab).all():
        into.lab = np.nanmean(np.stack([into.lab, other.lab]), axis=0)
    into.points = np.concatenate([into.points, other.points])
    for camera, box in other.views.items():
        into.views.setdefault(camera, box)
    into.cut_off = into.cut_off | other.cut_off
    into.objectness = max(w_a, w_b)


def perceive(
    stages: VisionStages,
    observation: Observation,
    config: PerceptionConfig = DEFAULT_PERCEPTION,
    cell: RobotCell = HOME_CELL,
) -> list[PerceivedObject]:
    """All cameras → fused 3D objects in the cell (ids are given by the tracker in
    vlmbot.reasoning)."""
    found: list[PerceivedObject] = []
    for name, frame in observation.frames.items():
        found += frame_objects(stages, name, frame, config, cell, observation.robot)
    fused = fuse(found, config)
    containers = [o for o in fused if o.container]
    # An "item" covering much of a container's footprint is the container's inside seen as an
    # object (a real item in a bowl or tray is far smaller than it).
    return [
        o
        for o in fused
        if o.container or all(footprint_iou(o, c) <= config.container_overlap for c in containers)
    ]


def to_scene_object(
    obj: PerceivedObject, workspace: Workspace, category: str, color: str
) -> SceneObject:
    position, extent, yaw = obj.geometry(workspace.table_z)
    return SceneObject(
        id=obj.id,
        category=category,
        position=position,
        extent=extent,
        yaw=yaw,
        color=color,
        score=obj.objectness,
    )
