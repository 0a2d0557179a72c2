"""PRIVILEGED perception for `--perception oracle`: the scene graph built from simulator ground
truth (true categories, colours, poses). It runs the real agent's language, planning and safety
on perfect objects, so eval failures can be attributed to perception or to the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

from vlmbot.agents.base import ORACLE_PERCEPTION
from vlmbot.agents.vlm import VLMAgent
from vlmbot.cell import RobotCell
from vlmbot.eval.oracle import PrivilegedWorld
from vlmbot.lexicon.colors import srgb_to_lab
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.stages import ColorNamer
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.sim.catalog import COLORS
from vlmbot.types import Decision, Observation, Outcome, SceneObject


def _true_lab(colors: ColorNamer, color: str) -> np.ndarray:
    """The colour namer's own reference for the true colour name: perfect colour perception."""
    try:
        return np.asarray(colors.references(color)[0], dtype=float)
    except KeyError:
        return srgb_to_lab(np.asarray(COLORS[color].rgb))


class OracleScene:
    """PRIVILEGED SceneSource: ground-truth objects from the attached simulator world."""

    def __init__(self, colors: ColorNamer, cell: RobotCell, embed_dim: int) -> None:
        self.colors = colors
        self.cell = cell
        self.embed_dim = embed_dim
        self.world: PrivilegedWorld | None = None

    def attach(self, world: PrivilegedWorld) -> None:
        self.world = world

    def scene_graph(self, observation: Observation) -> SceneGraph:
        if self.world is None:
            raise RuntimeError("oracle perception needs the harness to attach the simulator world")
        nodes = []
        for state in self.world.object_states().values():
            probs = {c: float(c == state.category) for c in CONCEPTS}
            height = state.aabb_max[2] - state.aabb_min[2]
            extent = np.array([state.size[0], state.size[1], height])
            obj = SceneObject(
                state.id, state.category, state.position, extent, state.yaw, state.color
            )
            # No appearance: region-text scores stay at the model's floor, categories speak.
            embedding = np.zeros(self.embed_dim, dtype=np.float32)
            nodes.append(GraphObject(obj, probs, _true_lab(self.colors, state.color), embedding))
        return SceneGraph(nodes, self.cell.workspace)

    def expect(self, object_id: str, xy: np.ndarray) -> None:
        pass  # ground truth needs no predictions

    def reset(self) -> None:
        pass  # the harness attaches the next episode's world


class OraclePerceptionAgent(VLMAgent):
    """PRIVILEGED: the vlm agent on ground-truth objects (`--perception oracle`)."""

    name = ORACLE_PERCEPTION

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        embed_dim = int(self.classifier.text_embeddings.shape[1])
        self.oracle = OracleScene(self.stages.colors, self.cell, embed_dim)
        self.scene = self.oracle
        self.vocabulary.all_known = True

    def attach(self, world: PrivilegedWorld) -> None:
        self.oracle.attach(world)

    def decide(self, observation: Observation, instruction: str) -> Decision:
        if self.oracle.world is None:
            text = "oracle perception only runs inside the simulator harness"
            return Decision(Outcome.REFUSE, text=text)
        return super().decide(observation, instruction)
