"""The 3D scene graph: objects with category, colour, size, position and extent, and the
spatial relations between them, counted from the workspace's viewer frame."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlmbot import relations
from vlmbot.cell import Workspace
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.relations import box_of
from vlmbot.types import SceneObject

RELATION_WORDS = {
    "left_of": "left of", "right_of": "right of", "in_front_of": "in front of",
    "behind": "behind", "next_to": "next to", "on": "on", "in": "in",
}  # fmt: skip


@dataclass
class GraphObject:
    """A node: the object, its category distribution over the vocabulary, its colour (Lab),
    its region embedding, the camera boxes it was seen in, how wide its top is over its
    footprint (`vlmbot.perception.objects.top_width`; NaN: not measured), and whether some
    camera sees it whole (no frame border cuts it off there; else its extents are partial)."""

    obj: SceneObject
    category_probs: dict[str, float]
    lab: np.ndarray
    embedding: np.ndarray
    views: dict[str, list[float]] = field(default_factory=dict)
    top_width: float = float("nan")
    whole: bool = True

    @property
    def id(self) -> str:
        return self.obj.id

    @property
    def category(self) -> str:
        return self.obj.category

    @property
    def color(self) -> str:
        return self.obj.color or "unknown"

    @property
    def xy(self) -> np.ndarray:
        return np.asarray(self.obj.position[:2])

    @property
    def name(self) -> str:
        """ "red block": colour + the category's canonical name."""
        noun = CONCEPTS[self.category].name if self.category in CONCEPTS else self.category
        return f"{self.color} {noun}" if self.color != "unknown" else noun

    @property
    def is_container(self) -> bool:
        return self.category in CONCEPTS and CONCEPTS[self.category].is_container


@dataclass
class SceneGraph:
    objects: list[GraphObject]
    workspace: Workspace

    def get(self, object_id: str) -> GraphObject:
        for node in self.objects:
            if node.id == object_id:
                return node
        raise KeyError(object_id)

    def viewer_offset(self, a: GraphObject, b: GraphObject) -> np.ndarray:
        """(forward, left) of a relative to b in the viewer frame, metres."""
        return np.asarray(self.workspace.to_viewer(a.xy - b.xy))

    def gap(self, a: GraphObject, b: GraphObject) -> float:
        """Distance between footprints (centre distance minus both radii), metres."""
        return relations.gap(box_of(a.obj), box_of(b.obj))

    def inside(self, a: GraphObject, container: GraphObject) -> bool:
        """a rests in the container (see `vlmbot.relations.inside`)."""
        return relations.inside(box_of(a.obj), box_of(container.obj))

    def on(self, a: GraphObject, base: GraphObject) -> bool:
        return relations.on(box_of(a.obj), box_of(base.obj))

    def relation(self, a: GraphObject, b: GraphObject, relation: str) -> bool:
        """Whether a is `relation` b (left_of, right_of, in_front_of, behind, next_to, near,
        on, in), in the viewer frame (see `vlmbot.relations`)."""
        return relations.holds(
            box_of(a.obj), box_of(b.obj), relation, self.workspace, b.is_container
        )

    def supported_by(self, a: GraphObject) -> GraphObject | None:
        """The object a stands on or in, if any."""
        for other in self.objects:
            if other.id != a.id and (
                self.on(a, other) or (other.is_container and self.inside(a, other))
            ):
                return other
        return None

    def contents(self, container: GraphObject) -> list[GraphObject]:
        return [o for o in self.objects if o.id != container.id and self.inside(o, container)]

    def describe(self) -> str:
        """A few sentences: what stands where, and which containers are empty."""
        if not self.objects:
            return "I see no objects on the table."
        sentences = []
        loose = [o for o in self.objects if not o.is_container and self.supported_by(o) is None]
        for node in loose[:6]:
            others = [o for o in self.objects if o.id != node.id]
            if not others:
                sentences.append(f"A {node.name} stands on the table")
                continue
            nearest = min(others, key=lambda o: float(np.linalg.norm(o.xy - node.xy)))
            relation = next(
                (
                    r
                    for r in ("left_of", "right_of", "in_front_of", "behind")
                    if self.relation(node, nearest, r)
                ),
                "next_to",
            )
            sentences.append(f"A {node.name} stands {RELATION_WORDS[relation]} the {nearest.name}")
        for node in self.objects:
            if node.is_container:
                inside = self.contents(node)
                if inside:
                    names = ", ".join(f"a {o.name}" for o in inside)
                    sentences.append(f"The {node.name} holds {names}")
                else:
                    sentences.append(f"The {node.name} is empty")
            else:
                base = self.supported_by(node)
                if base is not None and not base.is_container:
                    sentences.append(f"A {node.name} sits on the {base.name}")
        return "; ".join(sentences) + "."
