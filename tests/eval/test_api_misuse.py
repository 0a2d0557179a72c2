"""Misuse of the Python API's entry points is a typed InputError at the entry point, never a
TypeError or AttributeError from deep inside."""

import numpy as np
import pytest

from vlmbot.agents.base import make_agent
from vlmbot.cell import HOME_CELL
from vlmbot.errors import InputError
from vlmbot.eval.harness import run_episode
from vlmbot.models import load_model
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import EpisodeSpec, build_episode, free_episode, sample_specs
from vlmbot.types import Observation, Outcome, RGBDFrame

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def agent():
    return make_agent("vlm")


@pytest.fixture(scope="module")
def env():
    with TabletopEnv() as environment:
        yield environment


def _observation() -> Observation:
    camera = HOME_CELL.cameras[0].camera
    frame = RGBDFrame(np.zeros((224, 224, 3), np.uint8), np.ones((224, 224)), camera)
    return Observation(frames={"front": frame})


MISUSES = {
    "make_agent: a number": lambda a, e: make_agent(123),
    "make_agent: unknown option": lambda a, e: make_agent("vlm", bogus=1),
    "load_model: a number": lambda a, e: load_model(123),
    "load_model: None": lambda a, e: load_model(None),
    "load_model: unknown option": lambda a, e: load_model("tiny", bogus=1),
    "build_episode: a name": lambda a, e: build_episode("put_in"),
    "free_episode: no instruction": lambda a, e: free_episode(3, None),
    "sample_specs: too many": lambda a, e: sample_specs(10**9),
    "sample_specs: a float": lambda a, e: sample_specs(2.5),
    "decide: no observation": lambda a, e: a.decide(None, "put the red block in the bowl"),
    "decide: a dict of frames": lambda a, e: a.decide(dict(_observation().frames), "hi"),
    "decide: instruction not text": lambda a, e: a.decide(_observation(), 5),
    "decide: bytes": lambda a, e: a.decide(_observation(), b"put it away"),
    "run_episode: a spec": lambda a, e: run_episode(e, a, EpisodeSpec("put_in", 1)),
    "run_episode: an agent name": lambda a, e: run_episode(
        e, "vlm", build_episode(EpisodeSpec("put_in", 1))
    ),
    "run_episode: no env": lambda a, e: run_episode(
        None, a, build_episode(EpisodeSpec("put_in", 1))
    ),
    "EpisodeSpec: surrogate text": lambda a, e: EpisodeSpec("put_in", 1, "seen", "a\udcffb"),
}


@pytest.mark.parametrize("misuse", list(MISUSES))
def test_misuse_is_an_input_error(agent, env, misuse):
    with pytest.raises(InputError):
        MISUSES[misuse](agent, env)


def test_a_blank_frame_is_refused_not_perceived(agent):
    decision = agent.decide(_observation(), "put the red block in the bowl")
    assert decision.outcome is Outcome.REFUSE and "blank" in decision.text
