"""The default agent on the shipped vlmbot-tiny, end to end in the simulator: one `seen`
episode of every family (the first nine of `vlmbot eval --episodes 200 --seed 7`)."""

import numpy as np
import pytest

from vlmbot.agents.vlm import VLMAgent
from vlmbot.eval.harness import run_episode
from vlmbot.sim.env import TabletopEnv
from vlmbot.sim.scene import ObjectRequest, Randomization, SceneSampler
from vlmbot.tasks.suite import FAMILIES, build_episode, sample_specs

pytestmark = [pytest.mark.sim, pytest.mark.slow]


@pytest.fixture(scope="module")
def agent_and_env():
    with TabletopEnv() as env:
        yield VLMAgent(), env


@pytest.mark.parametrize("spec", sample_specs(200, 7)[: len(FAMILIES)], ids=lambda s: s.task)
def test_shipped_agent_solves_a_seen_episode_of_every_family(agent_and_env, spec):
    agent, env = agent_and_env
    assert spec.split == "seen"
    result = run_episode(env, agent, build_episode(spec))
    assert result.success, (result.instruction, result.outcome, result.answer, result.messages)
    assert result.unsafe_actions == 0
    assert result.decision_ms < 1000


@pytest.mark.parametrize(("category", "scale"), [("disk", 0.65), ("star", 0.55)])
def test_shipped_agent_sees_items_under_a_centimetre_tall(agent_and_env, category, scale):
    agent, env = agent_and_env
    sampler = SceneSampler(np.random.default_rng(3), "heldout_categories", Randomization.off())
    scene = sampler.sample(
        [
            ObjectRequest(category, id="flat", position=(0.5, -0.1), scale=scale),
            ObjectRequest("block", id="b", position=(0.45, 0.15)),
        ]
    )
    env.reset(scene)
    truth = env.object_states()["flat"]
    assert truth.size[2] < 0.009
    agent.reset()
    graph = agent.scene.scene_graph(env.observe())
    gaps = [float(np.linalg.norm(o.xy - truth.position[:2])) for o in graph.objects]
    assert min(gaps) < 0.02, [(o.name, o.xy) for o in graph.objects]
