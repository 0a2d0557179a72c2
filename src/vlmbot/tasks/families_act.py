"""Task families whose right outcome is to act: put in, stack, place relative, referring
expressions (attribute, relation, affordance) and multi-step goals."""

from __future__ import annotations

import numpy as np

from vlmbot import relations
from vlmbot.cell import Workspace
from vlmbot.lexicon.concepts import CONCEPTS, categories_with
from vlmbot.relations import Box, box_of
from vlmbot.sim.catalog import allowed_colors
from vlmbot.sim.env import SceneSpec
from vlmbot.sim.scene import LayoutError
from vlmbot.tasks.context import (
    CONTAINERS,
    GRASPABLE,
    TaskContext,
    fits_container,
    request,
    scene_objects,
)
from vlmbot.tasks.goals import Goal, PlaceGoal, RelationGoal, StackGoal
from vlmbot.tasks.wording import NUMBER_NAMES, plural, relation_phrase

Generated = tuple[SceneSpec, str, Goal]


def _container(ctx: TaskContext, options: tuple[str, ...] = CONTAINERS) -> tuple[str, str]:
    category = ctx.choose(ctx.in_cell(options))
    return category, CONCEPTS[category].preposition


def put_in(ctx: TaskContext) -> Generated:
    """Family 1: put X in/on a container (tray, bowl, plate)."""
    container, prep = _container(ctx)
    pool = [c for c in ctx.categories(GRASPABLE) if fits_container(c, container)]
    category = ctx.choose(pool)
    color = ctx.target_color(category)
    requests = [request(container, id="container"), request(category, color, id="target")]
    # Half the time a same-category companion of another colour makes the colour necessary.
    companion = None
    if ctx.split == "heldout_colors" or ctx.rng.random() < 0.5:
        companion = ctx.other_colors(category, [color], 1)[0]
        requests.append(request(category, companion, id="companion"))
    construction = _put_construction(ctx, companion is not None, container)
    if construction == "any_container":
        requests.append(request(container, id="container2"))
    scene = ctx.sampler.sample(requests, distractor_filter=[category, *CONTAINERS])
    target = scene.object("target")
    always = ctx.split == "heldout_colors"
    if not construction:  # the template is drawn before the description, as it always was
        template = ctx.wording.template("put")
        obj = ctx.describe(target, scene, always_color=always)
        return (
            scene,
            template.format(obj=obj, prep=prep, dest=ctx.name(container)),
            PlaceGoal((("target", "container"),)),
        )
    obj = ctx.describe(target, scene, always_color=always)
    if construction == "any_container":
        dest = ctx.name(container)
        text = ctx.wording.goal_template("any_container").format(
            obj=obj, prep=prep, dest=dest, dests=plural(dest)
        )
        return scene, text, PlaceGoal((("target", "container"),), ("container2",))
    if construction == "both" and companion is not None:
        name = ctx.name(category)  # one name for both objects
        text = ctx.wording.goal_template("both").format(
            obj=f"{ctx.wording.color(color)} {name}", other=ctx.wording.color(companion),
            name=name, group=plural(name), prep=prep, dest=ctx.name(container),
        )  # fmt: skip
        return scene, text, PlaceGoal((("target", "container"), ("companion", "container")))
    raise LayoutError(f"unknown construction {construction!r}")


def _put_construction(ctx: TaskContext, has_companion: bool, container: str) -> str:
    """Held-out wording only: sometimes an indefinite destination among two containers (bowls
    or plates: two trays leave no room), or both same-category objects named together;
    otherwise a plain template ("")."""
    if not ctx.wording.heldout:
        return ""
    draw = float(ctx.rng.random())
    if draw < 0.25 and container != "tray":
        return "any_container"
    return "both" if has_companion and draw < 0.5 else ""


STACK_TOPS = ("block", "lego_brick", "cylinder", "domino")
STACK_BASES = ("block", "lego_brick", "cylinder", "jenga_block")


