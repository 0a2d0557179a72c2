"""A fake model with a bag-of-words text space, and hand-made scene graphs: grounding, planning,
safety and VQA tested without torch or the simulator. Registered as a pytest plugin by
tests/conftest.py, so its fixtures (`model`, `tabletop`, `grounder`) serve every test folder."""

import hashlib

import numpy as np
import pytest

from vlmbot.cell import Workspace
from vlmbot.lexicon.colors import LabColorNamer, srgb_to_lab
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.compose import stages_from_model
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.reasoning.grounding import Grounder, VocabularyIndex
from vlmbot.types import SceneObject

DIM = 64
RGB = {
    "red": (0.85, 0.1, 0.1),
    "blue": (0.1, 0.25, 0.9),
    "green": (0.1, 0.65, 0.15),
    "yellow": (0.95, 0.85, 0.1),
    "white": (0.95, 0.95, 0.95),
}


def _word_vector(word: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
    return np.random.default_rng(seed).normal(size=DIM)


class FakeSentences:
    def encode(self, texts):
        return self(texts)

    def __call__(self, texts):
        out = []
        for text in texts:
            v = sum(_word_vector(w) for w in text.lower().split()) if text.split() else np.ones(DIM)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


class FakeModel:
    """A RegionScorer whose text embeddings are bags of words and whose region embedding is the
    category name's text embedding (see `node`); its own sentences and colours."""

    name = "fake"

    def __init__(self):
        self.sentences = FakeSentences()
        self.colors = LabColorNamer({c: srgb_to_lab(np.array(v)) for c, v in RGB.items()})
        self.metadata = {}

    def embed_regions(self, image, proposals):
        raise AssertionError("hand-made scene graphs have no image regions")

    def encode_text(self, texts):
        return self.sentences(list(texts))

    def region_text_logits(self, regions, texts):
        return np.asarray(regions) @ np.asarray(texts).T * 10.0 - 5.0


def stages_of(model):
    """The agent's stages around the fake model (depth-geometry proposals, its own words)."""
    return stages_from_model(model)


def vocabulary_of(model):
    stages = stages_of(model)
    return VocabularyIndex(stages.sentences, stages.trained_categories)


def node(model, object_id, category, color, xy, size=(0.045, 0.045, 0.045), z=0.0):
    extent = np.array(size, dtype=float)
    position = np.array([xy[0], xy[1], z + extent[2] / 2])
    probs = {c: (0.9 if c == category else 0.1 / (len(CONCEPTS) - 1)) for c in CONCEPTS}
    embedding = model.encode_text([CONCEPTS[category].name])[0]
    lab = srgb_to_lab(np.array(RGB[color]))
    return GraphObject(
        SceneObject(object_id, category, position, extent, 0.0, color), probs, lab, embedding
    )


@pytest.fixture
def model():
    return FakeModel()


@pytest.fixture
def tabletop(model):
    """A red and a blue block, a yellow duck, a white mug, a green tray."""
    nodes = [
        node(model, "red_block", "block", "red", (0.5, 0.2)),
        node(model, "blue_block", "block", "blue", (0.6, -0.1), size=(0.055, 0.055, 0.055)),
        node(model, "duck", "duck", "yellow", (0.45, -0.25), size=(0.066, 0.046, 0.062)),
        node(model, "mug", "mug", "white", (0.7, 0.25), size=(0.057, 0.085, 0.07)),
        node(model, "tray", "tray", "green", (0.55, 0.0), size=(0.27, 0.27, 0.05)),
    ]
    # The tray sits between: move it so it does not overlap the blocks.
    nodes[4] = node(model, "tray", "tray", "green", (0.45, -0.05), size=(0.2, 0.2, 0.05))
    return SceneGraph(nodes, Workspace())


@pytest.fixture
def grounder(model, tabletop):
    return Grounder(stages_of(model), tabletop, vocabulary_of(model))
