"""The agent interface and the agent registry (lazy imports, no if/elif chains)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any, Protocol, runtime_checkable

from vlmbot.errors import InputError
from vlmbot.types import Decision, Observation


@runtime_checkable
class Agent(Protocol):
    """Decides what to do with an instruction given what the cameras see.

    The harness calls `decide` again after every executed step with a fresh observation, so
    an agent acts closed-loop: one PickPlace per decision, then Done when the goal holds.
    An agent must not need the simulator: observations are calibrated RGB-D frames.
    """

    name: str

    def reset(self) -> None:
        """Forget the previous episode."""
        ...

    def decide(self, observation: Observation, instruction: str) -> Decision: ...


#: The vlm agent on ground-truth objects (`--perception oracle`).
ORACLE_PERCEPTION = "vlm-oracle-perception"

#: name → ("module:factory", one-line description). Factories take keyword options. Factories
#: are named by string and imported on first use, so registering an evaluation-only agent here
#: adds no import of vlmbot.eval.
_AGENTS: dict[str, tuple[str, str]] = {
    "vlm": (
        "vlmbot.agents.vlm:VLMAgent",
        "the default agent: perception, scene graph, language, planning and a safety gate",
    ),
    "oracle": (
        "vlmbot.eval.oracle:OracleAgent",
        "PRIVILEGED: reads simulator state and the task's goal; proves tasks are solvable",
    ),
    ORACLE_PERCEPTION: (
        "vlmbot.eval.oracle_perception:OraclePerceptionAgent",
        "PRIVILEGED: the vlm agent on ground-truth objects, to attribute failures to perception",
    ),
}


def register_agent(name: str, factory: str, description: str) -> None:
    if name in _AGENTS:
        raise ValueError(f"agent {name!r} is already registered")
    _AGENTS[name] = (factory, description)


def registered_agents() -> dict[str, str]:
    """Agent names and their descriptions."""
    return {name: description for name, (_, description) in _AGENTS.items()}


def make_agent(name: str, **options: Any) -> Agent:
    """Build a registered agent; an unknown name or option is an InputError."""
    if not isinstance(name, str) or name not in _AGENTS:
        raise InputError(f"unknown agent {name!r}; agents: {', '.join(_AGENTS)}")
    module_name, factory_name = _AGENTS[name][0].split(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    try:
        inspect.signature(factory).bind(**options)
    except TypeError as exc:
        raise InputError(f"agent {name!r}: {exc}") from None
    agent: Agent = factory(**options)
    return agent
