"""Determiners and number through to objects: a reference and its groundings → the objects a
step acts on.

- "the red block" (unique): the best-scoring object; the safety gate checks that it stands out.
- "a bowl", "any bowl", "one of the bowls" (any): the planner chooses among the clear
  candidates (the one nearest the object that moves, when that helps) and says which.
- "all the red blocks", "the red blocks", "every cube" (all): the clear members. Borderline
  members are left out and named: a plural never widens to a neighbouring colour.
- "two red blocks" (count, any two): that many clear members, or a question when fewer exist;
  "the two red blocks", "both blocks" (count, definite): exactly that many, else a question.
- coordination ("the mug and the duck"): each member by its own determiner, together.
- exceptions ("every block except the red one") and protected objects ("don't move the mug"):
  never chosen. Exceptions are grounded generously (anything that may be what they name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlmbot.errors import InputError
from vlmbot.language.reference import Reference
from vlmbot.planning.proposal import Binding
from vlmbot.reasoning.grounding import Grounder, Grounding


@dataclass(frozen=True)
class BindingConfig:
    """member_clear / member_fraction: a member of a set scores at least member_clear and this
    fraction of the best member; plural_threshold: from this score a non-member is borderline
    (left out and named); any_fraction: an indefinite's candidates score this fraction of the
    best; exclusion_floor / exclusion_fraction: an exception covers every object scoring at
    least the floor and this fraction of its best (generous: what may be it is not moved);
    found_min: the score below which nothing matches a reference at all."""

    member_clear: float = 0.5
    member_fraction: float = 0.5
    plural_threshold: float = 0.2
    any_fraction: float = 0.6
    exclusion_floor: float = 0.15
    exclusion_fraction: float = 0.3
    found_min: float = 0.25

    def __post_init__(self) -> None:
        for name in (
            "member_clear",
            "member_fraction",
            "plural_threshold",
            "any_fraction",
            "exclusion_floor",
            "exclusion_fraction",
            "found_min",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"BindingConfig.{name} must be in [0, 1]")
        if self.plural_threshold > self.member_clear:
            raise InputError("BindingConfig.plural_threshold must not exceed member_clear")


DEFAULT_BINDING = BindingConfig()


@dataclass
class Bound:
    """What binding a reference gave: its bindings (one per coordinated member), the chosen
    object ids in order, a question when the planner must ask first, and notes on choices."""

    bindings: list[Binding] = field(default_factory=list)
    chosen: tuple[str, ...] = ()
    question: str | None = None
    notes: list[str] = field(default_factory=list)


class Binder:
    """Binds references on one scene graph (see module docstring)."""

    def __init__(self, grounder: Grounder, config: BindingConfig = DEFAULT_BINDING) -> None:
        self.grounder = grounder
        self.graph = grounder.graph
        self.config = config

    def bind(
        self,
        role: str,
        reference: Reference,
        exclude: tuple[str, ...] = (),
        prior: np.ndarray | None = None,
        near: np.ndarray | None = None,
        protected: frozenset[str] = frozenset(),
    ) -> Bound:
        """Bind a reference. exclude: ids it cannot be (the destination); prior (N,): a factor
        on scores ("in the X" favours containers); near (2,): world xy an indefinite prefers
        to be close to; protected: ids never to choose (exceptions, constraints)."""
        bound = Bound()
        excluded = self.excluded(reference, bound)
        if bound.question:
            return bound
        if reference.mode == "any" and reference.members:
            # "the red or the blue block": any one of the members
            grounding = self.grounder.ground(
                reference, exclude=exclude + excluded + tuple(protected), prior=prior
            )
            part = self._any(role, reference, grounding, near)
            part.notes = bound.notes + part.notes
            return part
        members = reference.members or (reference,)
        for member in members:
            part = self._bind_one(role, member, exclude + excluded, prior, near, protected)
            bound.bindings += part.bindings
            bound.chosen += tuple(i for i in part.chosen if i not in bound.chosen)
            bound.notes += part.notes
            bound.question = bound.question or part.question
        return bound

    def excluded(self, reference: Reference, bound: Bound) -> tuple[str, ...]:
        """Every object that may be one of the reference's exceptions."""
        ids: list[str] = []
        for exception in reference.exclude:
            grounding = self.grounder.ground(exception)
            best = grounding.best()
            if best is None or best[1] < self.config.found_min:
                bound.question = (
                    f"You asked me to leave out {_phrase(exception)}, but I don't see it: "
                    "what should I leave out?"
                )
                return ()
            floor = max(self.config.exclusion_floor, self.config.exclusion_fraction * best[1])
            ids += grounding.above(floor)
        return tuple(dict.fromkeys(ids))

    def covers(self, reference: Reference) -> tuple[str, ...] | None:
        """Every object a constraint's reference may mean (generous), or None when nothing
        in the scene matches it."""
        grounding = self.grounder.ground(reference)
        best = grounding.best()
        if best is None or best[1] < self.config.found_min:
            return None
        floor = max(self.config.exclusion_floor, self.config.exclusion_fraction * best[1])
        return tuple(grounding.above(floor))

    def _bind_one(
        self,
        role: str,
        reference: Reference,
        exclude: tuple[str, ...],
        prior: np.ndarray | None,
        near: np.ndarray | None,
        protected: frozenset[str],
    ) -> Bound:
        mode = reference.mode
        if mode == "unique":
            grounding = self.grounder.ground(reference, exclude=exclude, prior=prior)
            best = grounding.best()
            chosen = (best[0],) if best is not None else ()
            bound = Bound([Binding(role, grounding, True, chosen, "unique")], chosen)
            if chosen and chosen[0] in protected:
                bound.question = (
                    f"You asked me both to move {_phrase(reference)} there and not to: "
                    "which do you mean?"
                )
            return bound
        grounding = self.grounder.ground(reference, exclude=exclude + tuple(protected), prior=prior)
        if mode == "any":
            return self._any(role, reference, grounding, near)
        return self._set(role, reference, grounding)

    def _any(
        self, role: str, reference: Reference, grounding: Grounding, near: np.ndarray | None
    ) -> Bound:
        best = grounding.best()
        if best is None:
            return Bound([Binding(role, grounding, True, (), "any")])
        floor = max(self.config.plural_threshold, self.config.any_fraction * best[1])
        candidates = grounding.above(floor)
        choice = best[0]
        if near is not None and len(candidates) > 1:
            choice = min(
                candidates, key=lambda i: float(np.linalg.norm(self.graph.get(i).xy - near))
            )
        bound = Bound([Binding(role, grounding, True, (choice,), "any")], (choice,))
        if len(candidates) > 1:
            node = self.graph.get(choice)
            bound.notes.append(
                f"I chose the {node.name} ({choice}); any {_noun(reference)} would do"
            )
        return bound

    def _set(self, role: str, reference: Reference, grounding: Grounding) -> Bound:
        """all / count: the clear members; borderline ones left out and named."""
        best = grounding.best()
        if best is None:
            return Bound([Binding(role, grounding, False, (), reference.mode)])
        clear_floor = max(self.config.member_clear, self.config.member_fraction * best[1])
        clear = grounding.above(clear_floor)
        borderline = [i for i in grounding.above(self.config.plural_threshold) if i not in clear]
        chosen, question, notes = self._count(reference, clear)
        binding = Binding(role, grounding, False, chosen, reference.mode, tuple(borderline))
        bound = Bound([binding], chosen, question, notes)
        if borderline and clear:
            names = ", ".join(f"the {self.graph.get(i).name}" for i in borderline)
            bound.notes.append(f"I left out {names}: not clearly {_phrase(reference, bare=True)}")
        elif borderline and not clear:
            names = " or ".join(f"the {self.graph.get(i).name} ({i})" for i in borderline[:3])
            described = _phrase(reference, bare=True)
            bound.question = f"I am not sure anything here is {described}: do you mean {names}?"
        return bound

    def _count(
        self, reference: Reference, clear: list[str]
    ) -> tuple[tuple[str, ...], str | None, list[str]]:
        """(chosen, question, notes) for a numeral: that many of the clear members."""
        if reference.mode != "count" or reference.count is None:
            return tuple(clear), None, []
        wanted, noun = reference.count, _noun(reference)
        seen = f"{len(clear)} {_plural(noun, len(clear))}"
        if reference.determiner == "the" and len(clear) != wanted:
            return (), f"I see {seen}, not {wanted}: which do you mean?", []
        if len(clear) < wanted:
            them = "it" if len(clear) == 1 else "them"
            return (), f"I see only {seen}, not {wanted}: should I move {them}?", []
        chosen = tuple(clear[:wanted])
        notes = []
        if len(clear) > wanted:
            names = ", ".join(f"the {self.graph.get(i).name} ({i})" for i in chosen)
            notes.append(f"I chose {names}; any {wanted} would do")
        return chosen, None, notes


def _noun(reference: Reference) -> str:
    words = [*reference.colors, reference.head or "object"]
    if reference.size:
        words.insert(0, reference.size)
    return " ".join(w for w in words if w)


def _plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return noun + ("es" if noun.endswith(("x", "s", "ch", "sh")) else "s")


def _phrase(reference: Reference, bare: bool = False) -> str:
    text = reference.text.strip() or _noun(reference)
    if bare:
        return _noun(reference)
    return text if text.split()[0] in ("the", "a", "an", "all", "every", "each") else f"the {text}"
