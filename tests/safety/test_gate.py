"""The safety gate on plans over hand-made scene graphs: act, ask, refuse, clamp."""

from dataclasses import replace

import numpy as np
import pytest
from tests.fakes import node, stages_of, vocabulary_of

from vlmbot.cell import HOME_CELL, Gripper
from vlmbot.language.instruction import parse_instruction
from vlmbot.language.reference import parse_reference
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.planning.planner import RulePlanner
from vlmbot.reasoning.grounding import Grounder
from vlmbot.safety.gate import GateConfig, SafetyGate
from vlmbot.types import Outcome, PickPlace, Pose


def decide(grounder, tabletop, text, **gate_options):
    proposal = RulePlanner().plan(parse_instruction(text), tabletop, grounder)
    return proposal, SafetyGate(GateConfig(**gate_options)).review(proposal, tabletop)


def test_gate_acts_on_clear_instructions(grounder, tabletop):
    proposal, verdict = decide(grounder, tabletop, "put the red block in the tray")
    assert verdict.outcome is Outcome.ACT
    assert [(p.target, p.relation, p.destination) for p in proposal.placements] == [
        ("red_block", "in", "tray")
    ]
    proposal, verdict = decide(grounder, tabletop, "stack the red block on the blue block")
    assert verdict.outcome is Outcome.ACT and proposal.placements[0].relation == "on"


def test_gate_asks_which_when_ambiguous(grounder, tabletop):
    _, verdict = decide(grounder, tabletop, "put the block in the tray")
    assert verdict.outcome is Outcome.CLARIFY
    assert "Which block" in verdict.text and "red" in verdict.text and "blue" in verdict.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("put the tray in the mug", "not something I can pick up"),
        ("put the duck in the mug", "not a container"),
        ("put the banana in the tray", "can't find"),
        ("pick up the duck", None),
    ],
)
def test_gate_refuses_or_asks(grounder, tabletop, text, reason):
    _, verdict = decide(grounder, tabletop, text)
    if reason is None:
        assert verdict.outcome is Outcome.CLARIFY and "Where" in verdict.text
    else:
        assert verdict.outcome is Outcome.REFUSE
        assert reason in verdict.text


def test_gate_refuses_out_of_reach(model, tabletop, grounder):
    far = tabletop.get("mug")
    far.obj = type(far.obj)(
        far.id, "mug", np.array([1.0, 0.0, 0.035]), far.obj.extent, 0.0, "white"
    )
    _, verdict = decide(grounder, tabletop, "put the mug in the tray")
    assert verdict.outcome is Outcome.REFUSE and "reach" in verdict.text


def test_gate_forbidden_list(grounder, tabletop):
    _, verdict = decide(grounder, tabletop, "put the duck in the tray", forbidden=("duck",))
    assert verdict.outcome is Outcome.REFUSE and "forbidden" in verdict.text


def test_gate_clamps_or_rejects_poses():
    gate = SafetyGate()
    inside = PickPlace(Pose((0.5, 0.0, 0.02)), Pose((0.6, 0.1, 0.03)))
    assert gate.clamp(inside) == inside
    slightly = PickPlace(Pose((0.5, 0.0, -0.005)), Pose((0.6, 0.1, 0.03)))
    assert gate.clamp(slightly).pick_pose.position[2] == 0.0
    assert gate.clamp(PickPlace(Pose((0.5, 0.0, 0.02)), Pose((1.2, 0.0, 0.03)))) is None


class _ModelWithoutDominoes:
    """The fake model, told it was never trained on dominoes."""

    def __new__(cls, model):
        model.metadata = {"training": {"categories": [c for c in CONCEPTS if c != "domino"]}}
        return model


def _as_domino(graph, object_id, probability, rest="block"):
    target = graph.get(object_id)
    target.category_probs = {c: 0.0 for c in CONCEPTS}
    target.category_probs.update({"domino": probability, rest: 1.0 - probability})
    target.obj = type(target.obj)(
        object_id,
        "domino" if probability >= 0.5 else rest,
        target.obj.position,
        target.obj.extent,
        0.0,
        target.obj.color,
    )


