"""The typed command: what the parser (or an LLM) says an instruction means.

An `Instruction` is steps carried out in order under constraints that hold throughout:

    Instruction(steps=(PlaceCommand(the red block, "in", a bowl),),
                constraints=(Constraint("dont_move", the mug),))

Steps: PlaceCommand (put X in / on / left of ... Y), SortCommand (put each X into the container
of its colour), ClearCommand (everything graspable into Y, but the exceptions), ShiftCommand
(move X a measured distance left, right, forward or back), PickCommand (pick up X: no
destination, so the robot asks where). A Question asks about the scene; a
NotUnderstood says what the robot could not do, why, and whether it refuses or asks.
`render()` gives each a canonical one-line form (the construction suite's expected column).
"""

from __future__ import annotations

from dataclasses import dataclass

from vlmbot.language.reference import Reference

#: Placement relations of PlaceCommand ("in"/"on" mean into or onto: decided later by
#: whether the destination is a container).
PLACE_RELATIONS = ("in", "on", "left_of", "right_of", "in_front_of", "behind", "next_to")
QUESTION_KINDS = ("count", "color", "exists", "relation", "which", "describe", "what", "where")
CONSTRAINT_KINDS = ("dont_move", "keep_out")
#: What a NotUnderstood is about: empty, too_long, language, no_words, forbidden, injection,
#: unsupported_verb, unparsed, place (an unusable destination), fixture (not an object to
#: move), no_destination, no_target, nothing_to_do, vague_quantity, contradiction,
#: unsupported (a construction the robot has no skill for).
NOT_UNDERSTOOD_KINDS = (
    "empty", "too_long", "language", "no_words", "forbidden", "injection", "unsupported_verb",
    "unparsed", "place", "fixture", "no_destination", "no_target", "nothing_to_do",
    "vague_quantity", "contradiction", "unsupported",
)  # fmt: skip


@dataclass(frozen=True)
class PlaceCommand:
    target: Reference
    relation: str
    destination: Reference
    verb: str = "put"

    def render(self) -> str:
        return f"place({self.target.render()}, {self.relation}, {self.destination.render()})"


@dataclass(frozen=True)
class SortCommand:
    """Each target into the container that matches it by `attribute` (colour)."""

    target: Reference
    containers: Reference
    attribute: str = "color"

    def render(self) -> str:
        return f"sort({self.target.render()}, {self.containers.render()}, {self.attribute})"


@dataclass(frozen=True)
class ClearCommand:
    """Every graspable object not already there into the destination, but the exceptions."""

    destination: Reference
    exclude: tuple[Reference, ...] = ()

    def render(self) -> str:
        text = f"clear({self.destination.render()})"
        if self.exclude:
            text += " except(" + ", ".join(e.render() for e in self.exclude) + ")"
        return text


#: Directions of a measured move, in the viewer frame.
SHIFT_DIRECTIONS = ("left", "right", "forward", "back")


@dataclass(frozen=True)
class ShiftCommand:
    """Move the target `distance_m` metres in `direction` (left, right, forward: away from the
    viewer, back: towards the viewer) on the table: "move the red block 5 cm to the left"."""

    target: Reference
    direction: str
    distance_m: float

    def render(self) -> str:
        return f"shift({self.target.render()}, {self.direction}, {self.distance_m:g})"


@dataclass(frozen=True)
class PickCommand:
    target: Reference

    def render(self) -> str:
        return f"pick({self.target.render()})"


Step = PlaceCommand | SortCommand | ClearCommand | ShiftCommand | PickCommand


@dataclass(frozen=True)
class Constraint:
    """A condition the whole plan keeps. dont_move: the target is never picked. keep_out: the
    target never goes into or onto the destination."""

    kind: str
    target: Reference
    destination: Reference | None = None

    def render(self) -> str:
        if self.destination is None:
            return f"{self.kind}({self.target.render()})"
        return f"{self.kind}({self.target.render()}, {self.destination.render()})"


@dataclass(frozen=True)
class Instruction:
    """Steps in order, under constraints (see module docstring)."""

    steps: tuple[Step, ...]
    constraints: tuple[Constraint, ...] = ()

    def render(self) -> str:
        return " ; ".join(
            [*(s.render() for s in self.steps), *(c.render() for c in self.constraints)]
        )


@dataclass(frozen=True)
class Question:
    """kind: count | color | exists | relation | which | describe | what | where.
    relation/anchor: for relation ("is the X left of the Y"), which ("which object is closest
    to the Y") and what ("what is left of the Y") questions."""

    kind: str
    subject: Reference | None = None
    relation: str | None = None
    anchor: Reference | None = None

    def render(self) -> str:
        parts = [self.subject.render()] if self.subject else []
        if self.relation:
            parts.append(self.relation)
        if self.anchor:
            parts.append(self.anchor.render())
        return f"ask:{self.kind}({', '.join(parts)})"


@dataclass(frozen=True)
class NotUnderstood:
    """reason: a sentence for the user; kind: see NOT_UNDERSTOOD_KINDS; outcome: "refuse" or
    "clarify"; part: the words it could not do."""

    reason: str
    kind: str = "unparsed"
    outcome: str = "refuse"
    part: str = ""

    def render(self) -> str:
        return f"{self.outcome}:{self.kind}" + (f"({self.part})" if self.part else "")


Parsed = Instruction | Question | NotUnderstood
