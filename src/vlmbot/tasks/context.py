"""What a task family generator works with: a seeded RNG, the split, a scene sampler, words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import DEFAULT_WORKSPACE, Workspace
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.sim.bodies import ObjectSpec
from vlmbot.sim.catalog import HELDOUT_CATEGORIES, OBJECT_MODELS, allowed_colors, heldout_colors_of
from vlmbot.sim.env import SceneSpec
from vlmbot.sim.scene import LayoutError, ObjectRequest, SceneSampler
from vlmbot.tasks.wording import Wording
from vlmbot.types import SceneObject

GRASPABLE = tuple(c for c, m in CONCEPTS.items() if m.graspable)
#: Containers a task may put things in (a cell uses those it has: `TaskContext.in_cell`).
CONTAINERS = ("tray", "bowl", "plate", "basket")


@dataclass
class TaskContext:
    rng: np.random.Generator
    split: str
    sampler: SceneSampler
    wording: Wording
    workspace: Workspace = DEFAULT_WORKSPACE

    def choose(self, options: Sequence[str]) -> str:
        """One of the options; a cell that has none (e.g. no round object a suction cup can
        hold) is a LayoutError, so the episode draws again."""
        if not options:
            raise LayoutError("this cell has nothing this task can use")
        return str(options[int(self.rng.integers(len(options)))])

    def in_cell(self, pool: Sequence[str]) -> list[str]:
        """The categories of `pool` that the cell has and its gripper can hold."""
        cell = self.sampler.cell
        vocabulary = cell.vocabulary
        suction = cell.robot.gripper.suction
        return [
            c
            for c in pool
            if (vocabulary is None or c in vocabulary)
            and not (suction and CONCEPTS[c].graspable and not CONCEPTS[c].flat_top)
        ]

    def categories(self, pool: Sequence[str]) -> list[str]:
        """The categories of `pool` this split may use as the object a task is about."""
        pool = self.in_cell(pool)
        if self.split == "heldout_categories":
            held = [c for c in pool if c in HELDOUT_CATEGORIES]
            if held:
                return held
        usable = [c for c in pool if c not in HELDOUT_CATEGORIES]
        if self.split == "heldout_colors":
            with_combo = [c for c in usable if heldout_colors_of(c)]
            return with_combo or usable
        return usable

    def target_color(self, category: str, exclude: Sequence[str] = ()) -> str:
        """A colour for the object a task is about: a held-out combination in heldout_colors."""
        if self.split == "heldout_colors":
            options = [c for c in heldout_colors_of(category) if c not in exclude]
            if options:
                return self.choose(options)
        return self.sampler.pick_color(category, exclude)

    def other_colors(self, category: str, exclude: Sequence[str], n: int) -> list[str]:
        """n distinct colours for same-category companions, never a held-out combination."""
        options = [c for c in allowed_colors(category, "seen") if c not in exclude]
        picked = self.rng.choice(options, size=n, replace=False)
        return [str(c) for c in picked]

    def name(self, category: str) -> str:
        return self.wording.name(category)

    def describe(self, spec: ObjectSpec, scene: SceneSpec, always_color: bool = False) -> str:
        """The shortest description that singles the object out: name, or colour + name."""
        same = [o for o in scene.objects if o.category == spec.category and o.id != spec.id]
        name = self.name(spec.category)
        if same or always_color or self.rng.random() < 0.35:
            return f"{self.wording.color(spec.color)} {name}"
        return name


def scene_objects(scene: SceneSpec) -> list[SceneObject]:
    """Scene objects as laid out in the spec (before physics settles): for feasibility checks."""
    objects = []
    for spec in scene.objects:
        size = spec.size
        objects.append(
            SceneObject(
                id=spec.id,
                category=spec.category,
                position=np.array([spec.position[0], spec.position[1], size[2] / 2]),
                extent=size,
                yaw=spec.yaw,
                color=spec.color,
            )
        )
    return objects


def request(
    category: str, color: str | None = None, id: str | None = None, **kwargs: object
) -> ObjectRequest:
    return ObjectRequest(category=category, color=color, id=id, **kwargs)  # type: ignore[arg-type]


def fits_container(category: str, container: str) -> bool:
    """Long objects do not fit in bowls."""
    size = OBJECT_MODELS[category].shape.size
    return not (container == "bowl" and max(size[:2]) > 0.09)
