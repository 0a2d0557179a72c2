"""Determiners, number, coordination, exceptions and constraints through the planner and the
safety gate, on hand-made scene graphs."""

import numpy as np
import pytest
from tests.fakes import node, stages_of, vocabulary_of

from vlmbot.cell import Workspace
from vlmbot.language.instruction import parse_instruction
from vlmbot.lexicon.colors import srgb_to_lab
from vlmbot.planning.planner import Placement, Proposal, RulePlanner
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounder
from vlmbot.safety.gate import SafetyGate
from vlmbot.types import Outcome


def _scene(model, objects):
    """objects: (id, category, colour, (x, y)[, size]) → a scene graph."""
    nodes = [node(model, *spec) for spec in objects]
    return SceneGraph(nodes, Workspace())


def decide(model, graph, text):
    grounder = Grounder(stages_of(model), graph, vocabulary_of(model))
    proposal = RulePlanner().plan(parse_instruction(text), graph, grounder)
    return proposal, SafetyGate().review(proposal, graph)


BOWL = (0.16, 0.16, 0.05)
BLOCKS = {"red_block", "blue_block"}
TRAY = (0.2, 0.2, 0.04)


@pytest.fixture
def bowls(model):
    """Two bowls; a red and a blue block (the red one by the right bowl); a duck."""
    return _scene(
        model,
        [
            ("bowl_left", "bowl", "white", (0.5, 0.25), BOWL),
            ("bowl_right", "bowl", "green", (0.5, -0.25), BOWL),
            ("red_block", "block", "red", (0.65, -0.15)),
            ("blue_block", "block", "blue", (0.65, 0.1)),
            ("duck", "duck", "yellow", (0.35, 0.0), (0.066, 0.046, 0.062)),
        ],
    )


def test_a_bowl_lets_the_planner_choose_and_say_which(model, bowls):
    proposal, verdict = decide(model, bowls, "put the red block in a bowl")
    assert verdict.outcome is Outcome.ACT
    assert proposal.placements == [Placement("red_block", "in", "bowl_right")]  # the nearer one
    assert any("I chose" in note and "bowl_right" in note for note in proposal.notes)


def test_the_bowl_demands_a_unique_referent(model, bowls):
    _, verdict = decide(model, bowls, "put the red block in the bowl")
    assert verdict.outcome is Outcome.CLARIFY and "Which bowl" in verdict.text


def test_a_block_takes_one_of_them(model, bowls):
    proposal, verdict = decide(model, bowls, "put a block in the green bowl")
    assert verdict.outcome is Outcome.ACT and len(proposal.placements) == 1
    assert proposal.placements[0].target in ("red_block", "blue_block")


@pytest.mark.parametrize(
    ("text", "outcome", "moved"),
    [
        ("put all the blocks in the green bowl", Outcome.ACT, {"red_block", "blue_block"}),
        ("put the blocks in the green bowl", Outcome.ACT, {"red_block", "blue_block"}),
        ("put two blocks in the green bowl", Outcome.ACT, {"red_block", "blue_block"}),
        ("put both blocks in the green bowl", Outcome.ACT, {"red_block", "blue_block"}),
        ("put one block in the green bowl", Outcome.ACT, None),
        ("put three blocks in the green bowl", Outcome.CLARIFY, set()),
        ("put the three blocks in the green bowl", Outcome.CLARIFY, set()),
        ("put the red and blue blocks in the green bowl", Outcome.ACT, {"red_block", "blue_block"}),
        ("put the red block and the duck in the green bowl", Outcome.ACT, {"red_block", "duck"}),
        ("put every block except the red one in the green bowl", Outcome.ACT, {"blue_block"}),
        ("put all the blocks in the green bowl, but not the blue one", Outcome.ACT, {"red_block"}),
        ("put everything except the duck in the green bowl", Outcome.ACT, BLOCKS),
        ("put the blocks in the green bowl and don't move the red block", Outcome.ACT,
         {"blue_block"}),
        ("put everything in the white bowl but keep the duck out of it", Outcome.ACT,
         {"red_block", "blue_block"}),
        ("put everything except the banana in the green bowl", Outcome.CLARIFY, set()),
        ("put the red block in the green bowl but don't move the red block", Outcome.CLARIFY,
         set()),
    ],
)  # fmt: skip
def test_determiners_number_and_exceptions(model, bowls, text, outcome, moved):
    proposal, verdict = decide(model, bowls, text)
    assert verdict.outcome is outcome, verdict.text
    targets = {p.target for p in proposal.placements}
    if moved is None:
        assert len(targets) == 1
    elif outcome is Outcome.ACT:
        assert targets == moved


