"""Scene sources: where the agent's scene graph comes from at each decision.

`PerceivedScene` is the real one: the model's stages on the cameras' frames → 3D objects →
categories, colours and ids kept across steps. A privileged source for evaluation (ground-truth
objects) lives in `vlmbot.eval`; both implement `SceneSource`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from vlmbot.cell import RobotCell
from vlmbot.models.stages import VisionStages
from vlmbot.perception.scene import DEFAULT_PERCEPTION, PerceptionConfig, perceive
from vlmbot.perception.validation import DEFAULT_LIMITS, SensorLimits, validate_observation
from vlmbot.reasoning.builder import CategoryClassifier, Tracker, build_graph
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.types import Observation


@runtime_checkable
class SceneSource(Protocol):
    def scene_graph(self, observation: Observation) -> SceneGraph:
        """The scene graph for this observation (world frame), ids stable across calls."""
        ...

    def expect(self, object_id: str, xy: np.ndarray) -> None:
        """The robot is moving object_id to world xy (2,): look for it there next time."""
        ...

    def reset(self) -> None:
        """Forget the previous episode's objects."""
        ...


class PerceivedScene:
    """The scene graph from the cameras' frames through the vision stages. Every observation is
    validated first (`vlmbot.perception.validation`): a faulty frame raises SensorError, it is
    never turned into objects."""

    def __init__(
        self,
        stages: VisionStages,
        classifier: CategoryClassifier,
        cell: RobotCell,
        config: PerceptionConfig = DEFAULT_PERCEPTION,
        limits: SensorLimits = DEFAULT_LIMITS,
    ) -> None:
        self.stages = stages
        self.classifier = classifier
        self.cell = cell
        self.config = config
        self.limits = limits
        self.tracker = Tracker()

    def scene_graph(self, observation: Observation) -> SceneGraph:
        observation = validate_observation(observation, self.cell, self.limits)
        perceived = perceive(self.stages, observation, self.config, self.cell)
        return build_graph(
            perceived, self.classifier, self.stages.colors, self.cell.workspace, self.tracker
        )

    def expect(self, object_id: str, xy: np.ndarray) -> None:
        self.tracker.moved(object_id, xy)

    def reset(self) -> None:
        self.tracker.reset()
