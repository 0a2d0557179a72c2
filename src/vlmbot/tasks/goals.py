"""Typed goals of the task suite and their success checks on simulator ground truth."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from vlmbot import relations
from vlmbot.cell import Workspace
from vlmbot.relations import ROUND_CONTAINERS, Box
from vlmbot.sim.catalog import COLORS
from vlmbot.sim.env import ObjectState
from vlmbot.types import Outcome


@dataclass(frozen=True)
class PlaceGoal:
    """Each (object, container) pair: the object ends inside / on the container, or inside one
    of the alternatives ("put the duck in a bowl": any of the bowls will do)."""

    placements: tuple[tuple[str, str], ...]
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class StackGoal:
    top: str
    base: str


@dataclass(frozen=True)
class RelationGoal:
    """target ends on the table in `relation` (viewer frame) to anchor."""

    target: str
    anchor: str
    relation: str


@dataclass(frozen=True)
class AnswerGoal:
    """kind: count | color | exists | relation | which. answer: the ground truth;
    names: for "which", every accepted name of the right object's category."""

    kind: str
    answer: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoActGoal:
    """The right outcome is to ask (CLARIFY) or refuse (REFUSE); reason says why."""

    outcome: Outcome
    reason: str
    candidates: tuple[str, ...] = ()


Goal = PlaceGoal | StackGoal | RelationGoal | AnswerGoal | NoActGoal


def expected_outcome(goal: Goal) -> Outcome:
    if isinstance(goal, NoActGoal):
        return goal.outcome
    if isinstance(goal, AnswerGoal):
        return Outcome.ANSWER
    return Outcome.ACT


def involved_objects(goal: Goal) -> frozenset[str]:
    """Objects the goal allows the robot to pick."""
    if isinstance(goal, PlaceGoal):
        return frozenset(obj for obj, _ in goal.placements)
    if isinstance(goal, StackGoal):
        return frozenset({goal.top})
    if isinstance(goal, RelationGoal):
        return frozenset({goal.target})
    return frozenset()


def state_box(state: ObjectState) -> Box:
    """A simulated object's true oriented box (footprint from its spec, height from its AABB)."""
    size = np.array([state.size[0], state.size[1], state.aabb_max[2] - state.aabb_min[2]])
    return Box(
        np.asarray(state.position, float), size, state.yaw, state.category in ROUND_CONTAINERS
    )


def is_inside(obj: ObjectState, container: ObjectState) -> bool:
    """Object rests in the container (`vlmbot.relations.inside`)."""
    return relations.inside(state_box(obj), state_box(container))


def is_on(top: ObjectState, base: ObjectState) -> bool:
    return relations.on(state_box(top), state_box(base))


def on_table(obj: ObjectState, table_z: float = 0.0) -> bool:
    return obj.bottom_z < table_z + 0.012


def relation_holds(
    target: ObjectState, anchor: ObjectState, relation: str, workspace: Workspace
) -> bool:
    """A placement goal "target relation anchor" holds: the relation itself, and for a
    direction, the target also near the anchor (`vlmbot.relations`)."""
    a, b = state_box(target), state_box(anchor)
    if not relations.holds(a, b, relation, workspace):
        return False
    return relation in ("next_to", "near") or relations.holds(a, b, "near", workspace)


def check_goal(goal: Goal, states: dict[str, ObjectState], workspace: Workspace) -> bool:
    """Whether an act-goal holds in the final simulator state."""
    if isinstance(goal, PlaceGoal):
        return all(
            any(is_inside(states[o], states[k]) for k in (c, *goal.alternatives))
            for o, c in goal.placements
        )
    if isinstance(goal, StackGoal):
        return is_on(states[goal.top], states[goal.base])
    if isinstance(goal, RelationGoal):
        target = states[goal.target]
        return on_table(target, workspace.table_z) and relation_holds(
            target, states[goal.anchor], goal.relation, workspace
        )
    return False


_NUMBER_WORDS = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


def parse_count(text: str) -> int | None:
    for token in re.findall(r"[a-z]+|\d+", text.lower()):
        if token.isdigit():
            return int(token)
        if token in _NUMBER_WORDS:
            return _NUMBER_WORDS[token]
    return None


def check_answer(goal: AnswerGoal, answer: str) -> bool:
    """Lenient, honest matching of a free-text answer against the ground truth."""
    text = answer.lower().strip()
    words = re.findall(r"[a-z]+|\d+", text)
    if goal.kind == "count":
        return parse_count(text) == int(goal.answer)
    if goal.kind in ("exists", "relation"):
        return bool(words) and words[0] == goal.answer
    if goal.kind == "color":
        named = [c for c in COLORS if re.search(rf"\b{c}\b", text)]
        return named == [goal.answer]
    if goal.kind == "which":
        return any(re.search(rf"\b{re.escape(name)}s?\b", text) for name in goal.names)
    return False
