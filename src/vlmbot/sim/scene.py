"""Seeded, collision-free scene layouts with domain randomisation switches."""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import CellCamera, Workspace
from vlmbot.sim.bodies import ObjectSpec
from vlmbot.sim.cameras import Lighting, jittered
from vlmbot.sim.catalog import COLORS, HELDOUT_CATEGORIES, OBJECT_MODELS, allowed_colors
from vlmbot.sim.cells import SimCell, home_cell
from vlmbot.sim.env import SceneSpec

#: Where objects are laid out in the home cell (world frame, metres): inside its workspace.
LAYOUT_X = (0.36, 0.74)
LAYOUT_Y = (-0.34, 0.34)
#: Beyond the arm's reach, still on the table and in the top camera's view.
OUT_OF_REACH_X = (0.95, 1.03)
OUT_OF_REACH_Y = (-0.25, 0.25)
_GAP = 0.025  # clearance between footprints, metres


def layout_region(workspace: Workspace) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a cell's objects are laid out: its workspace less a margin (the home cell's
    LAYOUT_X / LAYOUT_Y for the home workspace)."""
    (x0, x1), (y0, y1) = workspace.x_range, workspace.y_range
    return (x0 + 0.11, x1 - 0.06), (y0 + 0.08, y1 - 0.08)


class LayoutError(RuntimeError):
    """No collision-free layout was found for the requested objects."""


@dataclass(frozen=True)
class Randomization:
    """Domain randomisation switches. Each is off (0 / False) or a strength."""

    lighting: bool = True
    table_color: bool = True
    camera_jitter: float = 0.01  # metres (eye; the target moves half as much)
    color_shade: float = 0.04  # max hue shift; saturation/value vary with it
    distractors: tuple[int, int] = (1, 3)  # how many extra random objects

    @classmethod
    def off(cls) -> Randomization:
        return cls(False, False, 0.0, 0.0, (0, 0))


@dataclass(frozen=True)
class ObjectRequest:
    """An object a task needs. None fields are sampled; region: "reach" or "out_of_reach"."""

    category: str
    color: str | None = None
    scale: float | None = None
    id: str | None = None
    region: str = "reach"
    position: tuple[float, float] | None = None
    support: str | None = None  # id of a requested object to put this one in or on


def shade(
    rgb: tuple[float, float, float], rng: np.random.Generator, strength: float
) -> tuple[float, float, float]:
    """A nearby shade of a colour: small hue, saturation and value changes."""
    if strength <= 0:
        return rgb
    h, s, v = colorsys.rgb_to_hsv(*rgb)
    h = (h + rng.uniform(-strength, strength)) % 1.0
    s = float(np.clip(s * rng.uniform(1 - 2 * strength, 1 + strength), 0, 1))
    v = float(np.clip(v * rng.uniform(1 - 3 * strength, 1 + strength), 0, 1))
    return tuple(round(c, 4) for c in colorsys.hsv_to_rgb(h, s, v))  # type: ignore[return-value]


def distractor_categories(split: str) -> list[str]:
    """Categories a random distractor may take: never a held-out category outside its split."""
    return [
        c
        for c, model in OBJECT_MODELS.items()
        if model.concept.graspable
        and (split == "heldout_categories" or c not in HELDOUT_CATEGORIES)
    ]


class SceneSampler:
    """Turns object requests + a seeded generator into a SceneSpec."""

    def __init__(
        self,
        rng: np.random.Generator,
        split: str = "seen",
        randomization: Randomization | None = None,
        cameras: Sequence[CellCamera] | None = None,
        cell: SimCell | None = None,
    ) -> None:
        """cell: the simulated robot cell the scene is for (default: home); its cameras unless
        `cameras` is given, its vocabulary, workspace, gripper and object variation."""
        self.rng = rng
        self.split = split
        self.randomization = randomization or Randomization()
        self.cell = cell or home_cell()
        self.cameras = tuple(cameras) if cameras is not None else self.cell.robot.cameras
        self.layout = layout_region(self.cell.robot.workspace)

    def pick_color(self, category: str, exclude: Sequence[str] = ()) -> str:
        options = [c for c in allowed_colors(category, self.split) if c not in exclude]
        if not options:
            raise LayoutError(f"no colour left for {category}")
        return str(self.rng.choice(options))

    def sample(
        self,
        requests: Sequence[ObjectRequest],
        distractors: int | None = None,
        distractor_filter: Sequence[str] | None = None,
    ) -> SceneSpec:
        """Lay out the requested objects (big ones first), then random distractors.

        distractor_filter: categories distractors must not take (keeps references unique).
        """
        rng, rand = self.rng, self.randomization
        if distractors is None:
            low, high = rand.distractors
            distractors = int(rng.integers(low, high + 1)) if high > 0 else 0
        banned = set(distractor_filter or ())
        vocabulary = self.cell.vocabulary
        extra_categories = [
            c
            for c in distractor_categories(self.split)
            if c not in banned and (vocabulary is None or c in vocabulary)
        ]
        requests = list(requests) + [
            ObjectRequest(str(rng.choice(extra_categories))) for _ in range(distractors)
        ]
        placed: list[ObjectSpec] = []
        order = sorted(
            range(len(requests)),
            key=lambda i: (
                requests[i].support is not None,
                -OBJECT_MODELS[requests[i].category].shape.size[0],
            ),
        )
        specs: dict[int, ObjectSpec] = {}
        for index in order:
            spec = self._place(
                requests[index], index, placed, required=index < len(requests) - distractors
            )
            if spec is not None:
                specs[index] = spec
                placed.append(spec)
        objects = tuple(specs[i] for i in sorted(specs))
        if self.cell.variation is not None:  # a drawn cell: its own look, its own cameras
            look = self.cell.appearance
            return SceneSpec(
                objects=objects,
                table_rgb=look.table_rgb,
                lighting=look.lighting,
                cameras=self.cameras,
                table_texture=look.table_texture,
                floor_rgb=look.floor_rgb,
                floor_texture=look.floor_texture,
            )
        return SceneSpec(
            objects=objects,
            table_rgb=self._table_rgb(),
            lighting=self._lighting(),
            cameras=tuple(
                jittered(camera, rng, rand.camera_jitter, rand.camera_jitter / 2)
                if rand.camera_jitter
                else camera
                for camera in self.cameras
            ),
        )

    def _place(
        self, request: ObjectRequest, index: int, placed: list[ObjectSpec], required: bool
    ) -> ObjectSpec | None:
        rng = self.rng
        model = OBJECT_MODELS[request.category]
        color = request.color or self.pick_color(request.category)
        scale = (
            request.scale if request.scale is not None else float(rng.uniform(*model.scale_range))
        )
        yaw = float(rng.uniform(-np.pi, np.pi))
        stretch, profile = (1.0, 1.0, 1.0), 0.28
        if self.cell.variation is not None:
            scale, stretch, profile = self._variant(request, scale)
        if request.support is not None:
            return self._place_on_support(request, index, placed, color, scale, yaw)
        spec = ObjectSpec(
            id=request.id or f"obj{index}",
            category=request.category,
            color=color,
            rgb=shade(COLORS[color].rgb, rng, self.randomization.color_shade),
            scale=round(scale, 4),
            position=(0.0, 0.0),
            yaw=round(yaw, 4),
            stretch=stretch,
            profile=profile,
        )
        x_range, y_range = (
            self.layout if request.region == "reach" else (OUT_OF_REACH_X, OUT_OF_REACH_Y)
        )
        radius = spec.footprint_radius
        for _ in range(400):
            if request.position is not None:
                xy = np.asarray(request.position)
            else:
                xy = rng.uniform([x_range[0], y_range[0]], [x_range[1], y_range[1]])
            if request.region == "reach":
                # Keep the whole footprint inside the layout area.
                xy = np.clip(
                    xy,
                    [x_range[0] + radius - 0.04, y_range[0] + radius - 0.04],
                    [x_range[1] - radius + 0.04, y_range[1] - radius + 0.04],
                )
            if all(
                np.hypot(*(xy - other.position)) > radius + other.footprint_radius + _GAP
                for other in placed
            ):
                return ObjectSpec(
                    **{
                        **spec.__dict__,
                        "position": (round(float(xy[0]), 4), round(float(xy[1]), 4)),
                    }
                )
            if request.position is not None:
                break
        if required:
            raise LayoutError(f"no free spot for a {request.category}")
        return None

    def _place_on_support(
        self,
        request: ObjectRequest,
        index: int,
        placed: list[ObjectSpec],
        color: str,
        scale: float,
        yaw: float,
    ) -> ObjectSpec | None:
        """Drop an object into a container or onto another object; physics settles it."""
        support = next((o for o in placed if o.id == request.support), None)
        if support is None:
            return None
        container = OBJECT_MODELS[support.category].concept.is_container
        reach = 0.25 * float(min(support.size[:2])) if container else 0.0
        xy = np.asarray(support.position) + self.rng.uniform(-reach, reach, 2)
        elevation = 0.35 * support.size[2] if container else support.size[2] + 0.003
        return ObjectSpec(
            id=request.id or f"obj{index}",
            category=request.category,
            color=color,
            rgb=shade(COLORS[color].rgb, self.rng, self.randomization.color_shade),
            scale=round(scale, 4),
            position=(round(float(xy[0]), 4), round(float(xy[1]), 4)),
            yaw=round(yaw, 4),
            elevation=round(float(elevation), 4),
        )

    def _variant(
        self, request: ObjectRequest, scale: float
    ) -> tuple[float, tuple[float, float, float], float]:
        """A drawn cell's size and shape variant of a category: (scale, stretch, bowl profile).
        Containers vary less (things must still fit in them); an item stays holdable by the
        cell's gripper."""
        assert self.cell.variation is not None
        rng, variation = self.rng, self.cell.variation
        model = OBJECT_MODELS[request.category]
        low, high = variation.size_range
        if model.concept.is_container:
            low, high = max(low, 0.8), min(high, 1.35)
        if request.scale is None:
            scale = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        stretch = np.ones(3)
        if model.shape.stretchable:
            stretch = np.exp(rng.normal(0.0, variation.stretch_sigma, 3))
            if model.shape.kind in ("cylinder", "bowl", "revolve"):
                stretch[1] = stretch[0]  # round things stay round
        profile = float(rng.uniform(*variation.bowl_base_range))
        if model.concept.graspable:
            narrow = float(min((np.asarray(model.shape.size) * stretch)[:2]))
            gripper = self.cell.robot.gripper
            if gripper.suction:
                scale = max(scale, (gripper.cup_diameter + 0.006) / max(narrow, 1e-6))
            else:
                limit = gripper.max_opening - gripper.clearance - 0.012
                scale = min(scale, limit / max(narrow, 1e-6))
        return round(scale, 4), tuple(round(float(v), 4) for v in stretch), round(profile, 3)  # type: ignore[return-value]

    def _table_rgb(self) -> tuple[float, float, float]:
        if not self.randomization.table_color:
            return (0.62, 0.60, 0.57)
        base = [
            (0.62, 0.60, 0.57),
            (0.70, 0.62, 0.50),
            (0.45, 0.45, 0.47),
            (0.78, 0.78, 0.76),
            (0.55, 0.47, 0.40),
        ]
        rgb = np.asarray(base[int(self.rng.integers(len(base)))]) + self.rng.uniform(-0.04, 0.04, 3)
        return tuple(float(v) for v in np.clip(rgb, 0, 1).round(4))  # type: ignore[return-value]

    def _lighting(self) -> Lighting:
        if not self.randomization.lighting:
            return Lighting()
        rng = self.rng
        direction = (
            float(rng.uniform(-1, 1)),
            float(rng.uniform(-1, 1)),
            float(rng.uniform(0.8, 1.6)),
        )
        return Lighting(
            direction=tuple(round(v, 3) for v in direction),  # type: ignore[arg-type]
            ambient=round(float(rng.uniform(0.45, 0.75)), 3),
            diffuse=round(float(rng.uniform(0.3, 0.6)), 3),
            specular=round(float(rng.uniform(0.0, 0.15)), 3),
        )
