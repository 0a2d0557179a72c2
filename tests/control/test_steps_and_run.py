"""The step loop and the closed loop, without the simulator: a hand-made world that a fake
robot changes when it executes, observed through a scene source that reads that world."""

from __future__ import annotations

import numpy as np
import pytest
from tests.fakes import node

from vlmbot.cell import HOME_CELL
from vlmbot.control.robot import ExecutedAction, Robot
from vlmbot.control.run import Monitor, run_instruction
from vlmbot.control.steps import StepConfig, StepLoop
from vlmbot.errors import InputError
from vlmbot.planning.planner import Placement
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.safety.gate import SafetyGate
from vlmbot.types import Camera, Decision, Done, Observation, Outcome, PickPlace, Pose, RGBDFrame


class World:
    """Objects by id; `move` puts an object's centre at a world xy (its bottom at a height)."""

    def __init__(self, model, moves_work=True):
        self.nodes = {
            "block": node(model, "block", "block", "red", (0.5, 0.2)),
            "tray": node(model, "tray", "tray", "green", (0.55, -0.1), size=(0.2, 0.2, 0.05)),
        }
        self.moves_work = moves_work

    def graph(self) -> SceneGraph:
        return SceneGraph(list(self.nodes.values()), HOME_CELL.workspace)

    def move(self, object_id: str, xy: np.ndarray, bottom: float) -> None:
        if not self.moves_work:
            return
        old = self.nodes[object_id].obj
        position = np.array([xy[0], xy[1], bottom + old.extent[2] / 2])
        self.nodes[object_id].obj = type(old)(old.id, old.category, position, old.extent)


class FakeRobot:
    """Implements the Robot protocol over the hand-made world."""

    cell = HOME_CELL

    def __init__(self, world: World):
        self.world = world
        camera = Camera(np.array([[50.0, 0, 8], [0, 50.0, 8], [0, 0, 1]]), np.eye(4), 16, 16)
        self.observation = Observation(
            {"cam": RGBDFrame(np.zeros((16, 16, 3), np.uint8), None, camera)}
        )

    def observe(self) -> Observation:
        return self.observation

    def execute(self, action: PickPlace) -> ExecutedAction:
        executed, moved = self.cell.clamp(action)
        target = action.target or ""
        self.world.move(target, np.array(executed.place_pose.position[:2]), 0.01)
        return ExecutedAction(action, executed, moved, True, True, "placed")


class LoopAgent:
    """Plans one placement up front and then only runs the step loop, like the vlm agent."""

    def __init__(self, world: World, placements, max_attempts=2):
        self.world = world
        self.loop = StepLoop(HOME_CELL, SafetyGate(), config=StepConfig(max_attempts))
        self.placements = placements
        self.expected: list[tuple[str, np.ndarray]] = []

    def decide(self, observation: Observation, instruction: str) -> Decision:
        if self.loop.progress is None:
            self.loop.start(instruction, self.placements, ["plan"])
        return self.loop.next(self.world.graph(), lambda i, xy: self.expected.append((i, xy)))


def test_fake_robot_satisfies_the_protocol(model):
    assert isinstance(FakeRobot(World(model)), Robot)


def test_the_loop_acts_verifies_and_ends_with_goal_reached(model):
    world = World(model)
    agent = LoopAgent(world, [Placement("block", "in", "tray")])
    log = run_instruction(FakeRobot(world), agent, "put the block in the tray", max_steps=5)
    assert log.outcome is Outcome.ACT and log.steps == 1
    assert log.last.actions == (Done("goal reached"),)
    assert agent.expected and agent.expected[0][0] == "block"  # the tracker was told
    assert world.graph().inside(world.nodes["block"], world.nodes["tray"])


def test_a_step_that_never_succeeds_is_retried_then_reported(model):
    world = World(model, moves_work=False)
    agent = LoopAgent(world, [Placement("block", "in", "tray")], max_attempts=2)
    log = run_instruction(FakeRobot(world), agent, "put the block in the tray", max_steps=5)
    assert log.steps == 2
    (done,) = log.last.actions
    assert isinstance(done, Done) and "failed after 2 attempts" in done.reason


def test_a_moved_object_that_disappears_is_unverified_not_reached(model):
    world = World(model)
    agent = LoopAgent(world, [Placement("block", "in", "tray")])
    robot = FakeRobot(world)
    robot.execute = lambda action: (  # the block vanishes into the tray
        world.nodes.pop("block"),
        ExecutedAction(action, action, 0.0, True, True, "placed"),
    )[1]
    log = run_instruction(robot, agent, "put the block in the tray", max_steps=5)
    (done,) = log.last.actions
    assert "as far as I can see" in done.reason and "not seen after moving" in done.reason


def test_the_budget_bounds_the_steps(model):
    world = World(model, moves_work=False)
    agent = LoopAgent(world, [Placement("block", "in", "tray")], max_attempts=5)
    assert run_instruction(FakeRobot(world), agent, "x", max_steps=3).steps == 3


def test_monitor_sees_every_action_before_it_runs(model):
    world = World(model)
    seen: list[str] = []

    class Recorder(Monitor):
        def before_execute(self, action):
            seen.append(f"before {action.target}")

        def after_execute(self, executed):
            seen.append(f"after {executed.message}")

    agent = LoopAgent(world, [Placement("block", "in", "tray")])
    run_instruction(FakeRobot(world), agent, "x", max_steps=5, monitor=Recorder())
    assert seen == ["before block", "after placed"]


def test_robot_reports_clamping(model):
    far = PickPlace(Pose((0.5, 0.0, 0.02)), Pose((0.805, 0.0, 0.03)), "block")
    executed = FakeRobot(World(model)).execute(far)
    assert executed.clamped and executed.clamped_by == pytest.approx(0.005)
    assert executed.executed.place_pose.position[0] == pytest.approx(0.80)


def test_the_loop_needs_a_plan(model):
    with pytest.raises(InputError, match="no plan"):
        StepLoop(HOME_CELL, SafetyGate()).next(World(model).graph(), lambda i, xy: None)
