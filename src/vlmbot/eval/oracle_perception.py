"""PRIVILEGED perception for `--perception oracle`: the scene graph built from simulator ground
truth (true categories, colours, poses). It runs the real agent's language, planning and safety
on perfect objects, so eval failures can be attributed to perception or to the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

from vlmbot.cell import Workspace
from vlmbot.lexicon.colors import srgb_to_lab
from vlmbot.reasoning.builder import CategoryClassifier, Tracker
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.sim.catalog import COLORS
from vlmbot.types import SceneObject


def _true_lab(model: Any, color: str) -> np.ndarray:
    """The colour model's own reference for the true colour name: perfect colour perception."""
    try:
        return np.asarray(model.colors.reference(color), dtype=float)
    except KeyError:
        return srgb_to_lab(np.asarray(COLORS[color].rgb))


def oracle_graph(
    world: Any, model: Any, classifier: CategoryClassifier, workspace: Workspace, tracker: Tracker
) -> SceneGraph:
    if world is None:
        raise RuntimeError("oracle perception needs the harness to attach the simulator world")
    nodes = []
    for state in world.object_states().values():
        probs = {c: float(c == state.category) for c in classifier.categories}
        extent = np.array([state.size[0], state.size[1], state.aabb_max[2] - state.aabb_min[2]])
        obj = SceneObject(state.id, state.category, state.position, extent, state.yaw, state.color)
        # No appearance: region-text scores stay at the model's floor, categories speak.
        embedding = np.zeros(classifier._text.shape[1], dtype=np.float32)
        nodes.append(GraphObject(obj, probs, _true_lab(model, state.color), embedding))
    return SceneGraph(nodes, workspace)