def _novel_decision(model, tabletop, text):
    grounder = Grounder(stages_of(model), tabletop, vocabulary_of(_ModelWithoutDominoes(model)))
    proposal = RulePlanner().plan(parse_instruction(text), tabletop, grounder)
    return SafetyGate().review(proposal, tabletop)


def test_gate_acts_on_strong_evidence_for_an_untrained_category(model, tabletop):
    _as_domino(tabletop, "red_block", 0.8)
    verdict = _novel_decision(model, tabletop, "put the domino in the tray")
    assert verdict.outcome is Outcome.ACT and verdict.evidence[0] == "red_block"


def test_gate_asks_on_weak_evidence_for_an_untrained_category(model, tabletop):
    _as_domino(tabletop, "red_block", 0.45)
    tabletop.get("red_block").obj = type(tabletop.get("red_block").obj)(
        "red_block", "domino", tabletop.get("red_block").obj.position, (0.08, 0.045, 0.011)
    )
    verdict = _novel_decision(model, tabletop, "put the domino in the tray")
    assert verdict.outcome is Outcome.CLARIFY and "not trained" in verdict.text


def test_gate_asks_which_when_another_object_may_be_the_untrained_category(model, tabletop):
    _as_domino(tabletop, "red_block", 0.85)
    _as_domino(tabletop, "blue_block", 0.12)  # a trained category for the model, mostly
    verdict = _novel_decision(model, tabletop, "put the domino in the tray")
    assert verdict.outcome is Outcome.CLARIFY and "Which domino" in verdict.text


@pytest.mark.parametrize(
    ("text", "blue_colour", "outcome"),
    [
        ("the red domino", 0.035, Outcome.ACT),  # blue, were it surely a domino: 0.035 < 0.25
        ("the red domino", 0.3, Outcome.CLARIFY),  # a shade that may be called red
        ("the domino", 1.0, Outcome.CLARIFY),  # no colour words: both may be the one
    ],
)
def test_colour_words_rule_out_rivals_for_an_untrained_category(
    tabletop, text, blue_colour, outcome
):
    """Two objects the model takes for dominoes (never trained): a colour score is
    calibrated where the novel kind's membership is not, so a colour that rules one out
    (scored as "red": 0.035, above novel_rival) makes it no rival."""
    from vlmbot.planning.planner import Binding, Placement, Proposal
    from vlmbot.reasoning.grounding import Grounding

    _as_domino(tabletop, "red_block", 0.95)
    _as_domino(tabletop, "blue_block", 0.95)
    ids = tuple(o.id for o in tabletop.objects)
    kind = np.array([0.95 if i in ("red_block", "blue_block") else 0.0 for i in ids])
    colour = np.array([blue_colour if i == "blue_block" else 1.0 for i in ids])
    grounding = Grounding(
        parse_reference(text),
        kind * colour,
        ids,
        novelty=1.0,
        untrained=frozenset({"domino"}),
        members=kind * colour,
        kind=kind,
    )
    proposal = Proposal(
        [Placement("red_block", "in", "tray")],
        [Binding("target", grounding, True, ("red_block",))],
    )
    verdict = SafetyGate().review(proposal, tabletop)
    assert verdict.outcome is outcome


def test_gate_asks_when_the_region_text_score_contradicts_a_paraphrase(grounder, tabletop):
    from vlmbot.planning.planner import Binding, Placement, Proposal
    from vlmbot.reasoning.grounding import Grounding

    reference = parse_reference("the round pillar")
    ids = tuple(o.id for o in tabletop.objects)
    scores = np.array([0.9 if i == "red_block" else 0.01 for i in ids])

    def review(region):
        grounding = Grounding(reference, scores, ids, region=np.array(region))
        proposal = Proposal(
            [Placement("red_block", "in", "tray")],
            [Binding("target", grounding, True, ("red_block",))],
        )
        return SafetyGate().review(proposal, tabletop)

    agrees = [0.8 if i == "red_block" else 0.1 for i in ids]
    dissents = [0.01 if i == "red_block" else (0.9 if i == "duck" else 0.1) for i in ids]
    assert review(agrees).outcome is Outcome.ACT
    verdict = review(dissents)
    assert verdict.outcome is Outcome.CLARIFY and set(verdict.evidence) == {"red_block", "duck"}


