"""The ORACLE agent. PRIVILEGED: it reads simulator ground truth and the task's typed goal.

It exists to prove that every task is solvable and that the success checks are right; it is
never a baseline for perception. It plans with the same placement geometry as the real agent.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.planning.geometry import grasp_pose, place_in, place_on, place_relative
from vlmbot.sim.env import ObjectState
from vlmbot.tasks.goals import (
    AnswerGoal,
    Goal,
    NoActGoal,
    PlaceGoal,
    RelationGoal,
    StackGoal,
    check_goal,
    is_inside,
)
from vlmbot.types import Decision, Done, Observation, Outcome, PickPlace, SceneObject


class PrivilegedWorld(Protocol):
    """What the harness hands a privileged agent: ground truth and the goal."""

    goal: Goal

    def object_states(self) -> dict[str, ObjectState]: ...


def to_scene_object(state: ObjectState) -> SceneObject:
    extent = np.array(
        [state.size[0], state.size[1], state.aabb_max[2] - state.aabb_min[2]], dtype=float
    )
    return SceneObject(
        id=state.id,
        category=state.category,
        position=state.position,
        extent=extent,
        yaw=state.yaw,
        color=state.color,
    )


class OracleAgent:
    """PRIVILEGED oracle: solves the typed goal from simulator state (see module docstring)."""

    name = "oracle"

    def __init__(self, cell: RobotCell = HOME_CELL) -> None:
        self.cell = cell
        self.workspace = cell.workspace
        self.world: PrivilegedWorld | None = None

    def attach(self, world: PrivilegedWorld) -> None:
        self.world = world

    def reset(self) -> None:
        self.world = None

    def decide(self, observation: Observation, instruction: str) -> Decision:
        if self.world is None:
            return Decision(
                Outcome.REFUSE, text="the oracle only runs inside the simulator harness"
            )
        goal = self.world.goal
        if isinstance(goal, NoActGoal):
            text = (
                f"Which one do you mean? ({goal.reason})"
                if goal.outcome is Outcome.CLARIFY
                else f"I can't: {goal.reason}."
            )
            return Decision(goal.outcome, text=text, evidence=goal.candidates)
        if isinstance(goal, AnswerGoal):
            answer = f"the {goal.answer.replace('_', ' ')}" if goal.kind == "which" else goal.answer
            return Decision(Outcome.ANSWER, text=answer)
        states = self.world.object_states()
        if check_goal(goal, states, self.workspace):
            return Decision(Outcome.ACT, actions=(Done("goal reached"),))
        action = self._next_action(goal, states)
        if action is None:
            return Decision(Outcome.ACT, actions=(Done("no feasible placement"),))
        if not self.workspace.contains(action.pick_pose.position, margin=0.01):
            return Decision(Outcome.ACT, actions=(Done("the object left my workspace"),))
        return Decision(Outcome.ACT, actions=(action,))

    def _next_action(self, goal: Goal, states: dict[str, ObjectState]) -> PickPlace | None:
        objects = {key: to_scene_object(s) for key, s in states.items()}
        if isinstance(goal, PlaceGoal):
            for obj_id, container_id in goal.placements:
                if is_inside(states[obj_id], states[container_id]):
                    continue
                contents = [
                    objects[o]
                    for o, c in goal.placements
                    if c == container_id and is_inside(states[o], states[c])
                ]
                obj = objects[obj_id]
                place = place_in(obj, objects[container_id], contents, self.cell.gripper)
                return PickPlace(grasp_pose(obj, self.cell.gripper), place, obj_id)
            return None
        if isinstance(goal, StackGoal):
            obj = objects[goal.top]
            place = place_on(obj, objects[goal.base], self.cell.gripper)
            return PickPlace(grasp_pose(obj, self.cell.gripper), place, goal.top)
        if isinstance(goal, RelationGoal):
            obj = objects[goal.target]
            beside = place_relative(
                obj,
                objects[goal.anchor],
                goal.relation,
                list(objects.values()),
                self.workspace,
                self.cell.gripper,
            )
            grasp = grasp_pose(obj, self.cell.gripper)
            return None if beside is None else PickPlace(grasp, beside, goal.target)
        return None
