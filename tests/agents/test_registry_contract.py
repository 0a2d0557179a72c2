"""Contract over every registered agent: builds, satisfies the Agent protocol, answers a
Decision for an observation, and never returns an action list with a non-act outcome."""

import pytest

from vlmbot.agents.base import Agent, make_agent, registered_agents
from vlmbot.errors import InputError
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import EpisodeSpec, build_episode
from vlmbot.types import Decision, Outcome

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def observation():
    with TabletopEnv() as env:
        env.reset(build_episode(EpisodeSpec("put_in", 2)).scene)
        return env.observe()


@pytest.fixture(scope="module")
def options(random_tiny_weights):
    return {"vlm": {"model": random_tiny_weights}, "oracle": {}}


@pytest.mark.parametrize("name", sorted(registered_agents()))
def test_agent_contract(name, options, observation):
    agent = make_agent(name, **options.get(name, {}))
    assert isinstance(agent, Agent) and agent.name == name
    agent.reset()
    for text in ("how many blocks are there?", "asdf qwerty"):
        decision = agent.decide(observation, text)
        assert isinstance(decision, Decision)
        assert decision.outcome in Outcome
        if decision.outcome is not Outcome.ACT:
            assert not decision.actions and decision.text


def test_unknown_agent_is_a_clear_error():
    with pytest.raises(InputError, match="unknown agent"):
        make_agent("nobody")
