"""The language-to-action agent: RGB-D frames + text → actions, an answer, a question or a
refusal. Perception → scene graph → language → planning → safety gate → one action per step,
re-perceiving after every step. It never imports the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmbot.cell import DEFAULT_WORKSPACE, Workspace
from vlmbot.errors import InputError
from vlmbot.language.instruction import NotUnderstood, Parsed, Question, parse_instruction
from vlmbot.perception.scene import perceive
from vlmbot.planning.geometry import grasp_pose, place_in, place_on, place_relative
from vlmbot.planning.planner import Placement, Planner, RulePlanner
from vlmbot.reasoning.builder import CategoryClassifier, Tracker, build_graph
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounder, VocabularyIndex
from vlmbot.reasoning.shapes import ShapePrior, embedded_shape_prior
from vlmbot.reasoning.vqa import answer_question
from vlmbot.safety.gate import GateConfig, SafetyGate
from vlmbot.types import Decision, Done, Observation, Outcome, PickPlace, Pose, SceneObject

MAX_ATTEMPTS = 2  # per placement: the first try and one retry


@dataclass
class Execution:
    """What the agent committed to for the current instruction."""

    instruction: str
    placements: list[Placement]
    plan: list[str]
    attempts: dict[int, int] = field(default_factory=dict)
    unverified: set[str] = field(default_factory=set)  # moved, then not seen again
    uneven: set[str] = field(default_factory=set)  # stacked, but the stack does not look right
    placed: dict[str, tuple[str, SceneObject, Pose]] = field(default_factory=dict)


class VLMAgent:
    """The default agent (`vlm`). perception="model" uses the vision-language model on the
    frames; perception="oracle" (PRIVILEGED, for attributing failures) takes ground-truth
    objects from the harness instead, and runs the same language, planning and safety.
    shapes: the shape prior ("embedded", a JSON path, or None for appearance only)."""

    name = "vlm"

    def __init__(
        self,
        model: Any = "tiny",
        perception: str = "model",
        workspace: Workspace = DEFAULT_WORKSPACE,
        gate: SafetyGate | None = None,
        planner: Planner | None = None,
        shapes: ShapePrior | str | None = "embedded",
    ) -> None:
        if perception not in ("model", "oracle"):
            raise InputError(f"unknown perception {perception!r}: use model or oracle")
        if isinstance(model, str):
            from vlmbot.models.registry import load_model

            model = load_model(model)
        self.model = model
        self.perception = perception
        self.privileged = perception == "oracle"
        self.workspace = workspace
        self.gate = gate or SafetyGate(GateConfig(workspace=workspace))
        self.planner: Planner = planner or RulePlanner()
        if isinstance(shapes, str):
            shapes = embedded_shape_prior() if shapes == "embedded" else ShapePrior.load(shapes)
        self.classifier = CategoryClassifier(model, shapes)
        self.vocabulary = VocabularyIndex(model)
        self.vocabulary.all_known = perception == "oracle"
        self.tracker = Tracker()
        self.world: Any = None
        self.execution: Execution | None = None

    def attach(self, world: Any) -> None:
        """PRIVILEGED (perception="oracle" only): ground truth from the harness."""
        self.world = world

    def reset(self) -> None:
        self.execution = None
        self.tracker.reset()

    # --- the loop ------------------------------------------------------------------------------
    def scene_graph(self, observation: Observation) -> SceneGraph:
        if self.perception == "oracle":
            from vlmbot.eval.oracle_perception import oracle_graph

            return oracle_graph(
                self.world, self.model, self.classifier, self.workspace, self.tracker
            )
        perceived = perceive(self.model, observation)
        return build_graph(
            perceived, self.classifier, self.model.colors, self.workspace, self.tracker
        )

    def decide(self, observation: Observation, instruction: str) -> Decision:
        if self.execution is not None and self.execution.instruction != instruction:
            self.reset()
        graph = self.scene_graph(observation)
        grounder = Grounder(self.model, graph, self.vocabulary, self.classifier.shapes)
        if self.execution is None:
            parsed = parse_instruction(instruction)
            decision = self._first_decision(parsed, instruction, graph, grounder)
            if decision is not None:
                return decision
        return self._next_step(graph)

    def _first_decision(
        self, parsed: Parsed, instruction: str, graph: SceneGraph, grounder: Grounder
    ) -> Decision | None:
        if isinstance(parsed, NotUnderstood):
            return Decision(Outcome.REFUSE, text=f"Sorry: {parsed.reason}.")
        if isinstance(parsed, Question):
            answer = answer_question(parsed, graph, grounder)
            return Decision(
                Outcome.ANSWER,
                text=answer.text,
                evidence=answer.evidence,
                info=self._info(graph, answer.evidence, []),
            )
        proposal = self.planner.plan(parsed, graph, grounder)
        verdict = self.gate.review(proposal, graph)
        plan = proposal.describe(graph)
        if verdict.outcome is not Outcome.ACT:
            return Decision(
                verdict.outcome,
                text=verdict.text,
                evidence=verdict.evidence,
                info=self._info(graph, verdict.evidence, plan),
            )
        self.execution = Execution(instruction, list(proposal.placements), plan)
        return None

    def _next_step(self, graph: SceneGraph) -> Decision:
        assert self.execution is not None
        execution = self.execution
        for index, placement in enumerate(execution.placements):
            try:
                target, destination = graph.get(placement.target), graph.get(placement.destination)
            except KeyError:
                seen = {o.id for o in graph.objects}
                if placement.target not in seen and execution.attempts.get(index, 0) > 0:
                    # Moved by us and no longer seen: most likely hidden in its destination.
                    execution.unverified.add(placement.target)
                    continue
                missing = (
                    placement.target if placement.target not in seen else placement.destination
                )
                return self._done(f"I lost track of {missing}", graph)
            if graph.relation(target, destination, placement.relation):
                continue
            attempts = execution.attempts.get(index, 0)
            if attempts and placement.relation == "on" and graph.gap(target, destination) < 0:
                # Placed, and it overlaps its base, but the stack does not look right: a
                # regrasp could close on the base too. Leave it and say so.
                execution.uneven.add(placement.target)
                continue
            if attempts >= MAX_ATTEMPTS:
                return self._done(f"step {index + 1} failed after {attempts} attempts", graph)
            action = self._action(placement, graph)
            if action is None:
                return self._done(f"no safe pose for step {index + 1}", graph)
            execution.attempts[index] = attempts + 1
            self.tracker.moved(placement.target, np.asarray(action.place_pose.position[:2]))
            execution.placed[placement.target] = (
                placement.destination,
                target.obj,
                action.place_pose,
            )
            info = self._info(graph, (placement.target, placement.destination), execution.plan)
            return Decision(
                Outcome.ACT,
                actions=(action,),
                evidence=(placement.target, placement.destination),
                info=info,
            )
        doubts = []
        if execution.unverified:
            doubts.append(f"{', '.join(sorted(execution.unverified))} not seen after moving")
        if execution.uneven:
            doubts.append(f"{', '.join(sorted(execution.uneven))} may sit unevenly")
        if doubts:
            return self._done(f"goal reached as far as I can see ({'; '.join(doubts)})", graph)
        return self._done("goal reached", graph)

    def _done(self, reason: str, graph: SceneGraph) -> Decision:
        plan = self.execution.plan if self.execution else []
        return Decision(Outcome.ACT, actions=(Done(reason),), info=self._info(graph, (), plan))

    def _action(self, placement: Placement, graph: SceneGraph) -> PickPlace | None:
        target, destination = graph.get(placement.target), graph.get(placement.destination)
        place: Pose | None
        if placement.relation == "in":
            contents = [o.obj for o in graph.contents(destination)] + self._unseen_contents(
                destination.id
            )
            place = place_in(target.obj, destination.obj, contents)
        elif placement.relation == "on":
            place = place_on(target.obj, destination.obj)
        else:
            others = [o.obj for o in graph.objects]
            place = place_relative(
                target.obj, destination.obj, placement.relation, others, self.workspace
            )
            if place is None:
                return None
        return self.gate.clamp(PickPlace(grasp_pose(target.obj), place, target.id))

    def _unseen_contents(self, destination_id: str) -> list[SceneObject]:
        """Objects we put into a container and can no longer see: they still take up room."""
        if self.execution is None:
            return []
        ghosts = []
        for object_id in self.execution.unverified:
            destination, obj, pose = self.execution.placed.get(object_id, ("", None, None))
            if destination == destination_id and obj is not None and pose is not None:
                position = np.array(pose.position)
                ghosts.append(SceneObject(object_id, obj.category, position, obj.extent, obj.yaw))
        return ghosts

    def _info(
        self, graph: SceneGraph, evidence: tuple[str, ...], plan: list[str]
    ) -> dict[str, Any]:
        """Plan lines and per-camera boxes of every object (evidence first) for reports."""
        annotations: dict[str, list[dict[str, Any]]] = {}
        for node in sorted(graph.objects, key=lambda o: o.id not in evidence):
            marker = "> " if node.id in evidence else ""
            for camera, box in node.views.items():
                annotations.setdefault(camera, []).append(
                    {"xyxy": box, "label": f"{marker}{node.id} {node.name}"}
                )
        return {
            "plan": plan,
            "annotations": annotations,
            "objects": [o.name for o in graph.objects],
        }
