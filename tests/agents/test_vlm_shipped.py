"""The default agent on the shipped vlmbot-tiny, end to end in the simulator: one `seen`
episode of every family (the first nine of `vlmbot eval --episodes 200 --seed 7`)."""

import pytest

from vlmbot.agents.vlm import VLMAgent
from vlmbot.eval.harness import run_episode
from vlmbot.sim.env import TabletopEnv
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