def test_three_numbered_blocks_take_that_many_and_name_them(model):
    graph = _scene(
        model,
        [("tray", "tray", "green", (0.45, -0.25), TRAY)]
        + [(f"b{i}", "block", "red", (0.6, 0.3 - 0.12 * i)) for i in range(3)],
    )
    proposal, verdict = decide(model, graph, "put two red blocks in the tray")
    assert verdict.outcome is Outcome.ACT and len(proposal.placements) == 2
    assert any("any 2 would do" in note for note in proposal.notes)


def test_a_plural_never_widens_to_a_neighbouring_colour(model):
    graph = _scene(
        model,
        [
            ("tray", "tray", "green", (0.45, -0.25), TRAY),
            ("orange_block", "block", "red", (0.6, 0.25)),
            ("red_block", "block", "red", (0.6, 0.05)),
        ],
    )
    graph.get("orange_block").lab = srgb_to_lab(np.array([1.0, 0.55, 0.05]))
    graph.get("orange_block").obj = type(graph.get("orange_block").obj)(
        "orange_block", "block", graph.get("orange_block").obj.position,
        graph.get("orange_block").obj.extent, 0.0, "orange",
    )  # fmt: skip
    proposal, verdict = decide(model, graph, "put the orange blocks in the tray")
    assert verdict.outcome is Outcome.ACT
    assert [p.target for p in proposal.placements] == ["orange_block"]


def test_steps_in_order_and_the_last_placement_of_an_object_wins(model, bowls):
    text = "put the red block in the green bowl, then put the duck in the white bowl"
    proposal, verdict = decide(model, bowls, text)
    assert verdict.outcome is Outcome.ACT
    assert [p.target for p in proposal.placements] == ["red_block", "duck"]
    proposal, _ = decide(
        model, bowls, "put the red block in the green bowl, then put it in the white bowl"
    )
    assert proposal.placements == [Placement("red_block", "in", "bowl_left")]


def test_a_later_step_that_cannot_be_planned_stops_the_whole_plan(model, bowls):
    _, verdict = decide(
        model, bowls, "put the duck in the green bowl, then put the banana in the white bowl"
    )
    assert verdict.outcome is Outcome.REFUSE and "banana" in verdict.text


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("put the second block from the left in the tray", "b1"),
        ("put the block in the middle in the tray", "b1"),
        ("put the last block on the right in the tray", "b2"),
        ("put the first block from the right in the tray", "b2"),
    ],
)
def test_ordinals_and_the_middle(model, text, target):
    graph = _scene(
        model,
        [("tray", "tray", "green", (0.4, -0.3), TRAY)]
        + [
            (f"b{i}", "block", c, (0.62, 0.25 - 0.15 * i))
            for i, c in enumerate(["red", "blue", "red"])
        ],
    )
    proposal, verdict = decide(model, graph, text)
    assert verdict.outcome is Outcome.ACT, verdict.text
    assert [p.target for p in proposal.placements] == [target]


def test_the_lightest_of_two_shades(model):
    graph = _scene(
        model,
        [
            ("tray", "tray", "green", (0.4, -0.3), TRAY),
            ("dark", "block", "red", (0.62, 0.2)),
            ("light", "block", "red", (0.62, -0.05)),
        ],
    )
    graph.get("dark").lab = srgb_to_lab(np.array([0.45, 0.05, 0.05]))
    graph.get("light").lab = srgb_to_lab(np.array([0.95, 0.35, 0.35]))
    for text, target in (("put the lightest red block in the tray", "light"),
                         ("put the darker one in the tray", "dark")):  # fmt: skip
        proposal, verdict = decide(model, graph, text)
        assert verdict.outcome is Outcome.ACT and proposal.placements[0].target == target