def stack(ctx: TaskContext) -> Generated:
    """Family 2: stack X on Y."""
    top = ctx.choose(ctx.categories(STACK_TOPS))
    base = ctx.choose([b for b in STACK_BASES if b != "cylinder" or top != "domino"])
    top_color = ctx.target_color(top)
    base_color = ctx.sampler.pick_color(base, exclude=[top_color] if base == top else [])
    scale_top = 0.85 if top == "block" else None
    requests = [
        request(top, top_color, id="top", scale=scale_top),
        request(base, base_color, id="base", scale=1.1 if base == "block" else None),
    ]
    scene = ctx.sampler.sample(requests, distractor_filter=[top, base, *CONTAINERS])
    always = ctx.split == "heldout_colors"
    text = ctx.wording.template("stack").format(
        obj=ctx.describe(scene.object("top"), scene, always_color=always),
        dest=ctx.describe(scene.object("base"), scene),
    )
    return scene, text, StackGoal("top", "base")


RELATIONS = ("left_of", "right_of", "in_front_of", "behind", "next_to")


def place_relative_family(ctx: TaskContext) -> Generated:
    """Family 3: place X left of / right of / in front of / behind / next to Y."""
    relation = ctx.choose(RELATIONS)
    category = ctx.choose(ctx.categories(GRASPABLE))
    anchor = ctx.choose(
        [c for c in ("block", "mug", "bowl", "plate", "duck", "cylinder") if c != category]
    )
    requests = [
        request(category, ctx.target_color(category), id="target"),
        request(anchor, id="anchor"),
    ]
    for _ in range(30):
        scene = ctx.sampler.sample(requests, distractor_filter=[category, anchor, *CONTAINERS])
        objects = {o.id: box_of(o) for o in scene_objects(scene)}
        target, anchor_box = objects["target"], objects["anchor"]
        others = [box for key, box in objects.items() if key not in ("target", "anchor")]
        already = relations.holds(target, anchor_box, relation, ctx.workspace)
        if not already and has_room(target, anchor_box, relation, others, ctx.workspace):
            break
    else:
        raise LayoutError("no layout where the relation can be made true")
    text = ctx.wording.template("relative").format(
        obj=ctx.describe(scene.object("target"), scene, always_color=ctx.split == "heldout_colors"),
        rel=relation_phrase(ctx.wording, relation),
        dest=ctx.describe(scene.object("anchor"), scene),
    )
    return scene, text, RelationGoal("target", "anchor", relation)


def has_room(
    target: Box, anchor: Box, relation: str, others: list[Box], workspace: Workspace
) -> bool:
    """Whether the target fits somewhere on the table where "target relation anchor" would
    hold: a spot in that direction (any direction for next_to) a few centimetres beyond the
    anchor, inside the workspace, clear of every other object. The generator's own check:
    it knows nothing of how a planner would place the object."""
    directions = relations.RELATION_DIRECTIONS
    wanted = list(directions) if relation == "next_to" else [relation]
    radius = target.footprint_radius
    for name in wanted:
        forward_left = np.asarray(directions[name], dtype=float)
        side = np.array([-forward_left[1], forward_left[0]])
        for clearance in (0.03, 0.06, 0.09):
            for shift in (0.0, 0.04, -0.04):
                distance = anchor.footprint_radius + radius + clearance
                xy = anchor.xy + workspace.from_viewer(forward_left * distance + side * shift)
                spot = Box(np.array([*xy, target.centre[2]]), target.size, target.yaw)
                inside = workspace.contains(xy, margin=-radius)
                clear = all(relations.gap(spot, o) > 0.015 for o in others)
                if inside and clear and relations.holds(spot, anchor, relation, workspace):
                    return True
    return False


ATTRIBUTE_CATEGORIES = (
    "block",
    "cylinder",
    "sphere",
    "mug",
    "lego_brick",
    "duck",
    "teddy_bear",
    "soccer_ball",
    "domino",
)