def test_gate_asks_when_a_superlative_ranks_objects_that_may_or_may_not_be_novel(model, tabletop):
    _as_domino(tabletop, "red_block", 0.9)
    _as_domino(tabletop, "blue_block", 0.9)
    verdict = _novel_decision(model, tabletop, "put the leftmost domino in the tray")
    assert verdict.outcome is Outcome.ACT  # both are clearly dominoes: leftmost decides
    _as_domino(tabletop, "blue_block", 0.2)
    verdict = _novel_decision(model, tabletop, "put the leftmost domino in the tray")
    assert verdict.outcome is Outcome.CLARIFY and "Which domino" in verdict.text


@pytest.mark.parametrize(
    ("look_alike", "outcome"),
    [(0.1, Outcome.ACT), (0.35, Outcome.CLARIFY)],
)
def test_a_superlative_asks_when_a_ranked_member_may_be_a_look_alike(
    model, tabletop, look_alike, outcome
):
    """Two objects the model takes for dominoes (never trained), one of them also, nearly as
    much, for a ring (a trained look-alike): "the leftmost domino" may rank a ring."""
    _as_domino(tabletop, "red_block", 0.9)
    _as_domino(tabletop, "blue_block", 1.0 - look_alike, rest="ring")
    verdict = _novel_decision(model, tabletop, "put the leftmost domino in the tray")
    assert verdict.outcome is outcome
    if outcome is Outcome.CLARIFY:
        assert "Which domino" in verdict.text


@pytest.mark.parametrize(
    ("rival_kind", "rival_color", "outcome"),
    [
        (0.05, 1.0, Outcome.CLARIFY),  # clearly white, maybe a cylinder: one of those compared
        (0.05, 0.3, Outcome.ACT),  # a borderline shade: the colour margins decide
        (0.01, 1.0, Outcome.ACT),  # clearly no cylinder
    ],
)
def test_a_comparison_with_a_colour_asks_about_a_possible_member_of_that_colour(
    tabletop, rival_kind, rival_color, outcome
):
    """ "The smaller white canister" where the model took one white cylinder for a ball:
    comparing only the cylinders it is sure of would pick the wrong one."""
    from vlmbot.planning.planner import Binding, Placement, Proposal
    from vlmbot.reasoning.grounding import Grounding

    reference = parse_reference("the smaller white cylinder")
    ids = tuple(o.id for o in tabletop.objects)
    kind = np.array([0.9 if i == "red_block" else rival_kind * (i == "duck") for i in ids])
    color = np.array([rival_color if i == "duck" else 1.0 for i in ids])
    grounding = Grounding(reference, kind * color, ids, members=kind * color, kind=kind)
    proposal = Proposal(
        [Placement("red_block", "in", "tray")],
        [Binding("target", grounding, True, ("red_block",))],
    )
    verdict = SafetyGate().review(proposal, tabletop)
    assert verdict.outcome is outcome
    if outcome is Outcome.CLARIFY:
        assert set(verdict.evidence) == {"red_block", "duck"}


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("put the block in the tray", Outcome.CLARIFY),  # "the": which one?
        ("put a block in the tray", Outcome.ACT),  # "a": either will do
        ("put any block in the tray", Outcome.ACT),
        ("put the blocks in the tray", Outcome.ACT),
        ("put the two blocks in the tray", Outcome.ACT),
        ("put the three blocks in the tray", Outcome.CLARIFY),
    ],
)
def test_the_gate_follows_the_determiner(grounder, tabletop, text, outcome):
    _, verdict = decide(grounder, tabletop, text)
    assert verdict.outcome is outcome, verdict.text


@pytest.mark.parametrize(
    "text",
    [
        "put every block except the red one in the tray",
        "put the blocks in the tray but don't move the red block",
        "put the blocks in the tray and keep the red block out of the tray",
        "put everything in the tray except the red block",
    ],
)
def test_an_excluded_object_is_never_picked(grounder, tabletop, text):
    proposal, verdict = decide(grounder, tabletop, text)
    assert verdict.outcome is Outcome.ACT
    assert proposal.placements and "red_block" not in {p.target for p in proposal.placements}