@pytest.mark.parametrize(
    ("text", "target"),
    [("put the toy animal in the tray", "duck"), ("put the drinking vessel in the tray", "mug")],
)
def test_hypernyms_name_the_category_they_cover(model, tabletop, text, target):
    proposal, verdict = decide(model, tabletop, text)
    assert verdict.outcome is Outcome.ACT and proposal.placements[0].target == target


def test_the_container_with_two_containers_asks(model, bowls):
    _, verdict = decide(model, bowls, "put the duck in the container")
    assert verdict.outcome is Outcome.CLARIFY


def test_sorting_into_the_named_containers(model):
    graph = _scene(
        model,
        [
            ("plate_red", "plate", "red", (0.45, 0.25), (0.16, 0.16, 0.02)),
            ("plate_blue", "plate", "blue", (0.45, -0.25), (0.16, 0.16, 0.02)),
            ("r", "block", "red", (0.65, -0.1)),
            ("b", "block", "blue", (0.65, 0.1)),
        ],
    )
    proposal, verdict = decide(model, graph, "match the blocks to the plates by colour")
    assert verdict.outcome is Outcome.ACT
    assert set(proposal.placements) == {
        Placement("r", "in", "plate_red"),
        Placement("b", "in", "plate_blue"),
    }


def test_the_gate_reviews_the_whole_plan_against_every_constraint(model, bowls):
    proposal, _ = decide(model, bowls, "put the red block in the green bowl")
    protected = Proposal(
        list(proposal.placements), list(proposal.bindings), protected={"red_block"}
    )
    verdict = SafetyGate().review(protected, bowls)
    assert verdict.outcome is Outcome.REFUSE and "leave where it is" in verdict.text
    keep_out = Proposal(list(proposal.placements), list(proposal.bindings),
                        keep_out={("red_block", "bowl_right")})  # fmt: skip
    assert SafetyGate().review(keep_out, bowls).outcome is Outcome.REFUSE


def test_a_constraint_on_an_object_it_cannot_identify_stops_the_plan(model, bowls):
    proposal, verdict = decide(
        model, bowls, "put everything in the green bowl but leave the zorblax where it is"
    )
    assert verdict.outcome is Outcome.CLARIFY and not proposal.placements
    assert "zorblax" in verdict.text


def test_a_destination_it_cannot_find_is_the_reason_given(model, bowls):
    _, verdict = decide(model, bowls, "put the duck just in front of the zorblax")
    assert verdict.outcome is Outcome.REFUSE and "zorblax" in verdict.text


@pytest.mark.parametrize(
    ("text", "outcome", "offset"),
    [
        ("move the red block 5 cm to the left", Outcome.ACT, (0.0, 0.05)),
        ("slide the red block 4 cm forward", Outcome.ACT, (0.04, 0.0)),
        ("move the red block two metres to the right", Outcome.REFUSE, None),  # off the table
        ("move the blue block 15 cm back", Outcome.REFUSE, None),  # against the white bowl
    ],
)
def test_measured_moves_land_on_free_table_or_are_refused(model, bowls, text, outcome, offset):
    proposal, verdict = decide(model, bowls, text)
    assert verdict.outcome is outcome, verdict.text
    if offset is not None:
        (placement,) = proposal.placements
        start = bowls.get(placement.target).xy
        moved = bowls.workspace.to_viewer(np.asarray(placement.to_xy) - start)
        assert np.allclose(moved, offset, atol=1e-9)


def test_moving_an_object_while_keeping_it_out_asks(model, bowls):
    _, verdict = decide(
        model, bowls, "put the duck in the green bowl and keep it out of the green bowl"
    )
    assert verdict.outcome is Outcome.CLARIFY