def refer_attribute(ctx: TaskContext) -> Generated:
    """Family 4: the object is singled out by colour and/or size among same-category objects."""
    category = ctx.choose(ctx.categories(ATTRIBUTE_CATEGORIES))
    container, prep = _container(ctx, ("tray", "plate") if category == "mug" else CONTAINERS)
    color = ctx.target_color(category)
    use_size = category in ("block", "cylinder", "sphere") and ctx.rng.random() < 0.5
    if use_size:
        size = ctx.choose(["small", "large"])
        scales = (0.78, 1.18) if size == "small" else (1.18, 0.78)
        other = ctx.other_colors(category, [color], 1)[0]
        requests = [
            request(category, color, id="target", scale=scales[0]),
            request(category, color, id="same_color", scale=scales[1]),
            request(category, other, id="other", scale=scales[0]),
        ]
    else:
        others = ctx.other_colors(category, [color], 2)
        requests = [request(category, color, id="target")] + [
            request(category, c, id=f"other{i}") for i, c in enumerate(others)
        ]
    scene = ctx.sampler.sample(
        [request(container, id="container"), *requests], distractor_filter=[category, *CONTAINERS]
    )
    description = f"{ctx.wording.color(color)} {ctx.name(category)}"
    if use_size:
        description = f"{ctx.wording.size(size)} {description}"
    text = ctx.wording.template("put").format(obj=description, prep=prep, dest=ctx.name(container))
    return scene, text, PlaceGoal((("target", "container"),))


def refer_relation(ctx: TaskContext) -> Generated:
    """Family 5: the object is singled out by a relation or a superlative."""
    category = ctx.choose(
        ctx.categories(
            ("block", "cylinder", "lego_brick", "sphere", "teddy_bear", "domino", "soccer_ball")
        )
    )
    landmark = ctx.choose([c for c in ("mug", "duck", "bowl", "plate") if c != category])
    container = ctx.choose([c for c in ("tray", "bowl", "plate") if c != landmark])
    kind = ctx.choose(["closest", "next_to", "leftmost", "rightmost"])
    colors = [ctx.target_color(category), *ctx.other_colors(category, [], 2)]
    for _ in range(40):
        requests = [request(container, id="container"), request(landmark, id="landmark")] + [
            request(category, colors[i] if ctx.rng.random() < 0.7 else None, id=f"c{i}")
            for i in range(3)
        ]
        scene = ctx.sampler.sample(requests, distractor_filter=[category, landmark, container])
        target = _relation_target(ctx, scene, category, kind)
        if target is not None:
            break
    else:
        raise LayoutError("no layout with a clear relational referent")
    name = ctx.name(category)
    landmark_name = ctx.name(landmark)
    ref = {
        "closest": f"{name} closest to the {landmark_name}",
        "next_to": f"{name} {relation_phrase(ctx.wording, 'next_to')} the {landmark_name}",
        "leftmost": f"leftmost {name}",
        "rightmost": f"rightmost {name}",
    }[kind]
    text = ctx.wording.template("put").format(
        obj=ref, prep=CONCEPTS[container].preposition, dest=ctx.name(container)
    )
    return scene, text, PlaceGoal(((target, "container"),))


def _relation_target(ctx: TaskContext, scene: SceneSpec, category: str, kind: str) -> str | None:
    """The unique referent with a clear margin over the runner-up, or None."""
    objects = {o.id: o for o in scene_objects(scene)}
    candidates = [o for o in objects.values() if o.category == category]
    if kind in ("closest", "next_to"):
        anchor = objects["landmark"]
        key = [-float(np.linalg.norm(o.position[:2] - anchor.position[:2])) for o in candidates]
        margin = 0.08
    else:
        left = [float(ctx.workspace.to_viewer(o.position[:2])[1]) for o in candidates]
        key = left if kind == "leftmost" else [-v for v in left]
        margin = 0.06
    order = np.argsort(key)[::-1]
    if key[order[0]] - key[order[1]] < margin:
        return None
    best = candidates[int(order[0])]
    if kind == "next_to":
        anchor = objects["landmark"]
        gap = (
            np.linalg.norm(best.position[:2] - anchor.position[:2])
            - best.footprint_radius
            - anchor.footprint_radius
        )
        if gap > 0.06:
            return None
    return best.id


AFFORDANCE_REFS = {
    "seen": {
        "drinkware": ("something you can drink from", "the thing you drink from"),
        "animal": ("the toy animal", "the animal"),
        "soft": ("the soft toy", "something soft"),
        "round": ("something round", "the round object"),
        "container": ("a container", "something to put things in"),
    },
    "heldout": {
        "drinkware": ("something to sip coffee from", "a drinking vessel"),
        "animal": ("the little creature", "the critter"),
        "soft": ("the cuddly thing", "something squishy"),
        "round": ("something that rolls", "the spherical thing"),
        "container": ("a receptacle", "somewhere to store things"),
    },
}


