"""From calibrated RGB-D frames to 3D objects: proposals per camera, deprojected with depth,
fused across cameras, with oriented footprints for grasping.

Only what the cameras give is used: images, depth in metres, K and T_world_cam. No simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell, Workspace
from vlmbot.errors import InputError
from vlmbot.geometry import deproject
from vlmbot.models.stages import VisionStages
from vlmbot.perception.body import DEFAULT_BODY, BodyConfig, on_robot, outside_cell
from vlmbot.types import Observation, RGBDFrame, RobotState, SceneObject


@dataclass(frozen=True)
class PerceptionConfig:
    """min_objectness: proposals below are ignored; min_points: fewest depth points an object
    needs; min_item_height: metres, the top of anything graspable is at least this high;
    merge_distance: metres between centroids of one object seen by two cameras;
    same_camera_overlap / nested_overlap: footprint overlap (of the smaller) above which two
    detections from one camera / from two cameras are one object; height_tolerance: metres of
    vertical gap still counted as overlapping heights; container_overlap: footprint IoU above
    which an "item" is a container's inside seen as an object."""

    min_objectness: float = 0.25
    min_points: int = 12
    min_item_height: float = 0.012
    merge_distance: float = 0.045
    same_camera_overlap: float = 0.3
    nested_overlap: float = 0.4
    height_tolerance: float = 0.005
    container_overlap: float = 0.3

    def __post_init__(self) -> None:
        _check_range(
            self,
            ("min_objectness", "same_camera_overlap", "nested_overlap", "container_overlap"),
            0.0,
            1.0,
        )
        _check_range(self, ("min_item_height", "merge_distance", "height_tolerance"), 0.0, 0.5)
        if self.min_points < 1:
            raise InputError("perception min_points must be >= 1")


def _check_range(config: object, names: tuple[str, ...], low: float, high: float) -> None:
    for name in names:
        value = getattr(config, name)
        if not low <= value <= high:
            raise InputError(f"{type(config).__name__}.{name} must be in [{low}, {high}]")


DEFAULT_PERCEPTION = PerceptionConfig()


@dataclass
class PerceivedObject:
    """One object in the world frame (metres, radians).

    points: (M, 3) world points of its visible surface; embedding: (D,) region embedding;
    lab: (3,) colour; views: camera → pixel box xyxy; objectness: detector confidence.
    """

    points: np.ndarray
    embedding: np.ndarray
    lab: np.ndarray
    objectness: float
    views: dict[str, list[float]] = field(default_factory=dict)
    id: str = ""
    container: bool = False  # proposed by the container heatmap

    @property
    def centroid(self) -> np.ndarray:
        return np.asarray(np.median(self.points, axis=0))

    def geometry(self, table_z: float) -> tuple[np.ndarray, np.ndarray, float]:
        """(position (3,), extent (3,) in its own axes, yaw) from its points.

        The footprint's axes come from PCA of the xy points; sizes are robust percentile
        ranges. The bottom is the lowest visible point, or the table when only the top shows.
        """
        xy = self.points[:, :2]
        centre = (np.percentile(xy, 2, axis=0) + np.percentile(xy, 98, axis=0)) / 2
        offsets = xy - centre
        if len(xy) >= 3 and np.linalg.matrix_rank(offsets) == 2:
            _, vectors = np.linalg.eigh(offsets.T @ offsets)
            axis = vectors[:, -1]
        else:
            axis = np.array([1.0, 0.0])
        yaw = float(np.arctan2(axis[1], axis[0]))
        rotation = np.array([[np.cos(yaw), np.sin(yaw)], [-np.sin(yaw), np.cos(yaw)]])
        local = offsets @ rotation.T
        low, high = np.percentile(local, 3, axis=0), np.percentile(local, 97, axis=0)
        centre = centre + ((low + high) / 2) @ rotation
        top = float(np.percentile(self.points[:, 2], 97))
        bottom = float(np.percentile(self.points[:, 2], 2))
        if top - bottom < 0.01:
            bottom = table_z  # only the top face is visible: it stands on the table
        bottom = max(bottom, table_z)
        extent = np.array([*(high - low + 0.004), max(top - bottom, 0.005)])
        position = np.array([centre[0], centre[1], (top + bottom) / 2])
        return position, extent, yaw


