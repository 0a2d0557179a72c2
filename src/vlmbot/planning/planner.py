"""Typed commands + scene graph → a proposal: which objects go where, with the groundings it
rests on, the choices it made and the constraints the safety gate checks.

`Planner` is the interface: `interpret` reads the instruction (the rule parser here; an LLM
in `vlmbot.planning.llm`), `plan` grounds it. `RulePlanner` plans every step of an
Instruction in order, under its constraints. Proposals are reviewed by the safety gate before
anything moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.errors import InputError
from vlmbot.language.commands import (
    ClearCommand,
    Constraint,
    Instruction,
    Parsed,
    PickCommand,
    PlaceCommand,
    ShiftCommand,
    SortCommand,
    Step,
)
from vlmbot.language.instruction import parse_instruction
from vlmbot.language.reference import Reference, parse_reference
from vlmbot.lexicon.colors import color_distance
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.planning.binding import DEFAULT_BINDING, Binder, BindingConfig, Bound
from vlmbot.planning.geometry import fits_gripper
from vlmbot.planning.proposal import Binding, Placement, Proposal
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.reasoning.grounding import Grounder

__all__ = ["Binding", "Placement", "Planner", "PlannerConfig", "Proposal", "RulePlanner"]


@dataclass(frozen=True)
class PlannerConfig:
    """prior_fallback: when no container-like object scores this much for "in the X", the
    words alone are grounded (and the gate says why the destination does not work);
    sort_container_min: score above which an object counts as one of the containers to sort
    into; sort_max_distance: CIELAB distance beyond which an object matches no container's
    colour (it is left out and named); binding: determiners and sets (`BindingConfig`)."""

    prior_fallback: float = 0.08
    sort_container_min: float = 0.3
    sort_max_distance: float = 60.0
    binding: BindingConfig = DEFAULT_BINDING

    def __post_init__(self) -> None:
        for name in ("prior_fallback", "sort_container_min"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"PlannerConfig.{name} must be in [0, 1]")
        if not 0.0 < self.sort_max_distance <= 300.0:
            raise InputError("PlannerConfig.sort_max_distance must be in (0, 300]")


DEFAULT_PLANNER = PlannerConfig()

#: Viewer-frame (forward, left) unit vectors of a measured move's directions.
SHIFT_VECTORS = {
    "left": (0.0, 1.0),
    "right": (0.0, -1.0),
    "forward": (1.0, 0.0),
    "back": (-1.0, 0.0),
}


def _found(bound: Bound, minimum: float) -> bool:
    """Every binding of a reference matches something in the scene."""
    for binding in bound.bindings:
        best = binding.grounding.best()
        if best is None or best[1] < minimum:
            return False
    return True


class Planner(Protocol):
    def interpret(self, instruction: str, graph: SceneGraph) -> Parsed:
        """The typed command (or question, or why not) for an instruction in this scene."""
        ...

    def plan(self, command: Parsed, graph: SceneGraph, grounder: Grounder) -> Proposal: ...


class RulePlanner:
    """The built-in planner: the rule parser, then one placement per object, in a fixed,
    explainable order."""

    name = "rule"

    def __init__(self, config: PlannerConfig = DEFAULT_PLANNER, cell: RobotCell = HOME_CELL):
        self.config = config
        self.cell = cell

    def interpret(self, instruction: str, graph: SceneGraph) -> Parsed:
        return parse_instruction(instruction)

    def plan(self, command: Parsed | Step, graph: SceneGraph, grounder: Grounder) -> Proposal:
        if isinstance(
            command, PlaceCommand | SortCommand | ClearCommand | ShiftCommand | PickCommand
        ):
            command = Instruction((command,))
        if not isinstance(command, Instruction):
            return Proposal(problem="this is not a command I can plan")
        binder = Binder(grounder, self.config.binding)
        proposal = Proposal()
        for constraint in command.constraints:
            self._constrain(constraint, binder, proposal)
        if proposal.question:
            return proposal
        for step in command.steps:
            part = self._step(step, graph, grounder, binder, proposal)
            proposal.merge(part)
            if proposal.question or proposal.problem:
                break
        return proposal

    def _step(
        self, step: Step, graph: SceneGraph, grounder: Grounder, binder: Binder, plan: Proposal
    ) -> Proposal:
        if isinstance(step, PlaceCommand):
            return self._place(step, grounder, binder, plan)
        if isinstance(step, SortCommand):
            return self._sort(step, graph, grounder, binder, plan)
        if isinstance(step, ClearCommand):
            return self._clear(step, graph, grounder, binder, plan)
        if isinstance(step, ShiftCommand):
            return self._shift(step, graph, binder, plan)
        bound = binder.bind("target", step.target, protected=frozenset(plan.protected))
        noun = step.target.head or "it"
        return Proposal(
            bindings=bound.bindings, question=bound.question or f"Where should I put the {noun}?"
        )

    def _constrain(self, constraint: Constraint, binder: Binder, proposal: Proposal) -> None:
        """Protected objects and keep-out pairs, grounded generously."""
        targets = binder.covers(constraint.target)
        if targets is None:
            # Never go on without knowing what to keep still: the object may be there, unseen.
            what = constraint.target.text.strip() or constraint.target.head
            proposal.question = (
                f"You asked me to keep {what} where it is, but I can't tell which object that "
                "is: which one do you mean?"
            )
            return
        if constraint.kind == "dont_move" or constraint.destination is None:
            proposal.protected |= set(targets)
            return
        destinations = binder.covers(constraint.destination) or ()
        proposal.keep_out |= {(t, d) for t in targets for d in destinations}

    def _place(
        self, command: PlaceCommand, grounder: Grounder, binder: Binder, plan: Proposal
    ) -> Proposal:
        preview = grounder.ground(command.target).best()
        near = grounder.graph.get(preview[0]).xy if preview else None
        dest = self._destination(command, grounder, binder, near)
        proposal = Proposal(bindings=list(dest.bindings), question=dest.question, notes=dest.notes)
        if dest.question or not dest.chosen or not _found(dest, self.config.binding.found_min):
            return proposal  # the gate names the destination it cannot find, not the target
        destination = dest.chosen[0]
        keep_out = frozenset(t for t, d in plan.keep_out if d == destination)
        at = grounder.graph.get(destination).xy
        tgt = binder.bind(
            "target", command.target, (destination,), near=at,
            protected=frozenset(plan.protected) | keep_out,
        )  # fmt: skip
        proposal.bindings = tgt.bindings + proposal.bindings  # the gate checks what moves first
        proposal.notes += tgt.notes
        proposal.question = tgt.question
        if tgt.question or not tgt.chosen:
            return proposal
        relation = command.relation
        if relation == "on" and grounder.graph.get(destination).is_container:
            relation = "in"  # "on the plate", "onto the tray": into the container
        proposal.placements = [Placement(t, relation, destination) for t in tgt.chosen]
        return proposal

    def _destination(
        self, command: PlaceCommand, grounder: Grounder, binder: Binder, near: np.ndarray | None
    ) -> Bound:
        prior = None
        if command.relation == "in":
            prior = grounder.affordance_prior(("container",))
        elif command.relation == "on":
            prior = grounder.affordance_prior(("container", "stackable"), floor=0.3)
        bound = binder.bind("destination", command.destination, prior=prior, near=near)
        best = bound.bindings[0].grounding.best() if bound.bindings else None
        if prior is not None and (best is None or best[1] < self.config.prior_fallback):
            # Nothing container-like matches: ground the words alone, and let the safety gate
            # explain why the destination does not work ("the mug is not a container").
            bound = binder.bind("destination", command.destination, near=near)
        return bound

    def _sort(
        self,
        command: SortCommand,
        graph: SceneGraph,
        grounder: Grounder,
        binder: Binder,
        plan: Proposal,
    ) -> Proposal:
        containers = self._containers(command.containers, graph, grounder)
        exclude = tuple(c.id for c in containers)
        tgt = binder.bind("target", command.target, exclude, protected=frozenset(plan.protected))
        proposal = Proposal(bindings=tgt.bindings, question=tgt.question, notes=tgt.notes)
        if not containers:
            noun = command.containers.head or "container"
            proposal.problem = f"I see no {noun}s to sort into"
            return proposal
        for object_id in tgt.chosen:
            node = graph.get(object_id)
            distances = [float(color_distance(node.lab, c.lab)) for c in containers]
            nearest = int(np.argmin(distances))
            destination = containers[nearest].id
            if distances[nearest] > self.config.sort_max_distance:
                proposal.notes.append(f"I left out the {node.name}: no container has its colour")
            elif (object_id, destination) not in plan.keep_out:
                proposal.placements.append(Placement(object_id, "in", destination))
        return proposal

    def _containers(
        self, reference: Reference, graph: SceneGraph, grounder: Grounder
    ) -> list[GraphObject]:
        grounding = grounder.ground(reference)
        minimum = self.config.sort_container_min
        return [
            node
            for node, score in zip(graph.objects, grounding.scores, strict=True)
            if node.is_container and (score >= minimum or node.category == reference.head)
        ]

    def _clear(
        self,
        command: ClearCommand,
        graph: SceneGraph,
        grounder: Grounder,
        binder: Binder,
        plan: Proposal,
    ) -> Proposal:
        prior = grounder.affordance_prior(("container",))
        dest = binder.bind("destination", command.destination, prior=prior)
        proposal = Proposal(bindings=dest.bindings, question=dest.question, notes=dest.notes)
        everything = parse_reference("everything")
        excluded = binder.excluded(
            Reference(everything.text, "", plural=True, exclude=command.exclude), dest
        )
        proposal.question = proposal.question or dest.question
        if not dest.chosen or proposal.question:
            return proposal
        container = graph.get(dest.chosen[0])
        skip = set(excluded) | plan.protected
        for node in graph.objects:
            if node.id == container.id or node.is_container or graph.inside(node, container):
                continue
            if node.id in skip or (node.id, container.id) in plan.keep_out:
                continue
            if self._movable(node):
                proposal.placements.append(Placement(node.id, "in", container.id))
        chosen = tuple(p.target for p in proposal.placements)
        proposal.bindings.append(
            Binding("target", grounder.ground(everything), False, chosen, "all")
        )
        return proposal

    def _shift(
        self, command: ShiftCommand, graph: SceneGraph, binder: Binder, plan: Proposal
    ) -> Proposal:
        """A measured move in the viewer frame; the gate checks where it ends."""
        tgt = binder.bind("target", command.target, protected=frozenset(plan.protected))
        proposal = Proposal(bindings=tgt.bindings, question=tgt.question, notes=tgt.notes)
        if tgt.question or not tgt.chosen:
            return proposal
        forward_left = np.asarray(SHIFT_VECTORS[command.direction]) * command.distance_m
        for object_id in tgt.chosen:
            xy = graph.get(object_id).xy + graph.workspace.from_viewer(forward_left)
            to_xy = (float(xy[0]), float(xy[1]))
            proposal.placements.append(Placement(object_id, "shift", object_id, to_xy))
        return proposal

    def _movable(self, node: GraphObject) -> bool:
        concept = CONCEPTS.get(node.category)
        return bool(
            concept
            and concept.graspable
            and fits_gripper(node.obj, self.cell.gripper)
            and self.cell.can_reach(node.xy)
        )