def refer_affordance(ctx: TaskContext) -> Generated:
    """Family 6: the object (or the container) is named by what it is for or what it is."""
    refs = AFFORDANCE_REFS["heldout" if ctx.wording.heldout else "seen"]
    affordance = ctx.choose(list(refs))
    if affordance == "container":
        container, prep = _container(ctx)
        category = ctx.choose(ctx.categories(GRASPABLE))
        requests = [
            request(container, id="container"),
            request(category, ctx.target_color(category), id="target"),
        ]
        scene = ctx.sampler.sample(requests, distractor_filter=[category, *CONTAINERS])
        obj = ctx.describe(
            scene.object("target"), scene, always_color=ctx.split == "heldout_colors"
        )
        text = _put_into_phrase(ctx, obj, ctx.choose(refs[affordance]))
        return scene, text, PlaceGoal((("target", "container"),))
    members = categories_with(affordance)
    category = ctx.choose(ctx.categories(members))
    container, prep = _container(ctx, ("tray", "plate") if category == "mug" else CONTAINERS)
    requests = [
        request(container, id="container"),
        request(category, ctx.target_color(category), id="target"),
    ]
    excluded = [*members, *CONTAINERS]
    scene = ctx.sampler.sample(requests, distractor_filter=excluded)
    phrase = ctx.choose(refs[affordance])
    text = ctx.wording.template("put").format(obj="OBJ", prep=prep, dest=ctx.name(container))
    text = text.replace("the OBJ", phrase).replace("OBJ", phrase)
    return scene, text, PlaceGoal((("target", "container"),))


def _put_into_phrase(ctx: TaskContext, obj: str, destination: str) -> str:
    verb = ctx.choose(("put", "place", "drop") if not ctx.wording.heldout else ("stash", "stow"))
    return f"{verb} the {obj} in {destination}"


def multi_step(ctx: TaskContext) -> Generated:
    """Family 7: all the X, sort by colour, clear the table."""
    kinds = ["all", "sort", "clear"] + (["sequence"] if ctx.wording.heldout else [])
    kind = ctx.choose(kinds)
    if kind == "all":
        return _all_of_color(ctx)
    if kind == "sort":
        return _sort_by_color(ctx)
    if kind == "sequence":
        return _sequence(ctx)
    return _clear_table(ctx)


def _all_of_color(ctx: TaskContext) -> Generated:
    category = ctx.choose(
        ctx.categories(("block", "cylinder", "lego_brick", "sphere", "domino", "soccer_ball"))
    )
    color = ctx.target_color(category)
    n = int(ctx.rng.integers(2, 4))
    others = ctx.other_colors(category, [color], 2)
    requests = [request("tray", id="container")]
    requests += [request(category, color, id=f"t{i}") for i in range(n)]
    requests += [request(category, c, id=f"o{i}") for i, c in enumerate(others[: 3 - n + 1])]
    other_category = ctx.choose([c for c in ("mug", "duck", "cylinder", "block") if c != category])
    decoy_color = color if color in allowed_colors(other_category, ctx.split) else None
    requests.append(request(other_category, decoy_color, id="decoy"))
    scene = ctx.sampler.sample(requests, distractors=0)
    name = ctx.name(category)
    goal = PlaceGoal(tuple((f"t{i}", "container") for i in range(n)))
    if ctx.wording.heldout and ctx.rng.random() < 0.6:
        return scene, _all_construction(ctx, name, color, n, others[: 3 - n + 1]), goal
    text = ctx.wording.template("all").format(
        group=f"{ctx.wording.color(color)} {plural(name)}",
        one=f"{ctx.wording.color(color)} {name}",
        prep="in",
        dest=ctx.name("tray"),
    )
    return scene, text, goal


