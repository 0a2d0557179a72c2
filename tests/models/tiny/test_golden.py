"""Golden outputs of the shipped vlmbot-tiny weights on fixed renders: an accidental change to
the weights, the preprocessing or the decoding shows up here.

Regenerate after retraining on purpose: `python -m tests.models.tiny.test_golden` (writes the
file; the test itself only ever compares).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from vlmbot.models.tiny.weights import embedded_weights_path

GOLDEN = Path(__file__).with_name("golden_tiny.json")
QUERIES = ["red block", "mug", "the bowl", "yellow duck", "tray", "something you can drink from"]
SCENES = [("refer_attribute", 3), ("put_in", 5)]

pytestmark = pytest.mark.sim


def test_weights_ship_inside_the_package():
    path = embedded_weights_path()
    assert path.is_file() and path.stat().st_size < 30e6


def outputs():
    import torch

    from vlmbot.models.registry import load_model
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, build_episode

    torch.set_num_threads(1)
    model = load_model("tiny")
    result = {}
    with TabletopEnv() as env:
        for task, seed in SCENES:
            env.reset(build_episode(EpisodeSpec(task, seed)).scene)
            for name, frame in env.observe().frames.items():
                found = model.detect(
                    frame.rgb, QUERIES, threshold=0.3, depth=frame.depth, camera=frame.camera
                )
                result[f"{task}-{seed}-{name}"] = {
                    "labels": found.labels.tolist(),
                    "scores": np.round(found.scores, 4).tolist(),
                    "xyxy": np.round(found.xyxy, 2).tolist(),
                }
    return result


def test_golden_detections():
    current = outputs()
    golden = json.loads(GOLDEN.read_text())
    assert set(current) == set(golden)
    for key, expected in golden.items():
        got = current[key]
        assert got["labels"] == expected["labels"], key
        np.testing.assert_allclose(got["scores"], expected["scores"], atol=2e-3, err_msg=key)
        np.testing.assert_allclose(got["xyxy"], expected["xyxy"], atol=0.5, err_msg=key)


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(outputs(), indent=1))
    print(f"wrote {GOLDEN}")
