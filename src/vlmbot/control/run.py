"""The closed loop between an agent and a robot: observe, decide, execute (clamped by the robot),
observe again, until the agent answers, asks, refuses, says Done, or the step budget runs out."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from vlmbot.control.robot import ExecutedAction, Robot
from vlmbot.types import Decision, Done, Observation, Outcome, PickPlace


class Decider(Protocol):
    def decide(self, observation: Observation, instruction: str) -> Decision: ...


class Monitor:
    """Hooks that see a run as it happens (reports, safety accounting). Defaults do nothing."""

    def observation(self, observation: Observation) -> None:
        pass

    def decision(self, decision: Decision) -> None:
        pass

    def before_execute(self, action: PickPlace) -> None:
        pass

    def after_execute(self, executed: ExecutedAction) -> None:
        pass


@dataclass
class RunLog:
    """One instruction's run. first: the first decision (its outcome is the run's outcome);
    last: the last decision; executed: what the robot ran; actions: every action of every
    decision as dicts (Done included); messages: robot reports and why the agent stopped;
    decision_ms: the time of each decision, milliseconds."""

    first: Decision
    last: Decision
    executed: list[ExecutedAction] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    decision_ms: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return len(self.executed)

    @property
    def outcome(self) -> Outcome:
        return self.first.outcome


def run_instruction(
    robot: Robot,
    agent: Decider,
    instruction: str,
    max_steps: int,
    monitor: Monitor | None = None,
) -> RunLog:
    """Run one instruction closed-loop on a robot (see module docstring)."""
    monitor = monitor or Monitor()
    times: list[float] = []

    def decide() -> Decision:
        observation = robot.observe()
        monitor.observation(observation)
        start = time.perf_counter()
        decision = agent.decide(observation, instruction)
        times.append((time.perf_counter() - start) * 1000)
        monitor.decision(decision)
        return decision

    decision = decide()
    log = RunLog(first=decision, last=decision, decision_ms=times)
    while decision.outcome is Outcome.ACT and log.steps < max_steps:
        finished = False
        for action in decision.actions:
            log.actions.append(action.to_dict())
            if isinstance(action, Done):
                finished = True
                break
            monitor.before_execute(action)
            executed = robot.execute(action)
            monitor.after_execute(executed)
            log.executed.append(executed)
            log.messages.append(executed.message)
        if finished or not decision.actions:
            break
        decision = decide()
        log.last = decision
        if decision.outcome is not Outcome.ACT:
            log.messages.append(f"agent stopped with {decision.outcome.value}: {decision.text}")
    return log
