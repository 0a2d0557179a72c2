"""What vlmbot knows about object categories without looking: names and affordances.

This is world knowledge the agent and the embedded model's prompts may use. It lists only the
names of the `seen` vocabulary; other wordings must be understood through the text encoder.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    """An object category. names[0] is the canonical name; affordances are words such as
    graspable, container, stackable, soft, drinkware, dishware, toy, animal, round.
    preposition: how things go onto/into it when it is a container ("in" or "on").
    shape: its typical proportions in one word (see `vlmbot.reasoning.shapes.SHAPE_WORDS`),
    shared by the kinds it resembles; form: a finer word where proportions are part of what
    it is (a domino is a tile twice as long as wide), None where `shape` says all."""

    category: str
    names: tuple[str, ...]
    affordances: frozenset[str]
    shape: str
    preposition: str = "in"
    form: str | None = None

    @property
    def proportions(self) -> str:
        """The word that describes its proportions best: `form`, else `shape`."""
        return self.form or self.shape

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def is_container(self) -> bool:
        return "container" in self.affordances

    @property
    def graspable(self) -> bool:
        return "graspable" in self.affordances

    @property
    def flat_top(self) -> bool:
        """Whether it has a flat top a suction cup can seal on (not round, not pointed)."""
        return self.shape not in NO_FLAT_TOP


#: Shape words of categories with no flat top: a suction cup cannot hold them.
NO_FLAT_TOP = frozenset({"round", "pointed"})


def _c(
    category: str,
    names: str,
    affordances: str,
    shape: str,
    preposition: str = "in",
    form: str | None = None,
) -> Concept:
    return Concept(
        category, tuple(names.split(",")), frozenset(affordances.split()), shape, preposition, form
    )


CONCEPTS: dict[str, Concept] = {
    c.category: c
    for c in (
        _c("block", "block,cube", "graspable stackable toy", "cube"),
        _c("cylinder", "cylinder,can,tube", "graspable stackable", "upright"),
        _c("sphere", "ball,sphere", "graspable round toy", "round"),
        _c("mug", "mug,cup,coffee mug", "graspable drinkware", "upright"),
        _c("duck", "duck,rubber duck,toy duck", "graspable toy animal soft", "squat"),
        _c("teddy_bear", "teddy bear,teddy,stuffed bear", "graspable toy animal soft", "upright"),
        _c("lego_brick", "lego brick,lego,toy brick", "graspable stackable toy", "squat"),
        _c("jenga_block", "jenga block,wooden bar,jenga piece", "graspable stackable", "long"),
        _c("domino", "domino,domino tile,domino piece", "graspable toy", "flat", form="tile"),
        _c("soccer_ball", "soccer ball,football", "graspable round toy", "round"),
        _c("bowl", "bowl,dish", "container dishware", "hollow"),
        _c("plate", "plate,saucer", "container dishware", "flat", preposition="on"),
        _c("tray", "tray,bin", "container", "hollow"),
        # Everyday tabletop objects of the randomised robot cells (procedural in the simulator).
        _c("box", "box,small box,carton", "graspable stackable", "squat"),
        _c("ring", "ring,donut,torus", "graspable toy", "flat"),
        _c("disk", "disk,disc,coaster", "graspable stackable", "flat"),
        _c("bottle", "bottle,water bottle", "graspable drinkware", "upright"),
        _c("cone", "cone,traffic cone", "graspable toy", "pointed"),
        _c("pyramid", "pyramid", "graspable toy", "pointed"),
        _c("wedge", "wedge,ramp,doorstop", "graspable toy", "squat"),
        _c("banana", "banana", "graspable food", "long"),
        _c("egg", "egg", "graspable food round", "round"),
        _c("basket", "basket,bucket,pail", "container", "hollow"),
        _c("marker", "marker,pen,felt pen", "graspable", "long", form="stick"),
        _c("star", "star,star shape", "graspable toy", "flat", form="star"),
    )
}

#: Descriptions of each affordance, used as text prompts and to explain refusals.
AFFORDANCE_PHRASES: dict[str, tuple[str, ...]] = {
    "drinkware": ("something you can drink from", "a cup for drinks"),
    "container": ("a container", "something to put things in"),
    "dishware": ("a dish", "something to eat from"),
    "soft": ("something soft", "a soft toy"),
    "toy": ("a toy", "something to play with"),
    "animal": ("a toy animal", "an animal"),
    "round": ("something round", "a round toy"),
    "stackable": ("something you can stack", "a building piece"),
    "food": ("something to eat", "a piece of food"),
}


#: More ways to describe each category (shape, material, use): seen vocabulary, used to train
#: the embedded model's region-text alignment so that paraphrases land near the right object.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "block": ("a toy block", "a cube-shaped block", "a building block", "a small cube"),
    "cylinder": ("a short cylinder", "a round can", "a cylindrical object", "a short round column"),
    "sphere": ("a small ball", "a rubber ball", "a sphere-shaped toy", "a bouncy ball"),
    "mug": ("a ceramic mug", "a mug with a handle", "a tea mug", "a cup for drinking"),
    "duck": ("a rubber duck", "a toy duck", "a bath duck", "a little yellow duck toy"),
    "teddy_bear": ("a teddy bear", "a stuffed toy bear", "a plush teddy"),
    "lego_brick": ("a lego brick", "a plastic toy brick", "a toy brick with studs"),
    "jenga_block": ("a jenga block", "a long wooden bar", "a wooden stick", "a rectangular bar"),
    "domino": ("a domino", "a domino tile", "a flat tile"),
    "soccer_ball": ("a soccer ball", "a football", "a ball with black patches"),
    "bowl": ("a bowl", "a round bowl", "a cereal bowl", "a deep dish"),
    "plate": ("a plate", "a flat plate", "a round plate", "a dinner dish"),
    "tray": ("a tray", "a square tray", "a shallow bin", "a box with low walls"),
    "box": ("a small box", "a cardboard box", "a rectangular box", "a carton"),
    "ring": ("a ring", "a toy ring", "a donut shape", "a hoop"),
    "disk": ("a flat disk", "a coaster", "a round flat piece", "a thin disc"),
    "bottle": ("a bottle", "a plastic bottle", "a bottle with a neck", "a water bottle"),
    "cone": ("a cone", "a small cone", "a pointed cone", "a toy traffic cone"),
    "pyramid": ("a pyramid", "a square pyramid", "a pointed block"),
    "wedge": ("a wedge", "a ramp-shaped block", "a triangular block", "a doorstop"),
    "banana": ("a banana", "a toy banana", "a curved fruit"),
    "egg": ("an egg", "a toy egg", "an oval egg"),
    "basket": ("a basket", "a round basket", "a bucket", "a deep round container"),
    "marker": ("a marker pen", "a felt-tip pen", "a thin stick"),
    "star": ("a star", "a star-shaped piece", "a flat star"),
}


#: General words for groups of categories (hypernyms) → the affordance that defines the group:
#: "the toy animal" is whichever object is a duck or a teddy bear.
HYPERNYMS: dict[str, str] = {
    "animal": "animal", "toy animal": "animal", "animal toy": "animal", "stuffed animal": "soft",
    "soft toy": "soft", "toy": "toy", "plaything": "toy", "container": "container",
    "vessel": "container", "holder": "container", "drinking vessel": "drinkware",
    "drinkware": "drinkware", "dishware": "dishware", "tableware": "dishware",
    "crockery": "dishware", "building piece": "stackable",
}  # fmt: skip


#: Categories that are kinds of another whose names therefore cover them: a soccer ball is a
#: ball, so "the ball" with a sphere and a soccer ball on the table is either. (Not every
#: name's head noun makes a kind: "the block" is the toy cube, not the jenga block.)
KINDS: dict[str, tuple[str, ...]] = {"sphere": ("soccer_ball",)}


def covered_by(category: str) -> tuple[str, ...]:
    """The category and the kinds of it its names also name ("ball": sphere, soccer_ball)."""
    return (category, *KINDS.get(category, ()))


def hypernym_members(head: str) -> tuple[str, ...]:
    """Categories a hypernym covers ("toy animal" → duck, teddy_bear); () for other words."""
    affordance = HYPERNYMS.get(head)
    return tuple(categories_with(affordance)) if affordance else ()


def look_alikes(category: str) -> frozenset[str]:
    """Other categories of the same kind: the same affordances besides being graspable, and
    the same shape word unless two or more affordances already say what kind it is (a teddy
    bear and a duck are both soft toy animals, a soccer ball and a ball round toys, a star and
    a ring flat toys): what a model that never saw `category` most likely takes one for."""
    this = CONCEPTS[category]
    kind = this.affordances - {"graspable"}
    return frozenset(
        name
        for name, other in CONCEPTS.items()
        if name != category
        and kind
        and other.affordances - {"graspable"} == kind
        and (len(kind) >= 2 or other.shape == this.shape)
    )


def concept(category: str) -> Concept:
    try:
        return CONCEPTS[category]
    except KeyError:
        raise KeyError(f"unknown object category {category!r}") from None


def categories_with(affordance: str) -> list[str]:
    """Categories that have an affordance, in catalogue order."""
    return [name for name, c in CONCEPTS.items() if affordance in c.affordances]
