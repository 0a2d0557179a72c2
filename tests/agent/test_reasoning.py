import numpy as np
import pytest

from vlmbot.language.instruction import parse_instruction
from vlmbot.language.reference import parse_reference
from vlmbot.planning.planner import RulePlanner
from vlmbot.reasoning.grounding import Grounder, VocabularyIndex
from vlmbot.reasoning.vqa import answer_question
from vlmbot.safety.gate import GateConfig, SafetyGate
from vlmbot.tasks.goals import AnswerGoal, check_answer
from vlmbot.types import Outcome, PickPlace, Pose


@pytest.fixture
def grounder(model, tabletop):
    return Grounder(model, tabletop, VocabularyIndex(model))


def best(grounder, text):
    return grounder.ground(parse_reference(text)).best()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the red block", "red_block"),
        ("the blue cube", "blue_block"),
        ("the duck", "duck"),
        ("the mug", "mug"),
        ("the big block", "blue_block"),
        ("the small block", "red_block"),
        ("the block that is not red", "blue_block"),
        ("the leftmost block", "red_block"),
        ("the rightmost block", "blue_block"),
        ("the block closest to the mug", "red_block"),
        ("the block next to the duck", "blue_block"),
    ],
)
def test_grounding(grounder, text, expected):
    assert best(grounder, text) == expected


def test_plural_grounding(grounder):
    grounding = grounder.ground(parse_reference("all the blocks"))
    assert set(grounding.above(0.3)) == {"red_block", "blue_block"}


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


@pytest.mark.parametrize(
    ("question", "kind", "truth", "names"),
    [
        ("how many blocks are there?", "count", "2", ()),
        ("is there a duck on the table?", "exists", "yes", ()),
        ("is there a teddy bear?", "exists", "no", ()),
        ("what colour is the duck?", "color", "yellow", ()),
        ("is the mug to the left of the blue block?", "relation", "yes", ()),
        ("which object is closest to the mug?", "which", "block", ("block", "cube")),
    ],
)
def test_vqa(grounder, tabletop, question, kind, truth, names):
    answer = answer_question(parse_instruction(question), tabletop, grounder)
    assert check_answer(AnswerGoal(kind, truth, names), answer.text), answer.text


def test_describe(tabletop):
    text = tabletop.describe()
    assert "duck" in text and "tray" in text and text.endswith(".")


def test_superlative_and_size_with_nothing_matching(grounder):
    for text in ("the leftmost banana", "the small banana", "the biggest banana"):
        grounding = grounder.ground(parse_reference(text))
        assert grounding.best()[1] < 0.2
