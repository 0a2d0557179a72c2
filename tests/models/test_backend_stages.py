"""Contract over every registered family's agent roles: a family that declares a region scorer
drives the vlm agent in the simulator through the declared stage protocols (tiny random
checkpoints); a family without one is refused in one line that names the missing role."""

from __future__ import annotations

import numpy as np
import pytest

from vlmbot.agents.base import make_agent
from vlmbot.errors import InputError
from vlmbot.models import families
from vlmbot.models.depth_proposer import DepthProposer
from vlmbot.models.stages import RegionProposer, RegionScorer
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import EpisodeSpec, build_episode
from vlmbot.types import Decision, Outcome, PickPlace

pytestmark = pytest.mark.sim

#: One checkpoint per transformers family (see conftest.BUILDERS).
CHECKPOINT = {"clip": "clip", "siglip": "siglip", "owlvit": "owlvit", "owlv2": "owlv2"}


@pytest.fixture(scope="module")
def observation():
    with TabletopEnv() as env:
        env.reset(build_episode(EpisodeSpec("put_in", 5)).scene)
        return env.observe()


def _scorer_families() -> list[str]:
    return sorted(n for n, f in families().items() if "region_scorer" in f.roles and n != "tiny")


def test_every_scorer_family_has_a_tiny_checkpoint():
    assert set(_scorer_families()) == set(CHECKPOINT)


@pytest.mark.parametrize("family", _scorer_families())
def test_scorer_family_decides_in_the_simulator(family, tiny_checkpoints, observation):
    path = tiny_checkpoints(CHECKPOINT[family])
    agent = make_agent("vlm", model=f"{family}:{path}")
    stages = agent.stages
    assert isinstance(stages.scorer, RegionScorer) and isinstance(stages.proposer, RegionProposer)
    own_proposer = "proposer" in families()[family].roles
    assert isinstance(stages.proposer, DepthProposer) is not own_proposer
    graph = agent.scene.scene_graph(observation)
    if not own_proposer:
        # Depth geometry finds the scene's objects whatever the (random) scorer thinks.
        assert len(graph.objects) >= 2
    for node in graph.objects:
        assert node.embedding.shape == (stages.scorer.encode_text(["mug"]).shape[1],)
        assert abs(sum(node.category_probs.values()) - 1.0) < 1e-6
    agent.reset()
    decision = agent.decide(observation, "put the red block in the bowl")
    assert isinstance(decision, Decision)
    if decision.outcome is Outcome.ACT:
        for action in decision.actions:
            if isinstance(action, PickPlace):
                assert agent.cell.workspace.contains(action.pick_pose.position)
    else:
        assert decision.text and not decision.actions


@pytest.mark.parametrize("family", ["tiny"])
def test_depth_proposer_serves_any_scorer(family, random_tiny_weights, observation):
    agent = make_agent("vlm", model=random_tiny_weights, proposer="depth")
    assert isinstance(agent.stages.proposer, DepthProposer)
    assert len(agent.scene.scene_graph(observation).objects) >= 2


@pytest.mark.parametrize(
    "family", sorted(n for n, f in families().items() if "region_scorer" not in f.roles)
)
def test_family_without_a_region_scorer_is_one_clear_line(family):
    with pytest.raises(InputError, match="no region_scorer role") as error:
        make_agent("vlm", model=f"{family}:/nonexistent/checkpoint")
    assert "\n" not in str(error.value)


def test_owl_proposals_carry_their_class_embeddings(tiny_model, rgb):
    owl = tiny_model("owlv2", "owlv2")
    proposals = owl.propose(rgb)
    assert len(proposals) >= 1 and proposals.space == owl.name
    assert proposals.masks.shape == (len(proposals), *rgb.shape[:2])
    again = owl.embed_regions(rgb, proposals)
    np.testing.assert_array_equal(again, proposals.embeddings)
    foreign = type(proposals)(
        proposals.xyxy, proposals.objectness, proposals.masks, proposals.container
    )
    recomputed = owl.embed_regions(rgb, foreign)
    np.testing.assert_allclose(np.linalg.norm(recomputed, axis=1), 1.0, atol=1e-5)


def test_cli_runs_the_agent_on_a_scorer_family(tiny_checkpoints, capsys):
    from vlmbot.cli.main import main

    model = f"clip:{tiny_checkpoints('clip')}"
    args = ["run", "--seed", "3", "--instruction", "put the red block in the bowl"]
    assert main([*args, "--model", model, "--json"]) == 0
    assert '"outcome"' in capsys.readouterr().out
    assert main(["ask", "--seed", "3", "--model", model, "how many blocks are there?"]) == 0
    capsys.readouterr()
    blip = f"blip:{tiny_checkpoints('blip-vqa')}"
    assert main(["eval", "--episodes", "2", "--model", blip, "--workers", "2"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("vlmbot: error:") and "region_scorer" in error
    assert len(error.splitlines()) == 1
