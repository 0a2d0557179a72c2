"""The step loop: a reviewed plan carried out one action per decision, closed loop.

After every executed action the agent perceives again; `StepLoop.next` then checks each
placement's post-condition on the fresh scene graph, retries a failed step a bounded number of
times, and ends with an honest `Done`: "goal reached", "goal reached as far as I can see (...)"
when a moved object could not be seen again, or the reason it stopped. Every action leaves
through the safety gate's clamp; nothing here reads the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmbot.cell import RobotCell
from vlmbot.errors import InputError
from vlmbot.planning.geometry import (
    DEFAULT_PLACEMENT,
    PlacementConfig,
    grasp_pose,
    grasp_yaw,
    place_in,
    place_on,
    place_relative,
    release_pose,
)
from vlmbot.planning.planner import Placement
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.safety.gate import SafetyGate
from vlmbot.types import Decision, Done, Outcome, PickPlace, Pose, SceneObject

#: Called with (object id, world xy) when the loop moves an object: where to expect it next.
Expectation = Callable[[str, np.ndarray], None]


@dataclass(frozen=True)
class StepConfig:
    """max_attempts: tries per placement (the first and the retries)."""

    max_attempts: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 10:
            raise InputError("StepConfig.max_attempts must be in [1, 10]")


@dataclass
class Progress:
    """What the agent committed to for the current instruction, and how far it got."""

    instruction: str
    placements: list[Placement]
    plan: list[str]
    attempts: dict[int, int] = field(default_factory=dict)
    unverified: set[str] = field(default_factory=set)  # moved, then not seen again
    uneven: set[str] = field(default_factory=set)  # stacked, but the stack does not look right
    placed: dict[str, tuple[str, SceneObject, Pose]] = field(default_factory=dict)


class StepLoop:
    """Carries out a plan (see module docstring). One loop per agent; `start` a new plan."""

    def __init__(
        self,
        cell: RobotCell,
        gate: SafetyGate,
        placement: PlacementConfig = DEFAULT_PLACEMENT,
        config: StepConfig | None = None,
    ) -> None:
        self.cell = cell
        self.gate = gate
        self.placement = placement
        self.config = config or StepConfig()
        self.progress: Progress | None = None

    @property
    def instruction(self) -> str | None:
        return None if self.progress is None else self.progress.instruction

    def reset(self) -> None:
        self.progress = None

    def start(self, instruction: str, placements: list[Placement], plan: list[str]) -> None:
        self.progress = Progress(instruction, list(placements), plan)

    def next(self, graph: SceneGraph, expect: Expectation) -> Decision:
        """The next action of the plan on the current scene graph, or Done."""
        if self.progress is None:
            raise InputError("the step loop has no plan: call start() first")
        progress = self.progress
        for index, placement in enumerate(progress.placements):
            try:
                target, destination = graph.get(placement.target), graph.get(placement.destination)
            except KeyError:
                seen = {o.id for o in graph.objects}
                if placement.target not in seen and progress.attempts.get(index, 0) > 0:
                    # Moved by us and no longer seen: most likely hidden in its destination.
                    progress.unverified.add(placement.target)
                    continue
                missing = (
                    placement.target if placement.target not in seen else placement.destination
                )
                return self._done(f"I lost track of {missing}", graph)
            if _holds(placement, target, destination, graph):
                continue
            attempts = progress.attempts.get(index, 0)
            if attempts and placement.relation == "on" and graph.gap(target, destination) < 0:
                # Placed, and it overlaps its base, but the stack does not look right: a
                # regrasp could close on the base too. Leave it and say so.
                progress.uneven.add(placement.target)
                continue
            if attempts >= self.config.max_attempts:
                return self._done(f"step {index + 1} failed after {attempts} attempts", graph)
            action = self._action(placement, graph)
            if action is None:
                return self._done(f"no safe pose for step {index + 1}", graph)
            progress.attempts[index] = attempts + 1
            expect(placement.target, np.asarray(action.place_pose.position[:2]))
            progress.placed[placement.target] = (
                placement.destination,
                target.obj,
                action.place_pose,
            )
            evidence = (placement.target, placement.destination)
            return Decision(
                Outcome.ACT,
                actions=(action,),
                evidence=evidence,
                info=decision_info(graph, evidence, progress.plan),
            )
        doubts = []
        if progress.unverified:
            doubts.append(f"{', '.join(sorted(progress.unverified))} not seen after moving")
        if progress.uneven:
            doubts.append(f"{', '.join(sorted(progress.uneven))} may sit unevenly")
        if doubts:
            return self._done(f"goal reached as far as I can see ({'; '.join(doubts)})", graph)
        return self._done("goal reached", graph)

    def _done(self, reason: str, graph: SceneGraph) -> Decision:
        plan = self.progress.plan if self.progress else []
        return Decision(Outcome.ACT, actions=(Done(reason),), info=decision_info(graph, (), plan))

    def _action(self, placement: Placement, graph: SceneGraph) -> PickPlace | None:
        target, destination = graph.get(placement.target), graph.get(placement.destination)
        gripper, config = self.cell.gripper, self.placement
        place: Pose | None
        if placement.relation == "in":
            contents = [o.obj for o in graph.contents(destination)]
            contents += self._unseen_contents(destination.id)
            place = place_in(target.obj, destination.obj, contents, gripper, config)
        elif placement.relation == "on":
            place = place_on(target.obj, destination.obj, gripper, config)
        elif placement.to_xy is not None:  # a measured move onto the table
            xy = np.asarray(placement.to_xy, dtype=float)
            yaw = grasp_yaw(target.obj, gripper)
            table_z = self.cell.workspace.table_z
            place = release_pose(target.obj, xy, table_z, yaw, gripper, config)
        else:
            others = [o.obj for o in graph.objects]
            place = place_relative(
                target.obj,
                destination.obj,
                placement.relation,
                others,
                self.cell.workspace,
                gripper,
                config,
            )
            if place is None:
                return None
        return self.gate.clamp(PickPlace(grasp_pose(target.obj, gripper, config), place, target.id))

    def _unseen_contents(self, destination_id: str) -> list[SceneObject]:
        """Objects we put into a container and can no longer see: they still take up room."""
        if self.progress is None:
            return []
        ghosts = []
        for object_id in self.progress.unverified:
            destination, obj, pose = self.progress.placed.get(object_id, ("", None, None))
            if destination == destination_id and obj is not None and pose is not None:
                position = np.array(pose.position)
                ghosts.append(SceneObject(object_id, obj.category, position, obj.extent, obj.yaw))
        return ghosts


#: Metres within which a measured move's object counts as arrived.
SHIFT_TOLERANCE = 0.025


def _holds(
    placement: Placement, target: GraphObject, destination: GraphObject, graph: SceneGraph
) -> bool:
    """A placement's post-condition on the current scene graph."""
    if placement.to_xy is not None:
        gap = float(np.linalg.norm(target.xy - np.asarray(placement.to_xy)))
        return gap < SHIFT_TOLERANCE and graph.supported_by(target) is None
    return graph.relation(target, destination, placement.relation)


def decision_info(graph: SceneGraph, evidence: tuple[str, ...], plan: list[str]) -> dict[str, Any]:
    """Plan lines and per-camera boxes of every object (evidence first), for reports."""
    annotations: dict[str, list[dict[str, Any]]] = {}
    for node in sorted(graph.objects, key=lambda o: o.id not in evidence):
        marker = "> " if node.id in evidence else ""
        for camera, box in node.views.items():
            annotations.setdefault(camera, []).append(
                {"xyxy": box, "label": f"{marker}{node.id} {node.name}"}
            )
    return {
        "plan": plan,
        "annotations": annotations,
        "objects": [o.name for o in graph.objects],
    }
