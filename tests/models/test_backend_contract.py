"""Contract tests over every registered transformers family, each with its tiny checkpoints:
the tasks a model declares are implemented (it satisfies the Protocol and the method runs and
returns the documented types), and weights survive a save/load round trip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.models import load_model
from vlmbot.models.base import (
    TASKS,
    Captioner,
    Classification,
    Detector,
    ImageEncoder,
    ImageTextMatcher,
    TextEncoder,
    VisionLanguageModel,
    VisualQuestionAnswerer,
    ZeroShotClassifier,
)
from vlmbot.models.registry import families
from vlmbot.types import Detections

#: Families built by other issues, with their own contract tests.
NOT_TRANSFORMERS = {"tiny"}
IMAGE = np.random.default_rng(7).integers(0, 255, size=(40, 56, 3), dtype=np.uint8)


def _encode_text(model: Any) -> None:
    out = model.encode_text(["a mug", "a duck"])
    assert out.dtype == np.float32 and out.ndim == 2 and out.shape[0] == 2
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)


def _encode_image(model: Any) -> None:
    out = model.encode_image([IMAGE, IMAGE[:20]])
    assert out.dtype == np.float32 and out.ndim == 2 and out.shape[0] == 2
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)


def _match(model: Any) -> None:
    out = model.match([IMAGE], ["a mug", "a duck", "a cube"])
    assert out.shape == (1, 3) and out.dtype == np.float32
    assert np.all((out >= 0) & (out <= 1))


def _classify(model: Any) -> None:
    out = model.classify([IMAGE, IMAGE[::-1].copy()], ["mug", "duck"])
    assert isinstance(out, Classification) and out.probs.shape == (2, 2)
    np.testing.assert_allclose(out.probs.sum(axis=1), 1, atol=1e-5)


def _detect(model: Any) -> None:
    queries = model.encode_queries(["mug", "duck"])
    assert queries.texts == ("mug", "duck") and queries.model == model.name
    if model.name.startswith("paligemma"):
        # A random generator writes no <loc> tokens: give it an answer to parse, so the
        # contract (labels are the queries; boxes inside the image) is checked on boxes.
        written = "<loc0100><loc0200><loc0600><loc0900> mug ; <loc0010><loc0020><loc0500>"
        model.generate = lambda image, prompt, max_new_tokens=None: written + "<loc0500> cat"
    try:
        out = model.detect(IMAGE, queries, threshold=0.0)
    finally:
        vars(model).pop("generate", None)
    assert isinstance(out, Detections) and len(out) >= 1
    assert set(out.labels.tolist()) <= {"mug", "duck"}
    assert np.all((out.scores >= 0) & (out.scores <= 1))
    assert np.all(out.xyxy[:, 0::2] <= 56) and np.all(out.xyxy[:, 1::2] <= 40)
    assert np.all(out.xyxy >= 0) and np.all(out.xyxy[:, 2:] > out.xyxy[:, :2])


def _caption(model: Any) -> None:
    out = model.caption(IMAGE)
    assert isinstance(out, str) and out == out.strip()


def _vqa(model: Any) -> None:
    out = model.answer(IMAGE, "what is on the table?")
    assert isinstance(out, str) and out == out.strip()


#: task → (Protocol, a call that checks the documented output).
CONTRACT: dict[str, tuple[type, Callable[[Any], None]]] = {
    "encode_text": (TextEncoder, _encode_text),
    "encode_image": (ImageEncoder, _encode_image),
    "match": (ImageTextMatcher, _match),
    "classify": (ZeroShotClassifier, _classify),
    "detect": (Detector, _detect),
    "caption": (Captioner, _caption),
    "vqa": (VisualQuestionAnswerer, _vqa),
}


def test_every_registered_family_has_tiny_checkpoints(tiny_builders: dict[str, Any]) -> None:
    assert set(families()) - NOT_TRANSFORMERS == set(tiny_builders)
    assert set(CONTRACT) == set(TASKS)


def test_checkpoints_together_cover_the_family_tasks(
    tiny_family: str, tiny_builders: dict[str, Any], tiny_model: Callable[[str, str], Any]
) -> None:
    names = tiny_builders[tiny_family]
    covered = set().union(*(tiny_model(tiny_family, name).tasks for name in names))
    assert covered == set(families()[tiny_family].tasks)


def test_declared_tasks_are_implemented(
    tiny_checkpoint: tuple[str, str], tiny_model: Callable[[str, str], Any]
) -> None:
    family, name = tiny_checkpoint
    model = tiny_model(family, name)
    assert isinstance(model, VisionLanguageModel)
    assert model.name.startswith(f"{family}:") and model.tasks
    assert model.tasks <= set(families()[family].tasks) <= set(TASKS)
    for task in sorted(model.tasks):
        protocol, check = CONTRACT[task]
        assert isinstance(model, protocol), f"{name} declares {task} but is not a {protocol}"
        check(model)


def _output(model: Any) -> Any:
    """One deterministic output per checkpoint, from its first declared task."""
    task = sorted(model.tasks)[0]
    if task == "caption":
        return model.caption(IMAGE)
    if task == "detect":
        found = model.detect(IMAGE, ["mug"], threshold=0.0)
        return np.concatenate([found.xyxy.ravel(), found.scores])
    if task in ("encode_image", "encode_text", "classify"):
        return model.encode_image([IMAGE])
    if task == "match":
        return model.match([IMAGE], ["a mug"])
    return model.answer(IMAGE, "what?")


def test_save_load_round_trip_is_exact(
    tiny_checkpoint: tuple[str, str], tiny_model: Callable[[str, str], Any], tmp_path: Path
) -> None:
    family, name = tiny_checkpoint
    model = tiny_model(family, name)
    folder = model.save(tmp_path / "copy")
    again = load_model(f"{family}:{folder}", device="cpu")
    assert again.tasks == model.tasks
    before, after = _output(model), _output(again)
    if isinstance(before, str):
        assert before == after
    else:
        np.testing.assert_array_equal(before, after)
