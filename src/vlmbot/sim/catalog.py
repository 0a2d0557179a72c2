"""How each object category is built and coloured in the simulator, and the split rules.

The meaning of categories (names, affordances) lives in `vlmbot.lexicon.concepts`; this module adds
what only the simulator needs: shapes, meshes, sizes, render colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.cell import HOME_CELL
from vlmbot.lexicon.concepts import CONCEPTS, Concept


@dataclass(frozen=True)
class Color:
    """A named render colour. rgb in [0, 1]."""

    name: str
    rgb: tuple[float, float, float]


#: Colours objects are rendered in. Their names are the words the task suite uses.
COLORS: dict[str, Color] = {
    c.name: c
    for c in (
        Color("red", (0.85, 0.10, 0.10)),
        Color("green", (0.10, 0.65, 0.15)),
        Color("blue", (0.10, 0.25, 0.90)),
        Color("yellow", (0.95, 0.85, 0.10)),
        Color("orange", (1.00, 0.50, 0.05)),
        Color("purple", (0.50, 0.15, 0.70)),
        Color("pink", (1.00, 0.45, 0.70)),
        Color("cyan", (0.05, 0.80, 0.85)),
        Color("brown", (0.50, 0.30, 0.12)),
        Color("white", (0.95, 0.95, 0.95)),
        Color("black", (0.08, 0.08, 0.08)),
    )
}


@dataclass(frozen=True)
class Shape:
    """How to build a body. kind: box | cylinder | sphere | mesh | bowl | plate | tray |
    revolve (a surface of revolution, `profile` names it: ring, bottle, cone, egg, basket) |
    polyhedron (`profile`: pyramid, wedge, star) | banana.

    size: world extent (x, y, z) in metres at scale 1 and yaw 0.
    mesh / mesh_scale / mesh_rpy: a pybullet_data file, its scale and the rotation that makes
    it stand upright (z up). keep_texture: tint the mesh's texture instead of replacing it.
    mass 0 makes a static body (containers). lying: a cylinder whose axis is x (a marker).
    stretchable: the shape may be stretched per axis (procedural variants of a category).
    """

    kind: str
    size: tuple[float, float, float]
    mesh: str | None = None
    mesh_scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    mesh_rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)
    keep_texture: bool = False
    mass: float = 0.1
    friction: float = 1.0
    box_collision: bool = False  # collide as a box of `size` (meshes whose hulls tip over)
    profile: str | None = None
    lying: bool = False
    stretchable: bool = False


@dataclass(frozen=True)
class ObjectModel:
    """A category as the simulator builds it: its concept, shape, colours and size range."""

    concept: Concept
    shape: Shape
    colors: tuple[str, ...]
    scale_range: tuple[float, float] = (0.9, 1.1)

    @property
    def category(self) -> str:
        return self.concept.category


_HALF_PI = float(np.pi / 2)
_ALL = tuple(COLORS)
_NOT_BLACK = tuple(c for c in COLORS if c != "black")

_SHAPES: dict[str, tuple[Shape, tuple[str, ...], tuple[float, float]]] = {
    "block": (Shape("box", (0.045, 0.045, 0.045)), _ALL, (0.8, 1.15)),
    "cylinder": (Shape("cylinder", (0.044, 0.044, 0.06), stretchable=True), _ALL, (0.9, 1.1)),
    "sphere": (Shape("sphere", (0.05, 0.05, 0.05), friction=1.5), _ALL, (0.9, 1.1)),
    "mug": (
        Shape("mesh", (0.057, 0.085, 0.07), "objects/mug.obj", (0.7, 0.7, 0.7)),
        _NOT_BLACK,
        (0.95, 1.05),
    ),
    "duck": (
        Shape("mesh", (0.066, 0.046, 0.062), "duck.obj", (0.04,) * 3, (_HALF_PI, 0, 0)),
        ("yellow", "orange", "pink", "white", "green", "blue", "red"),
        (0.95, 1.05),
    ),
    "teddy_bear": (
        Shape(
            "mesh",
            (0.053, 0.044, 0.065),
            "teddy2_VHACD_CHs.obj",
            (0.07,) * 3,
            (_HALF_PI, 0, 0),
            box_collision=True,
        ),
        ("brown", "pink", "white", "yellow", "red", "blue"),
        (0.95, 1.05),
    ),
    "lego_brick": (
        Shape("mesh", (0.042, 0.042, 0.030), "lego/lego.obj", (0.13,) * 3, (_HALF_PI, 0, 0)),
        _ALL,
        (0.95, 1.05),
    ),
    "jenga_block": (
        Shape("mesh", (0.12, 0.035, 0.03), "jenga/jenga.obj", (0.12, 0.035, 0.03)),
        ("brown", "yellow", "orange", "white", "red", "green"),
        (0.95, 1.05),
    ),
    "domino": (
        Shape(
            "mesh", (0.040, 0.082, 0.015), "domino/domino.obj", (1.6, 2.5, 1.6), (_HALF_PI, 0, 0)
        ),
        ("white", "black", "yellow", "red", "blue"),
        (0.95, 1.05),
    ),
    "soccer_ball": (
        Shape(
            "mesh",
            (0.06, 0.06, 0.06),
            "soccerball.obj",
            (0.06,) * 3,
            keep_texture=True,
            friction=1.5,
        ),
        ("white", "yellow", "orange", "blue", "red"),
        (0.95, 1.05),
    ),
    "bowl": (
        Shape("bowl", (0.15, 0.15, 0.05), mass=0.0, stretchable=True),
        _NOT_BLACK,
        (0.95, 1.1),
    ),
    "plate": (Shape("plate", (0.17, 0.17, 0.015), mass=0.0), _NOT_BLACK, (0.95, 1.1)),
    "tray": (
        Shape("tray", (0.27, 0.27, 0.045), "tray/traybox.urdf", mass=0.0),
        ("white", "black", "blue", "green", "red", "yellow", "brown"),
        (0.95, 1.05),
    ),
}

_PLAIN = ("red", "green", "blue", "yellow", "orange", "purple", "white", "black", "brown")
_SHAPES.update(
    {
        "box": (Shape("box", (0.07, 0.045, 0.035), stretchable=True), _ALL, (0.9, 1.1)),
        "ring": (Shape("revolve", (0.07, 0.07, 0.018), profile="ring"), _ALL, (0.9, 1.1)),
        "disk": (Shape("cylinder", (0.06, 0.06, 0.009)), _ALL, (0.9, 1.1)),
        "bottle": (
            Shape("revolve", (0.048, 0.048, 0.13), profile="bottle", stretchable=True),
            _ALL,
            (0.9, 1.1),
        ),
        "cone": (Shape("revolve", (0.06, 0.06, 0.07), profile="cone"), _ALL, (0.9, 1.1)),
        "pyramid": (Shape("polyhedron", (0.06, 0.06, 0.05), profile="pyramid"), _ALL, (0.9, 1.1)),
        "wedge": (Shape("polyhedron", (0.07, 0.045, 0.04), profile="wedge"), _ALL, (0.9, 1.1)),
        "banana": (
            Shape("banana", (0.15, 0.05, 0.035), friction=1.2, box_collision=True),
            ("yellow", "green", "brown", "orange"),
            (0.9, 1.1),
        ),
        "egg": (
            Shape("revolve", (0.045, 0.045, 0.058), profile="egg", friction=1.5),
            ("white", "brown", "yellow", "pink", "blue"),
            (0.95, 1.05),
        ),
        "basket": (
            Shape("revolve", (0.16, 0.16, 0.08), profile="basket", mass=0.0),
            _NOT_BLACK,
            (0.95, 1.05),
        ),
        "marker": (Shape("cylinder", (0.13, 0.017, 0.017), lying=True), _PLAIN, (0.9, 1.1)),
        "star": (Shape("polyhedron", (0.07, 0.07, 0.014), profile="star"), _ALL, (0.9, 1.1)),
    }
)

#: The categories of today's robot cell (`home`): its task suite and scenes use only these.
HOME_CATEGORIES: frozenset[str] = frozenset(HOME_CELL.vocabulary or ())

OBJECT_MODELS: dict[str, ObjectModel] = {
    category: ObjectModel(CONCEPTS[category], shape, colors, scale_range)
    for category, (shape, colors, scale_range) in _SHAPES.items()
}

#: Categories kept out of perception training (the `heldout_categories` split uses them).
HELDOUT_CATEGORIES: frozenset[str] = frozenset(
    {"teddy_bear", "soccer_ball", "domino", "marker", "star"}
)

#: (category, colour) combinations never rendered for training (the `heldout_colors` split).
HELDOUT_COLOR_COMBOS: frozenset[tuple[str, str]] = frozenset(
    {
        ("block", "purple"),
        ("block", "cyan"),
        ("cylinder", "red"),
        ("cylinder", "yellow"),
        ("sphere", "green"),
        ("sphere", "orange"),
        ("mug", "blue"),
        ("mug", "pink"),
        ("duck", "green"),
        ("lego_brick", "blue"),
        ("lego_brick", "brown"),
        ("bowl", "red"),
        ("bowl", "cyan"),
        ("plate", "green"),
        ("plate", "purple"),
        ("tray", "blue"),
        ("jenga_block", "green"),
    }
)


def allowed_colors(category: str, split: str) -> tuple[str, ...]:
    """Colours a category may take in a split: held-out combos only appear in heldout_colors."""
    colors = OBJECT_MODELS[category].colors
    if split == "heldout_colors":
        return colors
    return tuple(c for c in colors if (category, c) not in HELDOUT_COLOR_COMBOS)


def heldout_colors_of(category: str) -> tuple[str, ...]:
    return tuple(c for c in OBJECT_MODELS[category].colors if (category, c) in HELDOUT_COLOR_COMBOS)


def training_categories(split: str, vocabulary: frozenset[str] | None = None) -> list[str]:
    """The categories rendered for perception training (every one for heldout_categories),
    within a cell's vocabulary when given."""
    return [
        c
        for c in OBJECT_MODELS
        if (split == "heldout_categories" or c not in HELDOUT_CATEGORIES)
        and (vocabulary is None or c in vocabulary)
    ]
