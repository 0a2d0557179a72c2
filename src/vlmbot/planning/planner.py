"""Commands + scene graph → a proposal: which objects go where, with the groundings it rests on.

`Planner` is the interface an LLM-backed planner could implement later; `RulePlanner` is the
built-in one. Proposals are reviewed by the safety gate before anything moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.errors import InputError
from vlmbot.language.instruction import ClearCommand, Parsed, PickCommand, PlaceCommand, SortCommand
from vlmbot.language.reference import parse_reference
from vlmbot.lexicon.colors import color_distance
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.planning.geometry import fits_gripper
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounder, Grounding


@dataclass(frozen=True)
class PlannerConfig:
    """plural_threshold / plural_fraction: a plural takes the objects scoring at least the
    threshold and this fraction of the best; prior_fallback: when no container-like object
    scores this much for "in the X", the words alone are grounded (and the gate says why the
    destination does not work); sort_container_min: "bowl" probability above which an object
    counts as a bowl to sort into."""

    plural_threshold: float = 0.2
    plural_fraction: float = 0.4
    prior_fallback: float = 0.08
    sort_container_min: float = 0.3

    def __post_init__(self) -> None:
        for name in ("plural_threshold", "plural_fraction", "prior_fallback", "sort_container_min"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"PlannerConfig.{name} must be in [0, 1]")


DEFAULT_PLANNER = PlannerConfig()


@dataclass(frozen=True)
class Placement:
    """Move `target` so that it is `relation` `destination` (object ids; relation: in, on,
    left_of, right_of, in_front_of, behind, next_to)."""

    target: str
    relation: str
    destination: str


@dataclass(frozen=True)
class Binding:
    """A referring expression, how it was grounded, and whether it must name one object."""

    role: str
    grounding: Grounding
    singular: bool
    chosen: tuple[str, ...]


@dataclass
class Proposal:
    placements: list[Placement] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    problem: str | None = None  # set when the command cannot be planned at all
    question: str | None = None  # set when the planner needs information (pick with no place)

    def describe(self, graph: SceneGraph) -> list[str]:
        words = {"in": "into", "on": "onto"}
        lines = []
        for p in self.placements:
            target, destination = graph.get(p.target), graph.get(p.destination)
            relation = words.get(p.relation, p.relation.replace("_", " "))
            lines.append(
                f"pick the {target.name} ({p.target}), "
                f"place it {relation} the {destination.name} ({p.destination})"
            )
        return lines


class Planner(Protocol):
    def plan(self, command: Parsed, graph: SceneGraph, grounder: Grounder) -> Proposal: ...


class RulePlanner:
    """The built-in planner: one placement per object, in a fixed, explainable order."""

    def __init__(self, config: PlannerConfig = DEFAULT_PLANNER, cell: RobotCell = HOME_CELL):
        self.config = config
        self.cell = cell

    def plan(self, command: Parsed, graph: SceneGraph, grounder: Grounder) -> Proposal:
        if isinstance(command, PlaceCommand):
            return self._place(command, grounder)
        if isinstance(command, SortCommand):
            return self._sort(command, graph, grounder)
        if isinstance(command, ClearCommand):
            return self._clear(command, graph, grounder)
        if isinstance(command, PickCommand):
            grounding = grounder.ground(command.target)
            binding = self._bind("target", grounding, singular=not command.target.plural)
            noun = command.target.head or "it"
            return Proposal(bindings=[binding], question=f"Where should I put the {noun}?")
        return Proposal(problem="this is not a command I can plan")

    def _place(self, command: PlaceCommand, grounder: Grounder) -> Proposal:
        prior = None
        if command.relation == "in":
            prior = grounder.affordance_prior(("container",))
        elif command.relation == "on":
            prior = grounder.affordance_prior(("container", "stackable"), floor=0.3)
        destination = grounder.ground(command.destination, prior=prior)
        best = destination.best()
        if prior is not None and (best is None or best[1] < self.config.prior_fallback):
            # Nothing container-like matches: ground the words alone, and let the safety gate
            # explain why the destination does not work ("the mug is not a container").
            destination = grounder.ground(command.destination)
        dest = self._bind("destination", destination, singular=True)
        exclude = dest.chosen
        target = grounder.ground(command.target, exclude=exclude)
        tgt = self._bind("target", target, singular=not command.target.plural)
        proposal = Proposal(bindings=[tgt, dest])  # the gate checks what to move first
        if not dest.chosen or not tgt.chosen:
            return proposal
        relation = command.relation
        if relation == "on" and grounder.graph.get(dest.chosen[0]).is_container:
            relation = "in"  # "on the plate", "onto the tray": into the container
        proposal.placements = [Placement(t, relation, dest.chosen[0]) for t in tgt.chosen]
        return proposal

    def _sort(self, command: SortCommand, graph: SceneGraph, grounder: Grounder) -> Proposal:
        bowls = [
            o
            for o in graph.objects
            if o.category_probs.get("bowl", 0) >= self.config.sort_container_min
            or o.category == "bowl"
        ]
        targets = grounder.ground(command.target, exclude=tuple(b.id for b in bowls))
        tgt = self._bind("target", targets, singular=False)
        proposal = Proposal(bindings=[tgt])
        if not bowls:
            proposal.problem = "I see no bowls to sort into"
            return proposal
        for object_id in tgt.chosen:
            node = graph.get(object_id)
            distances = [float(color_distance(node.lab, b.lab)) for b in bowls]
            proposal.placements.append(
                Placement(object_id, "in", bowls[int(np.argmin(distances))].id)
            )
        return proposal

    def _clear(self, command: ClearCommand, graph: SceneGraph, grounder: Grounder) -> Proposal:
        prior = grounder.affordance_prior(("container",))
        dest = self._bind(
            "destination", grounder.ground(command.destination, prior=prior), singular=True
        )
        proposal = Proposal(bindings=[dest])
        if not dest.chosen:
            return proposal
        container = graph.get(dest.chosen[0])
        for node in graph.objects:
            if node.id == container.id or node.is_container or graph.inside(node, container):
                continue
            concept = CONCEPTS.get(node.category)
            if (
                concept
                and concept.graspable
                and fits_gripper(node.obj, self.cell.gripper)
                and self.cell.can_reach(node.xy)
            ):
                proposal.placements.append(Placement(node.id, "in", container.id))
        everything = parse_reference("everything")
        chosen = tuple(p.target for p in proposal.placements)
        proposal.bindings.append(Binding("target", grounder.ground(everything), False, chosen))
        return proposal

    def _bind(self, role: str, grounding: Grounding, singular: bool) -> Binding:
        chosen: tuple[str, ...]
        best = grounding.best()
        if singular:
            chosen = (best[0],) if best is not None else ()
        else:
            floor = self.config.plural_threshold
            if best is not None:
                floor = max(floor, self.config.plural_fraction * best[1])
            chosen = tuple(grounding.above(floor))
        return Binding(role, grounding, singular, chosen)
