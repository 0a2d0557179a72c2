"""Task families whose right outcome is an answer, a clarification question or a refusal."""

from __future__ import annotations

import numpy as np

from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.sim.env import SceneSpec
from vlmbot.sim.scene import LayoutError
from vlmbot.tasks.context import CONTAINERS, GRASPABLE, TaskContext, request, scene_objects
from vlmbot.tasks.goals import AnswerGoal, Goal, NoActGoal
from vlmbot.tasks.wording import HELDOUT_NAMES, NUMBER_NAMES, plural, relation_phrase
from vlmbot.types import Outcome

Generated = tuple[SceneSpec, str, Goal]

COUNTABLE = (
    "block",
    "cylinder",
    "sphere",
    "lego_brick",
    "duck",
    "teddy_bear",
    "soccer_ball",
    "domino",
    "mug",
)

CONFUSABLE = (
    "block",
    "cylinder",
    "sphere",
    "lego_brick",
    "duck",
    "mug",
    "teddy_bear",
    "soccer_ball",
    "domino",
)

QUESTION_TEMPLATES = {
    "seen": {
        "count": (
            "how many {group} are there?",
            "how many {group} are on the table?",
            "count the {group}",
        ),
        "color": ("what colour is the {obj}?", "what color is the {obj}?"),
        "exists": ("is there a {obj} on the table?", "is there a {obj}?", "do you see a {obj}?"),
        "relation": ("is the {obj} {rel} the {dest}?",),
        "which": (
            "which object is closest to the {dest}?",
            "what is the object nearest to the {dest}?",
        ),
    },
    "heldout": {
        "count": (
            "what number of {group} can you see?",
            "tell me how many {group} there are",
            "how many {group} do you see?",
            "could you count the {group} for me?",
        ),
        "color": (
            "which colour does the {obj} have?",
            "tell me the colour of the {obj}",
            "what's the colour of the {obj}?",
            "hey, what colour is teh {obj}?",
        ),
        "exists": (
            "can you spot a {obj} anywhere?",
            "does the table have a {obj} on it?",
            "do you see any {obj}?",
            "is there a {obj} anywhere?",
        ),
        "relation": (
            "would you say the {obj} is {rel} the {dest}?",
            "is the {obj} {rel} the {dest}?",
        ),
        "which": (
            "what sits nearest the {dest}?",
            "name the thing closest to the {dest}",
            "what's nearest the {dest}?",
            "which thing is closest to the {dest}?",
        ),
    },
}


def _question(ctx: TaskContext, kind: str, **slots: str) -> str:
    table = QUESTION_TEMPLATES["heldout" if ctx.wording.heldout else "seen"][kind]
    return ctx.choose(table).format(**slots)


def question(ctx: TaskContext) -> Generated:
    """Family 8: count, colour, existence, relation and "which" questions."""
    kind = ctx.choose(["count", "color", "exists", "relation", "which"])
    return {
        "count": _count,
        "color": _color,
        "exists": _exists,
        "relation": _relation_question,
        "which": _which,
    }[kind](ctx)


def _count(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories(COUNTABLE))
    n = int(ctx.rng.integers(0, 5))
    colors = [ctx.target_color(category), *ctx.other_colors(category, [], 3)]
    requests = [request(category, colors[i % len(colors)], id=f"c{i}") for i in range(n)]
    scene = ctx.sampler.sample(
        requests, distractors=int(ctx.rng.integers(1, 4)), distractor_filter=[category]
    )
    text = _question(ctx, "count", group=plural(ctx.name(category)))
    return scene, text, AnswerGoal("count", str(n))


def _color(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories([*GRASPABLE, *CONTAINERS]))
    color = ctx.target_color(category)
    scene = ctx.sampler.sample(
        [request(category, color, id="target")], distractor_filter=[category]
    )
    text = _question(ctx, "color", obj=ctx.name(category))
    return scene, text, AnswerGoal("color", color)


def _exists(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories(GRASPABLE))
    present = bool(ctx.rng.random() < 0.5)
    requests = [request(category, ctx.target_color(category), id="target")] if present else []
    scene = ctx.sampler.sample(
        requests, distractors=int(ctx.rng.integers(2, 4)), distractor_filter=[category]
    )
    text = _question(ctx, "exists", obj=ctx.name(category))
    return scene, text, AnswerGoal("exists", "yes" if present else "no")


