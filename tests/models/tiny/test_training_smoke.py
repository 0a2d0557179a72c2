"""CI runs a few-step training end to end (render → train → fit colours → export)."""

import json

import pytest
from training.__main__ import main as train_main

from vlmbot.models.registry import load_model
from vlmbot.reasoning.shapes import ShapePrior

pytestmark = pytest.mark.sim


def test_smoke_training_exports_loadable_weights(tmp_path):
    assert train_main(["--smoke", "--out", str(tmp_path), "--threads", "1"]) == 0
    model = load_model(f"tiny:{tmp_path / 'tiny.safetensors'}")
    assert model.metadata["training"]["scenes"] == 6
    assert (tmp_path / "detector.safetensors").is_file()
    embeddings = model.encode_text(["a red block"])
    assert embeddings.shape == (1, model.config.embed_dim)
    shapes = ShapePrior.load(tmp_path / "shapes.json")  # the agent's prior, fit on its detections
    assert set(shapes.measured) <= set(model.metadata["training"]["categories"])
    record = json.loads((tmp_path / "training.json").read_text())
    assert record["shapes"]["episodes"] == 3