def frame_objects(
    stages: VisionStages,
    camera_name: str,
    frame: RGBDFrame,
    config: PerceptionConfig = DEFAULT_PERCEPTION,
    cell: RobotCell = HOME_CELL,
    robot: RobotState | None = None,
    body: BodyConfig = DEFAULT_BODY,
) -> list[PerceivedObject]:
    """Proposals of one frame, each with its world-frame 3D points above the table, region
    embedding and colour. Points on the robot (its base, and its arm from the robot state)
    or outside the cell are dropped; a proposal that is mostly robot is no object."""
    if frame.depth is None:
        return []
    proposals = stages.proposer.propose(frame.rgb, frame.depth, frame.camera)
    kept, masks, clouds = [], [], []
    for i in range(len(proposals)):
        if proposals.objectness[i] < config.min_objectness:
            continue
        v, u = np.nonzero(proposals.masks[i])
        depth = frame.depth[v, u]
        valid = depth > 0
        if valid.sum() < config.min_points:
            continue
        v, u = v[valid], u[valid]
        points = deproject(frame.camera, np.stack([u + 0.5, v + 0.5], axis=1), depth[valid])
        robot_part = on_robot(points, cell, robot, body)
        if robot_part.mean() > body.robot_share:
            continue  # the arm or its base seen as a proposal
        scene = ~robot_part & ~outside_cell(points, cell, body)
        if scene.sum() < config.min_points:
            continue
        container = bool(proposals.container[i])
        points = points[scene]
        if not container and np.percentile(points[:, 2], 97) < config.min_item_height:
            continue  # nothing graspable is this flat: a container's floor or a table mark
        mask = np.zeros_like(proposals.masks[i])
        mask[v[scene], u[scene]] = True
        kept.append(i)
        masks.append(mask)
        clouds.append(points)
    if not kept:
        return []
    chosen = proposals[np.asarray(kept)]
    chosen = replace(chosen, masks=np.stack(masks))
    embeddings = stages.scorer.embed_regions(frame.rgb, chosen)
    colors = stages.colors.measure(frame.rgb, chosen.masks)
    return [
        PerceivedObject(
            points=clouds[k],
            embedding=embeddings[k],
            lab=colors[k],
            objectness=float(chosen.objectness[k]),
            views={camera_name: [float(x) for x in chosen.xyxy[k]]},
            container=bool(chosen.container[k]),
        )
        for k in range(len(chosen))
    ]


def _footprint(obj: PerceivedObject) -> np.ndarray:
    """xy bounds [x0, y0, x1, y1] of an object's points (robust percentiles), metres."""
    low, high = np.percentile(obj.points[:, :2], [5, 95], axis=0)
    return np.concatenate([low, high])


def _same_object(a: PerceivedObject, b: PerceivedObject, config: PerceptionConfig) -> bool:
    """Two detections are one object when, seen by different cameras, their centroids are close
    or each falls in the other's footprint (large objects look different from each camera), at
    overlapping heights; or when, seen by the same camera, their footprints coincide."""
    if a.container != b.container:
        return False  # a block lying at a tray's centre is still two objects
    ca, cb = a.centroid[:2], b.centroid[:2]
    fa, fb = _footprint(a), _footprint(b)
    a_in_b = bool(np.all(ca >= fb[:2]) and np.all(ca <= fb[2:]))
    b_in_a = bool(np.all(cb >= fa[:2]) and np.all(cb <= fa[2:]))
    if set(a.views) & set(b.views):
        # Separate objects seen by one camera have separate footprints.
        overlap = footprint_overlap(a, b) > config.same_camera_overlap
        return (overlap or a_in_b or b_in_a) and _heights_overlap(a, b, config.height_tolerance)
    close = bool(np.linalg.norm(ca - cb) < config.merge_distance)
    nested = footprint_overlap(a, b) > config.nested_overlap  # one view saw part of a long object
    return (close or nested or (a_in_b and b_in_a)) and _heights_overlap(
        a, b, config.height_tolerance
    )


def _heights_overlap(a: PerceivedObject, b: PerceivedObject, tolerance: float) -> bool:
    """Vertical ranges overlap: a block seen from above on top of another is not the other."""
    za = np.percentile(a.points[:, 2], [5, 95])
    zb = np.percentile(b.points[:, 2], [5, 95])
    return bool(za[0] <= zb[1] + tolerance and zb[0] <= za[1] + tolerance)


def footprint_overlap(a: PerceivedObject, b: PerceivedObject) -> float:
    """Intersection of the two xy footprints over the smaller one."""
    fa, fb = _footprint(a), _footprint(b)
    inter = np.prod(np.clip(np.minimum(fa[2:], fb[2:]) - np.maximum(fa[:2], fb[:2]), 0, None))
    smaller = min(np.prod(fa[2:] - fa[:2]), np.prod(fb[2:] - fb[:2]))
    return float(inter / max(smaller, 1e-9))


def _footprint_iou(a: PerceivedObject, b: PerceivedObject) -> float:
    fa, fb = _footprint(a), _footprint(b)
    inter = np.prod(np.clip(np.minimum(fa[2:], fb[2:]) - np.maximum(fa[:2], fb[:2]), 0, None))
    union = np.prod(fa[2:] - fa[:2]) + np.prod(fb[2:] - fb[:2]) - inter
    return float(inter / max(union, 1e-9))


def fuse(
    objects: list[PerceivedObject], config: PerceptionConfig = DEFAULT_PERCEPTION
) -> list[PerceivedObject]:
    """Merge detections of the same object from different cameras (and duplicates from one),
    most confident first, repeating until no two merged objects are the same."""
    merged = sorted(objects, key=lambda o: -o.objectness)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            j = next(
                (
                    k
                    for k in range(i + 1, len(merged))
                    if _same_object(merged[i], merged[k], config)
                ),
                None,
            )
            if j is not None:
                _absorb(merged[i], merged.pop(j))
                changed = True
                break
    return merged


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
        if o.container or all(_footprint_iou(o, c) <= config.container_overlap for c in containers)
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
