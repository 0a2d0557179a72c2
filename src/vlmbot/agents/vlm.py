"""The language-to-action agent: RGB-D frames + text → actions, an answer, a question or a
refusal. Composed from injected stages (as segment-anything composes its model): a scene source
(perception → scene graph) → grounding → a planner → the safety gate → the step loop. It never
imports the simulator.
"""

from __future__ import annotations

from dataclasses import replace

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.control.steps import StepLoop, decision_info
from vlmbot.errors import InputError
from vlmbot.language.commands import NotUnderstood, Parsed, Question
from vlmbot.models.compose import build_stages
from vlmbot.models.stages import RegionScorer, VisionStages
from vlmbot.perception.validation import SensorError
from vlmbot.planning.llm import LLMConfig, LLMPlanner
from vlmbot.planning.planner import Planner, RulePlanner
from vlmbot.reasoning.builder import CategoryClassifier
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import DEFAULT_GROUNDING, Grounder, GroundingConfig, VocabularyIndex
from vlmbot.reasoning.shapes import ShapePrior, embedded_shape_prior
from vlmbot.reasoning.source import PerceivedScene, SceneSource
from vlmbot.reasoning.vqa import answer_question
from vlmbot.safety.gate import SafetyGate
from vlmbot.types import Decision, Observation, Outcome


class VLMAgent:
    """The default agent (`vlm`).

    model: a model name (`tiny`, `owlv2:PATH`, `clip:PATH`, ...), composed stages, or a loaded
    model that implements RegionScorer; proposer: "model", "depth" or None (see
    `vlmbot.models.compose.build_stages`); cell: the robot cell it acts in; scene: the scene
    source (default: perception on the frames); planner: "rule" (the rule parser, default),
    "llm" (an OpenAI-compatible endpoint configured by `llm`, the rule parser its fallback) or a
    Planner; shapes: the shape prior ("embedded", a JSON path, or None for appearance only)."""

    name = "vlm"

    def __init__(
        self,
        model: str | VisionStages | RegionScorer = "tiny",
        proposer: str | None = None,
        cell: RobotCell = HOME_CELL,
        scene: SceneSource | None = None,
        planner: Planner | str | None = None,
        gate: SafetyGate | None = None,
        shapes: ShapePrior | str | None = "embedded",
        grounding: GroundingConfig = DEFAULT_GROUNDING,
        llm: LLMConfig | None = None,
    ) -> None:
        self.stages = build_stages(model, proposer)
        self.cell = cell
        if isinstance(shapes, str):
            shapes = embedded_shape_prior() if shapes == "embedded" else ShapePrior.load(shapes)
        self.classifier = CategoryClassifier.for_stages(self.stages, shapes, cell.vocabulary)
        self.vocabulary = VocabularyIndex(
            self.stages.sentences, self.stages.trained_categories, grounding, cell.vocabulary
        )
        self.scene: SceneSource = scene or PerceivedScene(self.stages, self.classifier, cell)
        self.planner: Planner = _planner(planner, cell, llm)
        self.gate = gate or SafetyGate(cell=cell)
        self.steps = StepLoop(cell, self.gate)
        self._notes: list[str] = []

    def reset(self) -> None:
        self.steps.reset()
        self.scene.reset()

    def decide(self, observation: Observation, instruction: str) -> Decision:
        """One decision. A wrong argument type is an InputError; a frame that fails sensor
        validation is a refusal that names the fault (never objects, never Done)."""
        if not isinstance(observation, Observation):
            raise InputError(f"observation must be an Observation, got {type(observation)}")
        if not isinstance(instruction, str):
            raise InputError(f"instruction must be a string, got {type(instruction).__name__}")
        if self.steps.instruction is not None and self.steps.instruction != instruction:
            self.reset()
        try:
            graph = self.scene.scene_graph(observation)
        except SensorError as exc:
            self.reset()
            return Decision(Outcome.REFUSE, text=f"Sorry: I cannot trust my cameras: {exc}.")
        if self.steps.progress is None:
            grounder = Grounder(self.stages, graph, self.vocabulary, self.classifier.shapes)
            parsed = self.planner.interpret(instruction, graph)
            decision = self._first_decision(parsed, instruction, graph, grounder)
            if decision is not None:
                return decision
            first = self.steps.next(graph, self.scene.expect)
            return replace(first, text=" ".join(self._notes)) if self._notes else first
        return self.steps.next(graph, self.scene.expect)

    def _first_decision(
        self, parsed: Parsed, instruction: str, graph: SceneGraph, grounder: Grounder
    ) -> Decision | None:
        """Answer, ask or refuse; or None after starting the step loop on a reviewed plan."""
        if isinstance(parsed, NotUnderstood):
            if parsed.outcome == "clarify":
                return Decision(Outcome.CLARIFY, text=_sentence(parsed.reason))
            return Decision(Outcome.REFUSE, text=f"Sorry: {parsed.reason}.")
        if isinstance(parsed, Question):
            answer = answer_question(parsed, graph, grounder)
            info = decision_info(graph, answer.evidence, [])
            return Decision(Outcome.ANSWER, text=answer.text, evidence=answer.evidence, info=info)
        proposal = self.planner.plan(parsed, graph, grounder)
        verdict = self.gate.review(proposal, graph)
        plan = proposal.describe(graph)
        if verdict.outcome is not Outcome.ACT:
            return Decision(
                verdict.outcome,
                text=verdict.text,
                evidence=verdict.evidence,
                info=decision_info(graph, verdict.evidence, plan),
            )
        self.steps.start(instruction, list(proposal.placements), [*proposal.notes, *plan])
        self._notes = [f"{note}." for note in proposal.notes]
        return None


def _planner(planner: Planner | str | None, cell: RobotCell, llm: LLMConfig | None) -> Planner:
    """The planner an agent uses: a Planner as given, or one by name (rule, llm)."""
    if planner is None or planner == "rule":
        return RulePlanner(cell=cell)
    if planner == "llm":
        if llm is None:
            raise InputError("the llm planner needs an endpoint: give --llm-url and --llm-model")
        return LLMPlanner(llm, RulePlanner(cell=cell))
    if isinstance(planner, str):
        raise InputError(f"unknown planner {planner!r}; planners: rule, llm")
    return planner


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(("?", ".", "!")) else f"{text}."
