"""The safety gate: the only way from a plan to an action.

It acts only when each referent is grounded with a score above a threshold and a margin over
the runner-up; asks which one when a referent is ambiguous (naming the candidates); refuses
what is impossible, unsupported, out of the workspace or forbidden; and clamps every pose to
the workspace, rejecting an action that clamping would move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.errors import InputError
from vlmbot.language.reference import Reference, singular
from vlmbot.lexicon.concepts import CONCEPTS, hypernym_members, look_alikes
from vlmbot.planning.geometry import fits_gripper, free_spot
from vlmbot.planning.planner import Binding, Proposal
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.reasoning.grounding import Grounding
from vlmbot.types import Outcome, PickPlace

STACKABLE_BASES = frozenset(
    {"block", "cylinder", "lego_brick", "jenga_block", "domino", "plate", "tray", "bowl"}
)


@dataclass(frozen=True)
class GateConfig:
    """min_score: a referent needs at least this grounding score; margin and ratio: the best
    must beat the runner-up by this much and be this many times higher (else: ask), and
    weak_ratio times higher when the best scores below `confident`; novel_min_score: the
    score a referent of a category the model never saw needs before acting without asking,
    and novel_rival: the score from which another candidate for it is a rival; novel_kin:
    when words rank the members of such a category, the probability of a trained look-alike
    from which an object may not be a member;
    comparison_rival: for a superlative, ordinal or size word, the membership in the noun's
    kind from which an object below min_score may still be one of the objects compared
    (with colour words: one whose colour score is at least comparison_color, clearly that
    colour); sure_member: for those words, the membership below which the chosen object
    itself may not be of the kind compared (then an object surely of it, from this
    membership, may be the one meant);
    dissent_low, dissent_high: for a paraphrase, the model's region-text score below which it
    contradicts the choice when another object scores above dissent_high (then: ask);
    familiar: below this familiarity of a paraphrase, its referent needs `confident`, above it
    `paraphrase_min`;
    forbidden: categories or words never to touch; clamp_tolerance: metres a pose may be
    clamped before the action is refused. What the robot can hold and reach comes from its
    cell (`vlmbot.cell.RobotCell`), not from here."""

    min_score: float = 0.25
    margin: float = 0.15
    ratio: float = 1.6
    confident: float = 0.6
    weak_ratio: float = 2.5
    novel_min_score: float = 0.5
    novel_rival: float = 0.03
    novel_kin: float = 0.2
    comparison_rival: float = 0.02
    comparison_color: float = 0.8
    sure_member: float = 0.5
    dissent_low: float = 0.05
    dissent_high: float = 0.5
    familiar: float = 0.5
    paraphrase_min: float = 0.4
    forbidden: tuple[str, ...] = ()
    clamp_tolerance: float = 0.01

    def __post_init__(self) -> None:
        unit = (
            "min_score",
            "margin",
            "confident",
            "novel_min_score",
            "novel_rival",
            "novel_kin",
            "comparison_rival",
            "comparison_color",
            "sure_member",
            "dissent_low",
            "dissent_high",
            "familiar",
            "paraphrase_min",
        )
        for name in unit:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"GateConfig.{name} must be in [0, 1]")
        if self.ratio < 1.0 or self.weak_ratio < 1.0:
            raise InputError("GateConfig ratios must be >= 1")
        if not 0.0 <= self.clamp_tolerance <= 0.1:
            raise InputError("GateConfig.clamp_tolerance must be in [0, 0.1] metres")
        if isinstance(self.forbidden, str) or not all(isinstance(w, str) for w in self.forbidden):
            raise InputError("GateConfig.forbidden must be a tuple of words")


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    text: str = ""
    evidence: tuple[str, ...] = ()


class SafetyGate:
    """Reviews plans and clamps actions for one robot cell (see module docstring)."""

    def __init__(self, config: GateConfig | None = None, cell: RobotCell = HOME_CELL) -> None:
        self.config = config or GateConfig()
        self.cell = cell

    # --- plans -------------------------------------------------------------------------------
    def review(self, proposal: Proposal, graph: SceneGraph) -> Verdict:
        """ACT only if every check passes; otherwise CLARIFY or REFUSE with the reason. Every
        placement of every step is checked, and the whole plan against every constraint."""
        for binding in proposal.bindings:
            if not binding.chosen and proposal.question and self._found(binding):
                return Verdict(Outcome.CLARIFY, proposal.question)
            verdict = self._check_binding(binding, graph)
            if verdict is None and binding.role == "target":
                verdict = self._check_targets(binding, graph)
            if verdict is not None:
                return verdict
        if proposal.question:
            return Verdict(Outcome.CLARIFY, proposal.question)
        if proposal.problem:
            return Verdict(Outcome.REFUSE, f"I can't do that: {proposal.problem}.")
        if not proposal.placements:
            return Verdict(Outcome.REFUSE, "I can't do that: nothing matches the instruction.")
        for placement in proposal.placements:
            target, destination = graph.get(placement.target), graph.get(placement.destination)
            if placement.to_xy is not None:
                problem = self._shift_problem(target, np.asarray(placement.to_xy), graph)
            else:
                problem = self._feasibility(target, placement.relation, destination)
            if problem:
                return Verdict(
                    Outcome.REFUSE, f"I can't do that: {problem}.", (target.id, destination.id)
                )
        broken = self._check_constraints(proposal, graph)
        if broken is not None:
            return broken
        evidence = tuple(
            dict.fromkeys(i for p in proposal.placements for i in (p.target, p.destination))
        )
        return Verdict(Outcome.ACT, "", evidence)

    def _found(self, binding: Binding) -> bool:
        best = binding.grounding.best()
        return best is not None and best[1] >= self.config.min_score

    def _check_constraints(self, proposal: Proposal, graph: SceneGraph) -> Verdict | None:
        """No placement may move a protected object or put an object where it must not go."""
        for placement in proposal.placements:
            target = graph.get(placement.target)
            if placement.target in proposal.protected:
                return Verdict(
                    Outcome.REFUSE,
                    f"I can't do that: it would move the {target.name}, which you asked me to "
                    "leave where it is.",
                    (target.id,),
                )
            if (placement.target, placement.destination) in proposal.keep_out:
                destination = graph.get(placement.destination)
                return Verdict(
                    Outcome.REFUSE,
                    f"I can't do that: it would put the {target.name} in the "
                    f"{destination.name}, which you asked me not to.",
                    (target.id, destination.id),
                )
        return None

    def _not_found(self, binding: Binding, described: str, noun: str) -> Verdict:
        """Nothing fits the words; when they are words the vocabulary barely knows, say so."""
        text = f"I can't find {_with_article(described)} here."
        grounding = binding.grounding
        if grounding.region is not None and grounding.familiarity < self.config.familiar:
            text += f" I don't know the word '{noun}' well: what kind of object is it?"
        return Verdict(Outcome.REFUSE, text)

    def _check_binding(self, binding: Binding, graph: SceneGraph) -> Verdict | None:
        reference = binding.grounding.reference
        noun = reference.head if reference.head not in ("", "object") else "object"
        described = reference.text.strip() or noun
        if not binding.chosen:
            return self._not_found(binding, described, noun)
        best = binding.grounding.best()
        if not binding.singular:
            if best is None or best[1] < self.config.min_score:
                return self._not_found(binding, described, noun)
            for object_id in binding.chosen:
                forbidden = self._forbidden(graph.get(object_id), described)
                if forbidden:
                    return Verdict(
                        Outcome.REFUSE, f"I won't touch that: {forbidden} is on the forbidden list."
                    )
            return self._check_novel(binding, graph, noun)
        best = binding.grounding.best()
        assert best is not None
        if best[1] < self.config.min_score:
            return self._not_found(binding, described, noun)
        novel_choice = _rests_on_untrained(binding, graph)
        contenders = [
            graph.get(binding.grounding.ids[i])
            for i in binding.grounding.order
            if self._rivals(best[1], float(binding.grounding.scores[i]), novel_choice)
            and not (novel_choice and self._ruled_out(binding.grounding, int(i)))
        ]
        if binding.mode == "any":
            contenders = contenders[:1]  # any of them will do: the candidates are no rivals
            best = (binding.chosen[0], _score(binding, binding.chosen[0]))
        if len(contenders) > 1:
            question = clarification(noun, contenders[:3], graph)
            return Verdict(Outcome.CLARIFY, question, tuple(c.id for c in contenders[:3]))
        novel = self._check_novel(binding, graph, noun)
        if novel is not None:
            return novel
        if binding.mode != "any":
            unsure = (
                self._uncertain_members(binding, graph, noun)
                if novel_choice
                else self._uncertain_comparison(binding, graph, noun)
            ) or self._doubtful_choice(binding, graph, noun)
            if unsure is not None:
                return unsure
        dissent = self._check_dissent(binding, graph, noun)
        if dissent is not None:
            return dissent
        unfamiliar = self._check_unfamiliar(binding, graph, noun)
        if unfamiliar is not None:
            return unfamiliar
        forbidden = self._forbidden(graph.get(best[0]), described)
        if forbidden:
            return Verdict(
                Outcome.REFUSE, f"I won't touch that: {forbidden} is on the forbidden list."
            )
        return None

    def _check_targets(self, binding: Binding, graph: SceneGraph) -> Verdict | None:
        """What is to be moved must be graspable and reachable, whatever the destination."""
        for object_id in binding.chosen:
            node = graph.get(object_id)
            problem = self._graspable(node)
            if problem:
                return Verdict(Outcome.REFUSE, f"I can't do that: {problem}.", (node.id,))
        return None

    def _graspable(self, node: GraphObject) -> str | None:
        concept = CONCEPTS.get(node.category)
        if concept is None or not concept.graspable:
            return f"the {node.name} is not something I can pick up"
        if self.cell.gripper.suction and not concept.flat_top:
            return f"the {node.name} has no flat top for my suction cup to hold"
        if not fits_gripper(node.obj, self.cell.gripper):
            if self.cell.gripper.suction:
                return f"the {node.name} has no flat top wide enough for my suction cup"
            return f"the {node.name} is too wide for my gripper"
        if not self.cell.can_reach(node.xy):
            return f"the {node.name} is out of my reach"
        return None

    def _check_novel(self, binding: Binding, graph: SceneGraph, noun: str) -> Verdict | None:
        """The model was never trained on what the words name (its evidence is the described
        shape and what no trained category explains): it acts when that evidence is strong
        (novel_min_score) or another grounded attribute (a colour, a relation, a superlative)
        backs its choice; otherwise it asks before touching anything."""
        reference = binding.grounding.reference
        if not _rests_on_untrained(binding, graph):
            return None
        candidate = graph.get(binding.chosen[0])
        if reference.colors or reference.relation or reference.superlative:
            return None
        best = binding.grounding.best()
        if best is not None and best[1] >= self.config.novel_min_score:
            return None
        side = "left" if graph.workspace.to_viewer(candidate.xy)[1] > 0 else "right"
        described = reference.text.strip() if noun in ("object", "something") else noun
        question = (
            f"I was not trained on what {_indefinite(described)} looks like: "
            f"do you mean the {candidate.color} object on the {side}?"
        )
        return Verdict(Outcome.CLARIFY, question, binding.chosen[:1])

    def _uncertain_members(self, binding: Binding, graph: SceneGraph, noun: str) -> Verdict | None:
        """For a category the model never saw, "the rightmost teddy bear" is only well defined
        when every object is clearly one or clearly not: an object that may be one (between
        novel_rival and novel_min_score) could be the one meant, and so could an object the
        model named as a look-alike kind it was trained on (a teddy bear it never saw is most
        likely seen as a duck) when it fits the rest of the words' colours, and, where the
        words rank the kind's members, one the model takes for a look-alike with at least
        novel_kin probability. Ask."""
        members = binding.grounding.members
        if members is None or not binding.chosen:
            return None
        reference = binding.grounding.reference
        # A hypernym ("the soft toy") already covers its kinds by their own categories.
        named_kind = hypernym_members(reference.head) or hypernym_members(singular(reference.head))
        kin = frozenset() if named_kind else look_alikes(graph.get(binding.chosen[0]).category)
        colors = set(reference.colors)
        ranks = _ranks(reference)

        def may_be_one(i: int) -> bool:
            if self._ruled_out(binding.grounding, i):
                return False  # the colours (size, relation) say it is not the one meant
            if self.config.novel_rival <= members[i] < self.config.novel_min_score:
                return True
            node = graph.get(binding.grounding.ids[i])
            if node.category in kin and (not colors or node.color in colors):
                return True
            # Ranking the kind's members ("the leftmost soccer ball"): one the model takes for
            # it but also, nearly as much, for a look-alike it was trained on (a ball) may be
            # either, and so may not be one of those ranked.
            if not ranks or members[i] <= 0:
                return False
            look_alike = sum(node.category_probs.get(c, 0.0) for c in kin)
            return look_alike >= self.config.novel_kin

        return _ask_among_possible_members(binding, members, graph, noun, may_be_one)

    def _uncertain_comparison(
        self, binding: Binding, graph: SceneGraph, noun: str
    ) -> Verdict | None:
        """ "The leftmost cylinder", "the second block", "the smaller mug" compare the objects of
        a kind: an object that may be of that kind (membership from comparison_rival up to
        min_score) could be the one meant if it is one. Ask rather than pick by a comparison
        over a set that may be missing a member. With colour words only an object clearly of
        those colours counts ("the smaller white canister": a white cylinder the model took
        for a ball): a borderline shade is no sign of a missed member (the margins of the
        colour scores decide those)."""
        reference = binding.grounding.reference
        members, kind = binding.grounding.members, binding.grounding.kind
        if not _compares(reference) or members is None or not binding.chosen:
            return None
        low, high = self.config.comparison_rival, self.config.min_score
        if not reference.colors:
            return _ask_among_possible_members(
                binding, members, graph, noun, lambda i: low <= members[i] < high
            )
        if kind is None:
            return None
        clear = self.config.comparison_color

        def may_be_one(i: int) -> bool:
            return low <= kind[i] < high and members[i] >= clear * kind[i]

        return _ask_among_possible_members(binding, members, graph, noun, may_be_one)

    def _doubtful_choice(self, binding: Binding, graph: SceneGraph, noun: str) -> Verdict | None:
        """A superlative, ordinal or size word picks the first of a kind's members ("the
        leftmost soccer ball"). When the choice itself is more likely not of that kind (a ball
        the model half takes for a soccer ball: membership below sure_member), the object
        surely of it that the words rank next is the one meant if the choice is not one. Ask
        between them."""
        members = binding.grounding.members
        if members is None or not binding.chosen or not _compares(binding.grounding.reference):
            return None
        chosen = binding.grounding.ids.index(binding.chosen[0])
        sure = self.config.sure_member
        if members[chosen] >= sure:
            return None
        scores = binding.grounding.scores
        return _ask_among_possible_members(
            binding, scores, graph, noun, lambda i: members[i] >= sure
        )

    def _check_dissent(self, binding: Binding, graph: SceneGraph, noun: str) -> Verdict | None:
        """A paraphrase goes through the text encoder's map to known categories; the model's
        direct region-text score is a second opinion. When it all but rules out the chosen
        object and strongly favours another, the words are misread somewhere: ask. Only for
        what is to be picked up (a destination word may be unknown: one container is enough)."""
        region = binding.grounding.region
        if region is None or not binding.chosen or binding.role != "target":
            return None
        if graph.get(binding.chosen[0]).category in binding.grounding.untrained:
            return None  # the model has no region-text opinion on what it never saw
        ids = binding.grounding.ids
        chosen = ids.index(binding.chosen[0])
        other = int(np.argmax(region))
        if region[chosen] >= self.config.dissent_low or region[other] < self.config.dissent_high:
            return None
        candidates = [graph.get(ids[chosen]), graph.get(ids[other])]
        question = clarification(noun, candidates, graph)
        return Verdict(Outcome.CLARIFY, question, tuple(c.id for c in candidates))

    def _check_unfamiliar(self, binding: Binding, graph: SceneGraph, noun: str) -> Verdict | None:
        """A word the text encoder ties to nothing known ("tin") is grounded mostly by the
        model's region-text score, an extrapolation: act on it only when that score is
        confident; otherwise ask whether the chosen object is what the word means. A paraphrase
        the encoder does tie to known words still needs paraphrase_min: a choice barely above
        min_score rests on the other words more than on the noun."""
        grounding = binding.grounding
        if binding.role != "target" or not binding.chosen or grounding.region is None:
            return None
        best = grounding.best()
        if best is None:
            return None
        familiar = grounding.familiarity >= self.config.familiar
        needed = self.config.paraphrase_min if familiar else self.config.confident
        if best[1] >= needed:
            return None
        candidate = graph.get(binding.chosen[0])
        return Verdict(
            Outcome.CLARIFY,
            f"I don't know the words '{noun}' well: do you mean the {candidate.name}?",
            (candidate.id,),
        )

    def _rivals(self, best: float, score: float, novel: bool = False) -> bool:
        """A candidate rivals the best unless the best clearly wins: by the margin and by the
        ratio (the best itself counts as its own rival). When the best is of a category the
        model never saw (novel), scores are less calibrated: any candidate scoring novel_rival
        or more rivals it."""
        if novel and score >= self.config.novel_rival:
            return True
        if score < self.config.min_score:
            return False
        ratio = self.config.ratio if best >= self.config.confident else self.config.weak_ratio
        return best - score < self.config.margin or score * ratio > best

    def _ruled_out(self, grounding: Grounding, i: int) -> bool:
        """Whether the colour words rule object i out whatever its kind: were it surely one,
        it would still score below min_score. Colour scores are calibrated where a novel
        kind's membership is not ("the black domino": the white one is no rival, domino or
        not). Only where the scores are membership times colour factors: no comparison or
        relation (they rank the kind's members, so who is one changes them) and no region-text
        score blended in for an unfamiliar word."""
        kind, reference = grounding.kind, grounding.reference
        if kind is None or grounding.region is not None or kind[i] <= 0:
            return False
        if not reference.colors or _ranks(reference):
            return False
        return float(grounding.scores[i]) / float(kind[i]) < self.config.min_score

    def _forbidden(self, node: GraphObject, text: str) -> str | None:
        for word in self.config.forbidden:
            if word == node.category or word in text.lower().split():
                return word
        return None

    def _feasibility(
        self, target: GraphObject, relation: str, destination: GraphObject
    ) -> str | None:
        if target.id == destination.id:
            return f"the {target.name} cannot go {relation.replace('_', ' ')} itself"
        problem = self._graspable(target)
        if problem:
            return problem
        if relation == "in" and not destination.is_container:
            return f"the {destination.name} is not a container"
        if relation == "on" and destination.category not in STACKABLE_BASES:
            return f"nothing can be stacked on the {destination.name}"
        for node in (target, destination):
            if not self.cell.can_reach(node.xy):
                return f"the {node.name} is out of my reach"
        return None

    def _shift_problem(self, target: GraphObject, xy: np.ndarray, graph: SceneGraph) -> str | None:
        """A measured move must end on free table inside the workspace, within reach."""
        problem = self._graspable(target)
        if problem:
            return problem
        radius = float(target.obj.footprint_radius)
        if not self.cell.workspace.contains(xy, margin=radius * 0.5) or not self.cell.can_reach(xy):
            return f"the {target.name} would end up outside my workspace"
        others = [o.obj for o in graph.objects if o.id != target.id]
        if not free_spot(xy, radius, others, self.cell.workspace):
            return f"the {target.name} would land on or against another object there"
        return None

    # --- actions -------------------------------------------------------------------------------
    def clamp(self, action: PickPlace) -> PickPlace | None:
        """Clamp both poses to the cell's workspace; None when clamping would move a pose by
        more than clamp_tolerance (the action would no longer do what was planned)."""
        clamped, moved = self.cell.clamp(action)
        return None if moved > self.config.clamp_tolerance else clamped


def _compares(reference: Reference) -> bool:
    """Whether the words compare the objects of a kind: a superlative, ordinal or size word."""
    return bool(reference.superlative or reference.ordinal is not None or reference.size)


def _ranks(reference: Reference) -> bool:
    """Whether the words rank a kind's members (a comparison or a relation), so that which
    objects are members changes which one is meant."""
    return _compares(reference) or reference.relation is not None


def _ask_among_possible_members(
    binding: Binding,
    members: np.ndarray,
    graph: SceneGraph,
    noun: str,
    may_be_one: Callable[[int], bool],
) -> Verdict | None:
    """Ask which one is meant, the choice first and then (by membership, at most two) the
    other objects that `may_be_one`; None when there are none."""
    ids = binding.grounding.ids
    chosen = ids.index(binding.chosen[0])
    unsure = [int(i) for i in np.argsort(-members) if i != chosen and may_be_one(int(i))]
    if not unsure:
        return None
    candidates = [graph.get(ids[i]) for i in [chosen, *unsure][:3]]
    return Verdict(
        Outcome.CLARIFY, clarification(noun, candidates, graph), tuple(c.id for c in candidates)
    )


def clarification(noun: str, candidates: list[GraphObject], graph: SceneGraph) -> str:
    """ "Which block: the red one or the blue one?" (by position when colours coincide)."""
    colors = [c.color for c in candidates]
    if len(set(colors)) == len(colors):
        options = [f"the {c} one" for c in colors]
    else:
        offsets = graph.workspace.to_viewer(np.stack([c.xy for c in candidates]))
        order = np.argsort(-offsets[:, 1])
        words = ["left", "middle", "right"] if len(candidates) == 3 else ["left", "right"]
        options = [""] * len(candidates)
        for rank, i in enumerate(order):
            options[i] = f"the {candidates[i].color} one on the {words[rank]}"
    joined = ", ".join(options[:-1]) + f" or {options[-1]}"
    return f"Which {noun}: {joined}?"


def _with_article(text: str) -> str:
    text = text.strip()
    if text.split()[0] in ("the", "a", "an", "some", "any", "something", "all", "every", "each"):
        return text
    return f"the {text}"


def _score(binding: Binding, object_id: str) -> float:
    return float(binding.grounding.scores[binding.grounding.ids.index(object_id)])


def _rests_on_untrained(binding: Binding, graph: SceneGraph) -> bool:
    """The words mean a category the model never saw, and the choice is of that kind."""
    return (
        binding.grounding.novelty >= 0.3
        and bool(binding.chosen)
        and graph.get(binding.chosen[0]).category in binding.grounding.untrained
    )


def _indefinite(text: str) -> str:
    if _with_article(text) == text.strip():
        return text.strip()
    return f"{'an' if text.strip()[0] in 'aeiou' else 'a'} {text.strip()}"
