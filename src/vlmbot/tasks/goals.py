"""Typed goals of the task suite and their success checks on simulator ground truth."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import Workspace
from vlmbot.geometry import to_local_xy
from vlmbot.planning.geometry import RELATION_DIRECTIONS
from vlmbot.sim.catalog import COLORS
from vlmbot.sim.env import ObjectState
from vlmbot.types import Outcome


@dataclass(frozen=True)
class PlaceGoal:
    """Each (object, container) pair: the object ends inside / on the container."""

    placements: tuple[tuple[str, str], ...]


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


def _inner_half_width(container: ObjectState) -> float:
    return 0.42 * float(min(container.size[0], container.size[1]))


def is_inside(obj: ObjectState, container: ObjectState) -> bool:
    """Object rests within the container's footprint (not on its rim, not floating above)."""
    local = to_local_xy(obj.position[:2] - container.position[:2], container.yaw)
    half = _inner_half_width(container)
    if container.category == "tray":
        inside = bool(np.all(np.abs(local) < half))
    else:
        inside = bool(np.hypot(*local) < half)
    resting = (
        container.bottom_z - 0.01
        <= obj.bottom_z
        <= container.bottom_z + 0.6 * container.size[2] + 0.01
    )
    return inside and resting


def is_on(top: ObjectState, base: ObjectState) -> bool:
    offset = np.linalg.norm(top.position[:2] - base.position[:2])
    support = max(0.5 * float(min(base.size[0], base.size[1])), 0.015)
    return bool(offset < support and abs(top.bottom_z - base.top_z) < 0.02)


def on_table(obj: ObjectState, table_z: float = 0.0) -> bool:
    return obj.bottom_z < table_z + 0.012


def relation_holds(
    target: ObjectState, anchor: ObjectState, relation: str, workspace: Workspace
) -> bool:
    """Viewer-frame spatial relation between two objects' centres on the table."""
    offset = workspace.to_viewer(target.position[:2] - anchor.position[:2])
    distance = float(np.linalg.norm(offset))
    radius = lambda s: float(np.hypot(*s.size[:2]) / 2)  # noqa: E731
    near = distance < radius(target) + radius(anchor) + 0.12
    if relation == "next_to":
        return near
    direction = np.asarray(RELATION_DIRECTIONS[relation])
    along = float(offset @ direction)
    return near and along > 0.02 and along >= 0.7 * distance


def check_goal(goal: Goal, states: dict[str, ObjectState], workspace: Workspace) -> bool:
    """Whether an act-goal holds in the final simulator state."""
    if isinstance(goal, PlaceGoal):
        return all(is_inside(states[o], states[c]) for o, c in goal.placements)
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
