"""From calibrated RGB-D frames to 3D objects: proposals per camera, deprojected with depth,
fused across cameras, with oriented footprints for grasping.

Only what the cameras give is used: images, depth in metres, K and T_world_cam. No simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from vlmbot.config import Workspace
from vlmbot.geometry import deproject
from vlmbot.types import Detections, Observation, RGBDFrame, SceneObject

MIN_OBJECTNESS = 0.25
MIN_POINTS = 12
MERGE_DISTANCE = 0.045  # metres between centres of the same object seen by two cameras


class RegionModel(Protocol):
    """What perception needs from a model: class-agnostic proposals with region embeddings
    (data["embedding"]), colours (data["lab"]) and masks; and text embeddings to score them."""

    def propose(
        self, image: np.ndarray, depth: np.ndarray | None = None, camera: Any = None
    ) -> Detections: ...

    def encode_text(self, texts: Sequence[str]) -> np.ndarray: ...

    def logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray: ...


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
    model: RegionModel, camera_name: str, frame: RGBDFrame, min_objectness: float = MIN_OBJECTNESS
) -> list[PerceivedObject]:
    """Proposals of one frame, each with its 3D points above the table."""
    if frame.depth is None:
        return []
    proposals = model.propose(frame.rgb, frame.depth, frame.camera)  # masks exclude the table
    objects = []
    for i in range(len(proposals)):
        if proposals.scores[i] < min_objectness or proposals.masks is None:
            continue
        v, u = np.nonzero(proposals.masks[i])
        if len(u) < MIN_POINTS:
            continue
        points = deproject(frame.camera, np.stack([u + 0.5, v + 0.5], axis=1), frame.depth[v, u])
        objects.append(
            PerceivedObject(
                points=points,
                embedding=proposals.data["embedding"][i],
                lab=proposals.data["lab"][i],
                objectness=float(proposals.scores[i]),
                views={camera_name: [float(x) for x in proposals.xyxy[i]]},
            )
        )
    return objects


def fuse(objects: list[PerceivedObject]) -> list[PerceivedObject]:
    """Merge detections of the same object from different cameras (greedy, by xy distance)."""
    merged: list[PerceivedObject] = []
    for obj in sorted(objects, key=lambda o: -o.objectness):
        centre = obj.centroid[:2]
        match = None
        for other in merged:
            if set(other.views) & set(obj.views):
                continue  # one camera never sees the same object twice
            if np.linalg.norm(other.centroid[:2] - centre) < MERGE_DISTANCE:
                match = other
                break
        if match is None:
            merged.append(obj)
            continue
        w_a, w_b = match.objectness, obj.objectness
        embedding = w_a * match.embedding + w_b * obj.embedding
        match.embedding = embedding / max(float(np.linalg.norm(embedding)), 1e-9)
        match.lab = (
            np.nanmean(np.stack([match.lab, obj.lab]), axis=0)
            if not np.isnan(obj.lab).all()
            else match.lab
        )
        match.points = np.concatenate([match.points, obj.points])
        match.views.update(obj.views)
        match.objectness = max(w_a, w_b)
    return merged


def perceive(model: RegionModel, observation: Observation) -> list[PerceivedObject]:
    """All cameras → fused 3D objects, ids in order of position (stable across calls only via
    the tracker in vlmbot.reasoning)."""
    found: list[PerceivedObject] = []
    for name, frame in observation.frames.items():
        found += frame_objects(model, name, frame)
    return fuse(found)


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