def _relation_question(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories(GRASPABLE))
    anchor = ctx.choose([c for c in ("mug", "bowl", "tray", "plate", "duck") if c != category])
    relation = ctx.choose(["left_of", "right_of", "in_front_of", "behind"])
    for _ in range(40):
        requests = [
            request(category, ctx.target_color(category), id="target"),
            request(anchor, id="anchor"),
        ]
        scene = ctx.sampler.sample(requests, distractor_filter=[category, anchor])
        objects = {o.id: o for o in scene_objects(scene)}
        fwd, left = ctx.workspace.to_viewer(
            objects["target"].position[:2] - objects["anchor"].position[:2]
        )
        along = {"left_of": left, "right_of": -left, "in_front_of": -fwd, "behind": fwd}[relation]
        across = abs(fwd) if relation in ("left_of", "right_of") else abs(left)
        if along > 0.06 and along > 1.5 * across:
            answer = "yes"
            break
        if along < -0.06:
            answer = "no"
            break
    else:
        raise LayoutError("no clear relation")
    text = _question(
        ctx,
        "relation",
        obj=ctx.name(category),
        rel=relation_phrase(ctx.wording, relation),
        dest=ctx.name(anchor),
    )
    return scene, text, AnswerGoal("relation", answer)


def _which(ctx: TaskContext) -> Generated:
    anchor = ctx.choose(["tray", "bowl", "plate", "mug"])
    pool = [c for c in ctx.categories(GRASPABLE) if c != anchor]
    for _ in range(40):
        picks = ctx.rng.choice(pool, size=min(3, len(pool)), replace=False)
        requests = [request(anchor, id="anchor")] + [
            request(str(c), id=f"c{i}") for i, c in enumerate(picks)
        ]
        scene = ctx.sampler.sample(requests, distractors=0)
        objects = {o.id: o for o in scene_objects(scene)}
        others = [o for o in objects.values() if o.id != "anchor"]
        gaps = sorted(
            (
                np.linalg.norm(o.position[:2] - objects["anchor"].position[:2])
                - o.footprint_radius,
                o.category,
            )
            for o in others
        )
        if len(gaps) < 2 or gaps[1][0] - gaps[0][0] > 0.07:
            break
    else:
        raise LayoutError("no clear nearest object")
    category = gaps[0][1]
    names = CONCEPTS[category].names + HELDOUT_NAMES[category] + (category.replace("_", " "),)
    text = _question(ctx, "which", dest=ctx.name(anchor))
    return scene, text, AnswerGoal("which", category, tuple(names))


NONSENSE = {
    "seen": (
        "asdf qwerty zxcv",
        "blorp the flarn into the snizzle",
        "colorless green ideas sleep furiously",
        "???",
        "the the the the",
    ),
    "heldout": (
        "wibble wobble frobnicate",
        "purple monkey dishwasher",
        "sing the table a lullaby",
        "lorem ipsum dolor sit amet",
    ),
}
ABSENT_THINGS = ("banana", "apple", "pair of scissors", "laptop", "phone", "wrench", "toothbrush")


def clarify_or_refuse(ctx: TaskContext) -> Generated:
    """Family 9: ambiguous → ask which; impossible, absent, out of reach, nonsense → refuse."""
    kinds = ["ambiguous", "ambiguous", "impossible", "absent", "out_of_reach", "nonsense"]
    if ctx.wording.heldout:
        kinds += ["count_short", "unsafe"]
    kind = ctx.choose(kinds)
    if kind == "ambiguous":
        return _ambiguous(ctx)
    if kind == "count_short":
        return _count_short(ctx)
    if kind == "unsafe":
        return _unsafe(ctx)
    if kind == "impossible":
        return _impossible(ctx)
    if kind == "absent":
        container = ctx.choose(ctx.in_cell(CONTAINERS))
        scene = ctx.sampler.sample([request(container, id="container")])
        thing = ctx.choose(ABSENT_THINGS)
        text = ctx.wording.template("put").format(
            obj=thing, prep=CONCEPTS[container].preposition, dest=ctx.name(container)
        )
        return scene, text, NoActGoal(Outcome.REFUSE, f"there is no {thing}")
    if kind == "out_of_reach":
        category = ctx.choose(ctx.categories(GRASPABLE))
        container = ctx.choose(ctx.in_cell(CONTAINERS))
        requests = [
            request(container, id="container"),
            request(category, ctx.target_color(category), id="target", region="out_of_reach"),
        ]
        scene = ctx.sampler.sample(requests, distractor_filter=[category])
        text = ctx.wording.template("put").format(
            obj=ctx.name(category), prep=CONCEPTS[container].preposition, dest=ctx.name(container)
        )
        return scene, text, NoActGoal(Outcome.REFUSE, f"the {category} is out of reach")
    scene = ctx.sampler.sample([request("tray", id="container")])
    text = ctx.choose(NONSENSE["heldout" if ctx.wording.heldout else "seen"])
    return scene, text, NoActGoal(Outcome.REFUSE, "the instruction makes no sense")