@pytest.mark.parametrize(
    ("text", "gripper", "outcome", "reason"),
    [
        ("put the red block in the tray", "suction", Outcome.ACT, None),
        ("put the duck in the tray", "suction", Outcome.ACT, None),
        ("put the ball in the tray", "suction", Outcome.REFUSE, "no flat top"),
        ("put the ball in the tray", "parallel", Outcome.ACT, None),
    ],
)
def test_suction_needs_a_flat_top(model, tabletop, text, gripper, outcome, reason):
    """A suction cup cannot hold a ball (no flat top); a parallel gripper can."""
    ball = node(model, "ball", "sphere", "white", (0.65, -0.2), size=(0.05, 0.05, 0.05))
    graph = type(tabletop)([*tabletop.objects, ball], tabletop.workspace)
    grounder = Grounder(stages_of(model), graph, vocabulary_of(model))
    cell = replace(HOME_CELL, gripper=Gripper(gripper))
    proposal = RulePlanner().plan(parse_instruction(text), graph, grounder)
    verdict = SafetyGate(cell=cell).review(proposal, graph)
    assert verdict.outcome is outcome, verdict.text
    if reason:
        assert reason in verdict.text


@pytest.mark.parametrize(
    ("text", "other", "color", "outcome"),
    [
        ("put the domino in the tray", "ring", "white", Outcome.CLARIFY),  # a look-alike kind
        ("put the domino in the tray", "mug", "white", Outcome.ACT),  # another kind
        ("put the red domino in the tray", "ring", "white", Outcome.ACT),  # not the colour
        ("put the red domino in the tray", "ring", "red", Outcome.CLARIFY),
    ],
)
def test_gate_asks_when_a_look_alike_may_be_the_untrained_category(
    model, tabletop, text, other, color, outcome
):
    """The model never saw a domino: an object it named as a flat toy of a trained kind (a
    ring) may be the domino meant, unless the words' colour rules it out."""
    look_alike = node(model, "other", other, color, (0.65, -0.2), size=(0.07, 0.07, 0.012))
    graph = type(tabletop)([*tabletop.objects, look_alike], tabletop.workspace)
    _as_domino(graph, "red_block", 0.85)
    verdict = _novel_decision(model, graph, text)
    assert verdict.outcome is outcome, verdict.text
    if outcome is Outcome.CLARIFY:
        assert "Which" in verdict.text and "domino" in verdict.text


@pytest.mark.parametrize(
    ("chosen_kind", "other_kind", "outcome"),
    [
        (0.44, 0.9, Outcome.CLARIFY),  # more likely no cylinder; a sure one ranks next
        (0.7, 0.9, Outcome.ACT),  # surely one: the superlative decides
        (0.44, 0.3, Outcome.ACT),  # nothing else is surely one either
    ],
)
def test_a_superlative_asks_when_its_choice_may_not_be_of_the_kind(
    tabletop, chosen_kind, other_kind, outcome
):
    """ "The leftmost soccer ball" where the leftmost candidate is a ball the model half takes
    for a soccer ball: if it is not one, the leftmost soccer ball is another object."""
    from vlmbot.planning.planner import Binding, Placement, Proposal
    from vlmbot.reasoning.grounding import Grounding

    reference = parse_reference("the leftmost cylinder")
    ids = tuple(o.id for o in tabletop.objects)
    kind = np.array([{"duck": chosen_kind, "red_block": other_kind}.get(i, 0.0) for i in ids])
    rank = np.array([{"duck": 1.0, "red_block": 1e-4}.get(i, 0.0) for i in ids])
    grounding = Grounding(reference, kind * rank, ids, members=kind, kind=kind)
    proposal = Proposal(
        [Placement("duck", "in", "tray")], [Binding("target", grounding, True, ("duck",))]
    )
    verdict = SafetyGate().review(proposal, tabletop)
    assert verdict.outcome is outcome
    if outcome is Outcome.CLARIFY:
        assert set(verdict.evidence) == {"duck", "red_block"} and "Which cylinder" in verdict.text
