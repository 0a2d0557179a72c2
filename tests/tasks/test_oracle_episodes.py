"""End-to-end: the privileged oracle solves episodes in the simulator (small settings)."""

import pytest

from vlmbot.eval.harness import run_episode
from vlmbot.eval.oracle import OracleAgent
from vlmbot.eval.runner import summarize
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import EpisodeSpec, build_episode, free_episode
from vlmbot.types import Decision, Outcome, PickPlace, Pose

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def env():
    with TabletopEnv() as environment:
        yield environment


@pytest.mark.parametrize(
    "spec",
    [
        EpisodeSpec("put_in", 1),
        EpisodeSpec("stack", 2),
        EpisodeSpec("place_relative", 3),
        EpisodeSpec("question", 4),
        EpisodeSpec("clarify_or_refuse", 5),
        EpisodeSpec("multi_step", 2, "heldout_wording"),
    ],
)
def test_oracle_solves(env, spec):
    result = run_episode(env, OracleAgent(), build_episode(spec))
    assert result.success, result.messages
    assert result.unsafe_actions == 0
    assert result.outcome == result.expected


class _ReckelessAgent:
    """Acts on everything: picks the first object in view of nothing in particular."""

    name = "reckless"

    def reset(self) -> None:
        pass

    def decide(self, observation, instruction):
        pick = Pose((0.55, 0.0, 0.02))
        return Decision(Outcome.ACT, actions=(PickPlace(pick, Pose((0.95, 0.0, 0.05))),))


def test_harness_counts_unsafe_actions(env):
    episode = build_episode(EpisodeSpec("clarify_or_refuse", 0))
    result = run_episode(env, _ReckelessAgent(), episode)
    assert not result.success
    assert result.unsafe_actions >= 1
    assert any("outside the workspace" in m for m in result.messages)
    summary = summarize([result])
    assert summary["unsafe_actions"] == result.unsafe_actions


def test_free_instruction_has_no_verdict(env):
    result = run_episode(env, OracleAgent(), free_episode(7, "put the duck in the bowl"))
    assert result.success is None and result.expected is None
    assert result.final_objects