def _count_short(ctx: TaskContext) -> Generated:
    """Held-out: a number larger than what is there ("put three red cubes in the tray" with
    two) → ask."""
    category = ctx.choose(ctx.categories(("block", "cylinder", "lego_brick", "sphere")))
    color = ctx.target_color(category)
    n = int(ctx.rng.integers(1, 3))
    requests = [request("tray", id="container")]
    requests += [request(category, color, id=f"c{i}") for i in range(n)]
    scene = ctx.sampler.sample(requests, distractor_filter=[category, *CONTAINERS])
    text = ctx.wording.goal_template("count_short").format(
        count=NUMBER_NAMES[n + 1], group=f"{ctx.wording.color(color)} {plural(ctx.name(category))}",
        prep="in", dest=ctx.name("tray"),
    )  # fmt: skip
    return scene, text, NoActGoal(Outcome.CLARIFY, f"only {n} {plural(category)}")


def _unsafe(ctx: TaskContext) -> Generated:
    """Held-out: a forbidden verb, an unusable destination or an injection in the instruction
    → refuse, whatever else it asks."""
    category = ctx.choose(ctx.categories(GRASPABLE))
    container = ctx.choose(ctx.in_cell(("tray", "plate") if category == "mug" else CONTAINERS))
    requests = [
        request(container, id="container"),
        request(category, ctx.target_color(category), id="target"),
    ]
    scene = ctx.sampler.sample(requests, distractor_filter=[category, *CONTAINERS])
    text = ctx.wording.goal_template("unsafe").format(
        obj=ctx.name(category), prep=CONCEPTS[container].preposition, dest=ctx.name(container)
    )
    return scene, text, NoActGoal(Outcome.REFUSE, "the instruction asks for something unsafe")


def _ambiguous(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories(CONFUSABLE))
    container = ctx.choose(ctx.in_cell(("tray", "plate") if category == "mug" else CONTAINERS))
    n = int(ctx.rng.integers(2, 4))
    colors = [ctx.target_color(category), *ctx.other_colors(category, [], n - 1)]
    requests = [request(container, id="container")] + [
        request(category, c, id=f"c{i}") for i, c in enumerate(colors[:n])
    ]
    scene = ctx.sampler.sample(requests, distractor_filter=[category, *CONTAINERS])
    text = ctx.wording.template("put").format(
        obj=ctx.name(category), prep=CONCEPTS[container].preposition, dest=ctx.name(container)
    )
    return (
        scene,
        text,
        NoActGoal(
            Outcome.CLARIFY, f"{n} {plural(category)} match", tuple(f"c{i}" for i in range(n))
        ),
    )


def _impossible(ctx: TaskContext) -> Generated:
    container = ctx.choose(ctx.in_cell(CONTAINERS))
    small = ctx.choose(
        ctx.categories(
            ("mug", "block", "sphere", "duck", "lego_brick", "teddy_bear", "soccer_ball")
        )
    )
    scene = ctx.sampler.sample(
        [request(container, id="container"), request(small, id="small")],
        distractor_filter=[small, *CONTAINERS],
    )
    prep = "in" if small in ("mug",) else "on"
    text = ctx.wording.template("put").format(
        obj=ctx.name(container), prep=prep, dest=ctx.name(small)
    )
    return (
        scene,
        text,
        NoActGoal(Outcome.REFUSE, f"a {container} cannot be picked up and put {prep} a {small}"),
    )
