"""The spatial relations, each defined once: in, on, next to, near, left of, right of, in front
of, behind. The scene graph, grounding, the task generator and the success checks all use these
functions, so a change here changes what every stage means by a word, alike.

Objects are oriented boxes in the world frame (metres, radians). Directions are counted in the
viewer frame of the workspace (`Workspace.to_viewer`: forward, left).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.cell import Workspace
from vlmbot.errors import InputError
from vlmbot.geometry import to_local_xy
from vlmbot.types import SceneObject

#: Unit directions (forward, left) in the viewer frame for each directional relation.
RELATION_DIRECTIONS: dict[str, tuple[float, float]] = {
    "left_of": (0.0, 1.0),
    "right_of": (0.0, -1.0),
    "in_front_of": (-1.0, 0.0),
    "behind": (1.0, 0.0),
}
RELATIONS = ("in", "on", "next_to", "near", *RELATION_DIRECTIONS)


@dataclass(frozen=True)
class RelationConfig:
    """next_to_gap / near_gap: metres between footprints within which two objects are next
    to / near each other; direction_min: metres an object must lie in the direction;
    direction_cone: the share of the distance that must lie in that direction;
    inside_fraction: an object is in a container when its centre lies within this fraction of
    the container's size from its centre (per axis for boxes, radially for round ones);
    rim_fraction: its bottom at most this fraction of the container's height above the
    container's bottom; support_fraction / support_min: "on" needs the centre within this
    fraction of the base's narrow side (at least support_min metres); contact: metres between
    the top of the base and the bottom of what is on it; tolerance: metres of measurement
    slack on heights."""

    next_to_gap: float = 0.10
    near_gap: float = 0.20
    direction_min: float = 0.02
    direction_cone: float = 0.7
    inside_fraction: float = 0.42
    rim_fraction: float = 0.6
    support_fraction: float = 0.5
    support_min: float = 0.02
    contact: float = 0.025
    tolerance: float = 0.01

    def __post_init__(self) -> None:
        for name in ("direction_cone", "inside_fraction", "rim_fraction", "support_fraction"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise InputError(f"RelationConfig.{name} must be in (0, 1]")
        for name in ("next_to_gap", "near_gap", "direction_min", "support_min", "contact"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise InputError(f"RelationConfig.{name} must be in (0, 1] metres")
        if self.near_gap < self.next_to_gap:
            raise InputError("RelationConfig: near_gap must be at least next_to_gap")


DEFAULT_RELATIONS = RelationConfig()


@dataclass(frozen=True)
class Box:
    """An object's oriented box: centre (3,) world frame, size (3,) along its own axes (x and y
    rotated by yaw about z, z up), yaw radians; round: a round footprint (bowls, plates)."""

    centre: np.ndarray
    size: np.ndarray
    yaw: float = 0.0
    round: bool = False

    @property
    def xy(self) -> np.ndarray:
        return np.asarray(self.centre[:2], dtype=float)

    @property
    def bottom_z(self) -> float:
        return float(self.centre[2] - self.size[2] / 2)

    @property
    def top_z(self) -> float:
        return float(self.centre[2] + self.size[2] / 2)

    @property
    def footprint_radius(self) -> float:
        """Radius (metres) of the circle that holds the footprint at any yaw."""
        return float(np.hypot(self.size[0], self.size[1]) / 2)


ROUND_CONTAINERS = frozenset({"bowl", "plate"})


def box_of(obj: SceneObject) -> Box:
    return Box(obj.position, obj.extent, obj.yaw, obj.category in ROUND_CONTAINERS)


def gap(a: Box, b: Box) -> float:
    """Distance between footprints: centre distance minus both radii (metres; < 0 overlaps)."""
    return float(np.linalg.norm(a.xy - b.xy)) - a.footprint_radius - b.footprint_radius


def inside(a: Box, container: Box, config: RelationConfig = DEFAULT_RELATIONS) -> bool:
    """a rests in the container: its centre well within the footprint, its bottom below the
    rim region (not balanced on the rim, not floating above)."""
    local = to_local_xy(a.xy - container.xy, container.yaw)
    if container.round:
        within = bool(np.hypot(*local) < config.inside_fraction * float(min(container.size[:2])))
    else:
        within = bool(np.all(np.abs(local) < config.inside_fraction * container.size[:2]))
    low = container.bottom_z - config.tolerance
    high = container.bottom_z + config.rim_fraction * float(container.size[2]) + config.tolerance
    return within and low <= a.bottom_z <= high


def on(a: Box, base: Box, config: RelationConfig = DEFAULT_RELATIONS) -> bool:
    """a stands on top of base: centred on it, touching its top, and higher."""
    support = max(config.support_fraction * float(min(base.size[:2])), config.support_min)
    centred = float(np.linalg.norm(a.xy - base.xy)) < support
    touching = abs(a.bottom_z - base.top_z) < config.contact
    return centred and touching and a.top_z > base.top_z


def in_direction(
    a: Box, b: Box, relation: str, viewer: Workspace, config: RelationConfig = DEFAULT_RELATIONS
) -> bool:
    """a lies `relation` (left_of, right_of, in_front_of, behind) of b in the viewer frame."""
    offset = viewer.to_viewer(a.xy - b.xy)
    along = float(offset @ np.asarray(RELATION_DIRECTIONS[relation]))
    distance = float(np.linalg.norm(offset))
    return along > config.direction_min and along >= config.direction_cone * distance


def holds(
    a: Box,
    b: Box,
    relation: str,
    viewer: Workspace,
    b_is_container: bool = False,
    config: RelationConfig = DEFAULT_RELATIONS,
) -> bool:
    """Whether `a relation b` holds. "on" a container also holds when a is in it ("on the
    tray", "on the plate")."""
    if relation == "in":
        return inside(a, b, config)
    if relation == "on":
        return on(a, b, config) or (b_is_container and inside(a, b, config))
    if relation == "next_to":
        return gap(a, b) < config.next_to_gap
    if relation == "near":
        return gap(a, b) < config.near_gap
    if relation in RELATION_DIRECTIONS:
        return in_direction(a, b, relation, viewer, config)
    raise InputError(f"unknown relation {relation!r}; relations: {', '.join(RELATIONS)}")
