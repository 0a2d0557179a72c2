"""What a planner proposes: placements, the groundings they rest on, the choices it made, and
the constraints the safety gate checks the whole plan against."""

from __future__ import annotations

from dataclasses import dataclass, field

from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounding

#: How a binding picks objects: unique (one that must stand out), any (the planner chooses one),
#: all (the clear members of a set), count (that many of the clear members).
BINDING_MODES = ("unique", "any", "all", "count")


@dataclass(frozen=True)
class Placement:
    """Move `target` so that it is `relation` `destination` (object ids; relation: in, on,
    left_of, right_of, in_front_of, behind, next_to), or for relation "shift" onto the table at
    `to_xy` (world frame, metres; destination is the target itself)."""

    target: str
    relation: str
    destination: str
    to_xy: tuple[float, float] | None = None


@dataclass(frozen=True)
class Binding:
    """A referring expression, how it was grounded, and what was chosen.

    singular: it names one object (the gate checks that it stands out when mode is unique);
    mode: see BINDING_MODES; left_out: borderline members a set left out ("the orange blocks"
    leaves out a block that may be red)."""

    role: str
    grounding: Grounding
    singular: bool
    chosen: tuple[str, ...]
    mode: str = "unique"
    left_out: tuple[str, ...] = ()


@dataclass
class Proposal:
    """placements in order; bindings: every grounded reference (targets, destinations,
    exceptions); problem: why the command cannot be planned (refuse); question: what the planner
    must know first (clarify); notes: the choices it made, for the user ("I chose the blue
    bowl"); protected: objects never to pick (exceptions, "don't move the mug"); keep_out:
    (object, container) pairs that must not end together."""

    placements: list[Placement] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    problem: str | None = None
    question: str | None = None
    notes: list[str] = field(default_factory=list)
    protected: set[str] = field(default_factory=set)
    keep_out: set[tuple[str, str]] = field(default_factory=set)

    def describe(self, graph: SceneGraph) -> list[str]:
        words = {"in": "into", "on": "onto"}
        lines = []
        for p in self.placements:
            target, destination = graph.get(p.target), graph.get(p.destination)
            if p.to_xy is not None:
                x, y = p.to_xy
                lines.append(f"pick the {target.name} ({p.target}), place it at ({x:.3f}, {y:.3f})")
                continue
            relation = words.get(p.relation, p.relation.replace("_", " "))
            lines.append(
                f"pick the {target.name} ({p.target}), "
                f"place it {relation} the {destination.name} ({p.destination})"
            )
        return lines

    def merge(self, other: Proposal) -> None:
        """Append another step's proposal; a later placement of the same object replaces an
        earlier one (the last one says where it ends)."""
        for placement in other.placements:
            self.placements = [p for p in self.placements if p.target != placement.target]
            self.placements.append(placement)
        self.bindings += other.bindings
        self.notes += other.notes
        self.protected |= other.protected
        self.keep_out |= other.keep_out
        self.problem = self.problem or other.problem
        self.question = self.question or other.question
