"""Simulated robot cells: the robot's description (`vlmbot.cell.RobotCell`, what the agent
knows) plus what only the simulator needs: how the cell looks (lights, table, floor, material)
and how its objects vary (sizes, procedural shape variants).

`random_cell(seed, family)` draws a cell: 1-3 cameras at heights 0.5-1.3 m around the table
with fields of view and resolutions from 224x224 to 1280x720; light direction, intensity and
colour temperature; table and floor colours and textures; per-category size x0.6-1.6 and shape
variants; a Franka Panda (parallel fingers) or a KUKA iiwa (suction cup). The `heldout` family
never appears in training: its own seeds, an arm never trained on (a UFactory xArm 6 with a
suction cup) and a lighting/material family never trained on (low, warm or cold, glossy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.cell import (
    HOME_CELL,
    CellCamera,
    Gripper,
    RobotBase,
    RobotCell,
    Workspace,
    load_cell,
)
from vlmbot.errors import InputError
from vlmbot.sim.cameras import Lighting

FAMILIES = ("home", "train", "heldout")
#: Seeds of held-out cells start here; training cells draw below it.
HELDOUT_SEED_BASE = 1_000_000
TEXTURES = ("plain", "checker", "stripes", "noise")
#: Camera resolutions (width, height) a random cell may have.
RESOLUTIONS = ((224, 224), (320, 240), (480, 360), (640, 480), (848, 480), (1280, 720))


@dataclass(frozen=True)
class Appearance:
    """How a cell looks: lighting (direction, coefficients, colour), table and floor colours
    and textures (plain, checker, stripes, noise). The agent never sees these numbers."""

    lighting: Lighting = field(default_factory=Lighting)
    table_rgb: tuple[float, float, float] = (0.62, 0.60, 0.57)
    table_texture: str = "plain"
    floor_rgb: tuple[float, float, float] | None = None
    floor_texture: str = "plain"

    def __post_init__(self) -> None:
        for name in ("table_texture", "floor_texture"):
            if getattr(self, name) not in TEXTURES:
                raise InputError(f"appearance {name} must be one of {', '.join(TEXTURES)}")


@dataclass(frozen=True)
class ObjectVariation:
    """How objects vary in this cell: a size factor range for every category, the spread of
    per-axis stretches of stretchable shapes, and the floor width range of bowls."""

    size_range: tuple[float, float] = (0.6, 1.6)
    stretch_sigma: float = 0.18
    bowl_base_range: tuple[float, float] = (0.15, 0.42)


@dataclass(frozen=True)
class SimCell:
    """A robot cell in the simulator. variation None: the home cell's nominal objects;
    vocabulary: the object categories its scenes use (None: every category)."""

    robot: RobotCell
    appearance: Appearance = field(default_factory=Appearance)
    variation: ObjectVariation | None = None
    family: str = "home"
    seed: int | None = None

    @property
    def name(self) -> str:
        return self.robot.name

    @property
    def vocabulary(self) -> frozenset[str] | None:
        """The object categories its scenes use (the robot cell's own; None: every one)."""
        return None if self.robot.vocabulary is None else frozenset(self.robot.vocabulary)


def home_cell() -> SimCell:
    return SimCell(HOME_CELL)


# --- drawing cells ----------------------------------------------------------------------------
_ARMS = {
    "panda": (Gripper("parallel"), 0.855, Workspace()),
    "kuka_iiwa": (Gripper("suction", cup_diameter=0.022), 0.80, Workspace()),
    "xarm6": (
        Gripper("suction", cup_diameter=0.022),
        0.70,
        Workspace(x_range=(0.25, 0.66), y_range=(-0.36, 0.36)),
    ),
}


def random_cell(seed: int, family: str = "train") -> SimCell:
    """A cell drawn from a seed (see module docstring). Deterministic for (seed, family)."""
    if family not in ("train", "heldout"):
        raise InputError(f"random cells are train or heldout, not {family!r}")
    offset = HELDOUT_SEED_BASE if family == "heldout" else 0
    rng = np.random.default_rng([seed + offset, FAMILIES.index(family)])
    arm = _arm(rng, family)
    gripper, reach, workspace = _ARMS[arm]
    cameras = _cameras(rng, workspace)
    robot = RobotCell(
        name=f"{family}-{seed}",
        workspace=workspace,
        gripper=gripper,
        cameras=cameras,
        base=RobotBase(reach=reach),
        arm=arm,
    )
    appearance = _appearance(rng, heldout_look=family == "heldout" and rng.random() < 0.5)
    return SimCell(robot, appearance, ObjectVariation(), family, seed)


def _arm(rng: np.random.Generator, family: str) -> str:
    if family == "heldout":
        return str(rng.choice(["xarm6", "panda", "kuka_iiwa"], p=[0.5, 0.25, 0.25]))
    return str(rng.choice(["panda", "kuka_iiwa"]))


def _cameras(rng: np.random.Generator, workspace: Workspace) -> tuple[CellCamera, ...]:
    centre = np.array([np.mean(workspace.x_range), np.mean(workspace.y_range), 0.0])
    cameras = []
    azimuths = rng.uniform(-2.6, 2.6, size=int(rng.integers(1, 4)))  # never behind the arm
    for i, azimuth in enumerate(np.sort(azimuths)):
        height = rng.uniform(0.5, 1.3)
        radius = rng.uniform(0.35, 0.9)
        eye = centre + np.array([radius * np.cos(azimuth), radius * np.sin(azimuth), height])
        target = centre + np.array([*rng.normal(0, 0.05, 2), 0.0])
        width, height_px = RESOLUTIONS[int(rng.integers(len(RESOLUTIONS)))]
        distance = float(np.linalg.norm(eye - target))
        # Wide enough to see the workspace from here, but not much wider.
        needed = np.degrees(2 * np.arctan(0.42 / distance))
        fov = float(np.clip(needed * rng.uniform(1.0, 1.35), 35.0, 85.0))
        cameras.append(
            CellCamera.looking_at(f"cam{i}", tuple(eye), tuple(target), fov, (width, height_px))
        )
    return tuple(cameras)


def color_temperature_rgb(kelvin: float) -> tuple[float, float, float]:
    """Approximate RGB (max channel 1) of a black body at `kelvin` (1000-40000 K)."""
    t = np.clip(kelvin, 1000.0, 40000.0) / 100.0
    red = 1.0 if t <= 66 else min(1.0, 1.292936 * (t - 60) ** -0.1332047592)
    green = (
        0.390081579 * np.log(t) - 0.631841444 if t <= 66 else 1.129890861 * (t - 60) ** -0.0755148
    )
    blue = 1.0 if t >= 66 else (0.0 if t <= 19 else 0.543206789 * np.log(t - 10) - 1.196254089)
    rgb = np.clip([red, green, blue], 0.0, 1.0)
    return tuple(float(v) for v in rgb / rgb.max())  # type: ignore[return-value]


def _appearance(rng: np.random.Generator, heldout_look: bool) -> Appearance:
    if heldout_look:  # never trained on: a low light, strongly warm or cold, glossy surfaces
        kelvin = float(rng.choice([rng.uniform(2400, 3000), rng.uniform(9000, 12000)]))
        elevation = rng.uniform(0.15, 0.35)
        ambient, diffuse, specular = rng.uniform(0.35, 0.5), rng.uniform(0.55, 0.75), 0.45
    else:
        kelvin = rng.uniform(3200, 8000)
        elevation = rng.uniform(0.45, 1.4)
        ambient, diffuse, specular = rng.uniform(0.45, 0.75), rng.uniform(0.3, 0.6), 0.05
    azimuth = rng.uniform(-np.pi, np.pi)
    direction = (np.cos(azimuth), np.sin(azimuth), np.tan(elevation))
    lighting = Lighting(
        direction=tuple(float(v) for v in direction),  # type: ignore[arg-type]
        ambient=float(ambient),
        diffuse=float(diffuse),
        specular=float(specular),
        color=color_temperature_rgb(kelvin),
    )
    return Appearance(
        lighting=lighting,
        table_rgb=_surface(rng),
        table_texture=str(rng.choice(TEXTURES)),
        floor_rgb=_surface(rng),
        floor_texture=str(rng.choice(TEXTURES)),
    )


def _surface(rng: np.random.Generator) -> tuple[float, float, float]:
    """A table or floor colour: mostly muted (wood, grey, laminate), sometimes saturated."""
    if rng.random() < 0.75:
        base = rng.uniform(0.25, 0.85)
        tint = rng.normal(0, 0.06, 3)
        rgb = np.clip(base + tint + np.array([0.04, 0.0, -0.04]) * rng.uniform(0, 2), 0.05, 0.95)
    else:
        rgb = rng.uniform(0.1, 0.9, 3)
    return tuple(float(v) for v in rgb)  # type: ignore[return-value]


# --- cell sets ----------------------------------------------------------------------------------
CELL_SETS = ("home", "heldout")


def cell_set(name: str, count: int = 12) -> list[SimCell]:
    """The named set of evaluation cells: `home` (today's cell) or `heldout` (count cells of
    the held-out family, seeds 0..count-1)."""
    if name == "home":
        return [home_cell()]
    if name == "heldout":
        return [random_cell(seed, "heldout") for seed in range(count)]
    raise InputError(f"unknown cell set {name!r}; cell sets: {', '.join(CELL_SETS)}")


def resolve_cell(name: str) -> SimCell:
    """A cell by name: "home", "train-N" or "heldout-N" (drawn from seed N), or a cell file."""
    if name == "home":
        return home_cell()
    family, _, number = name.rpartition("-")
    if family in ("train", "heldout") and number.isdigit():
        return random_cell(int(number), family)
    if Path(name).suffix == ".json":
        return load_sim_cell(name)
    raise InputError(f"unknown cell {name!r}: use home, train-N, heldout-N or a cell file")


# --- files --------------------------------------------------------------------------------------
def load_sim_cell(path: str | Path) -> SimCell:
    """A cell file for the simulator: a RobotCell JSON (see `vlmbot.cell.load_cell`), with an
    optional "sim" object {"lighting": {...}, "table_rgb": [...], "table_texture": ...,
    "floor_rgb": [...], "vary_objects": bool}."""
    robot = load_cell(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8")).get("sim", {})
    except (OSError, ValueError, AttributeError):
        data = {}
    return _with_sim_block(SimCell(robot, family="file"), data, str(path))


def _with_sim_block(cell: SimCell, data: Any, where: str) -> SimCell:
    if not isinstance(data, dict):
        raise InputError(f"{where}: 'sim' must be an object")
    allowed = {
        "lighting",
        "table_rgb",
        "table_texture",
        "floor_rgb",
        "floor_texture",
        "vary_objects",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"{where}: 'sim' has unknown keys {unknown}; allowed: {sorted(allowed)}")
    try:
        light = dict(data.get("lighting", {}))
        for key in ("direction", "color"):
            if key in light:
                light[key] = tuple(float(v) for v in light[key])
        lighting = Lighting(**light)
        appearance = Appearance(
            lighting=lighting,
            table_rgb=tuple(data.get("table_rgb", Appearance().table_rgb)),
            table_texture=data.get("table_texture", "plain"),
            floor_rgb=tuple(data["floor_rgb"]) if "floor_rgb" in data else None,
            floor_texture=data.get("floor_texture", "plain"),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: bad 'sim' block: {exc}") from None
    variation = ObjectVariation() if data.get("vary_objects", True) else None
    return replace(cell, appearance=appearance, variation=variation)