def _all_construction(
    ctx: TaskContext, name: str, color: str, n: int, other_colors: list[str]
) -> str:
    """Held-out: the same set named by exception ("all the cubes except the blue one") or by
    number ("the two red cubes")."""
    dest = ctx.name("tray")
    if ctx.rng.random() < 0.5:
        colors = [ctx.wording.color(c) for c in other_colors]
        others = " and ".join(colors) + (" ones" if len(colors) > 1 else " one")
        return ctx.wording.goal_template("all_except").format(
            group=plural(name), name=name, others=others, prep="in", dest=dest
        )
    return ctx.wording.goal_template("all_count").format(
        count=NUMBER_NAMES[n], group=f"{ctx.wording.color(color)} {plural(name)}", prep="in",
        dest=dest,
    )  # fmt: skip


def _sequence(ctx: TaskContext) -> Generated:
    """Held-out: two placements in one instruction ("first …, then …")."""
    first, second = ctx.rng.choice(ctx.categories(GRASPABLE), size=2, replace=False)
    dest_b = ctx.choose(("bowl", "plate"))
    if not fits_container(str(second), dest_b):
        dest_b = "plate"
    requests = [
        request("tray", id="dest_a"), request(dest_b, id="dest_b"),
        request(str(first), ctx.target_color(str(first)), id="a"),
        request(str(second), ctx.target_color(str(second)), id="b"),
    ]  # fmt: skip
    scene = ctx.sampler.sample(requests, distractor_filter=[str(first), str(second), *CONTAINERS])
    text = ctx.wording.goal_template("sequence").format(
        a=ctx.describe(scene.object("a"), scene), b=ctx.describe(scene.object("b"), scene),
        prep_a="in", dest_a=ctx.name("tray"), prep_b=CONCEPTS[dest_b].preposition,
        dest_b=ctx.name(dest_b),
    )  # fmt: skip
    return scene, text, PlaceGoal((("a", "dest_a"), ("b", "dest_b")))


def _sort_by_color(ctx: TaskContext) -> Generated:
    category = ctx.choose(ctx.categories(("block", "lego_brick", "cylinder")))
    colors = ctx.other_colors("bowl", [], 2)
    n = int(ctx.rng.integers(2, 4))
    requests = [request("bowl", colors[0], id="bowl0"), request("bowl", colors[1], id="bowl1")]
    block_colors = [colors[i % 2] for i in range(n)]
    ctx.rng.shuffle(block_colors)
    requests += [request(category, c, id=f"t{i}") for i, c in enumerate(block_colors)]
    scene = ctx.sampler.sample(
        requests, distractors=int(ctx.rng.integers(0, 2)), distractor_filter=[category, *CONTAINERS]
    )
    name = ctx.name(category)
    text = ctx.wording.template("sort").format(group=plural(name), one=name)
    placements = tuple((f"t{i}", f"bowl{colors.index(c)}") for i, c in enumerate(block_colors))
    return scene, text, PlaceGoal(placements)


def _clear_table(ctx: TaskContext) -> Generated:
    pool = ctx.categories(GRASPABLE)
    n = int(ctx.rng.integers(2, 4))
    categories = [ctx.choose(pool) for _ in range(n)]
    requests = [request("tray", id="container")]
    requests += [request(c, ctx.target_color(c), id=f"t{i}") for i, c in enumerate(categories)]
    goal = PlaceGoal(tuple((f"t{i}", "container") for i in range(n)))
    if ctx.wording.heldout and ctx.rng.random() < 0.5:
        # Held-out: one more object that must stay ("everything except the mug").
        keep = ctx.choose([c for c in pool if c not in categories] or pool)
        requests.append(request(keep, ctx.target_color(keep), id="keep"))
        scene = ctx.sampler.sample(requests, distractors=0)
        same = [o for o in scene.objects if o.category == keep and o.id != "keep"]
        if same:
            raise LayoutError("the object to keep must be the only one of its kind")
        spec = scene.object("keep")
        text = ctx.wording.goal_template("clear_except").format(
            keep=f"{ctx.wording.color(spec.color)} {ctx.name(keep)}", prep="in",
            dest=ctx.name("tray"),
        )  # fmt: skip
        return scene, text, goal
    scene = ctx.sampler.sample(requests, distractors=0)
    text = ctx.wording.template("clear").format(prep="in", dest=ctx.name("tray"))
    return scene, text, goal
