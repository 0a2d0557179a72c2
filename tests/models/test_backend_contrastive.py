"""CLIP and SigLIP / SigLIP2 backends on tiny random checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vlmbot.errors import InputError
from vlmbot.models import load_model
from vlmbot.models.backends.regions import crop_boxes

CHECKPOINTS = [("clip", "clip"), ("siglip", "siglip"), ("siglip", "siglip2")]
TEXTS = ["a red mug", "a yellow duck", "a blue cube on the table"]


@pytest.fixture(params=CHECKPOINTS, ids=[name for _, name in CHECKPOINTS])
def encoder(request: pytest.FixtureRequest, tiny_model: Callable[[str, str], Any]) -> Any:
    return tiny_model(*request.param)


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [
        rng.integers(0, 255, size=shape, dtype=np.uint8)
        for shape in [(48, 64, 3), (32, 32, 3), (100, 40, 3)]
    ]


def test_embeddings_are_normalised_with_one_width(encoder: Any) -> None:
    text = encoder.encode_text(TEXTS)
    image = encoder.encode_image(_images())
    assert text.dtype == np.float32 and image.dtype == np.float32
    assert text.shape[0] == 3 and image.shape[0] == 3 and text.shape[1] == image.shape[1]
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(image, axis=1), 1, atol=1e-5)
    # Different inputs give different embeddings (the model is not constant).
    assert not np.allclose(text[0], text[1]) and not np.allclose(image[0], image[1])


def test_match_scores_in_unit_range(encoder: Any) -> None:
    scores = encoder.match(_images()[:2], TEXTS)
    assert scores.shape == (2, 3) and scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1))
    cosine = encoder.encode_image(_images()[:2]) @ encoder.encode_text(TEXTS).T
    # Scores are a monotonic function of the cosine similarity.
    assert np.array_equal(np.argsort(scores, axis=1), np.argsort(cosine, axis=1))


def test_classify_rows_sum_to_one_and_top_is_argmax(encoder: Any) -> None:
    result = encoder.classify(_images(), ["mug", "duck", "cube"])
    assert result.probs.shape == (3, 3)
    np.testing.assert_allclose(result.probs.sum(axis=1), 1, atol=1e-5)
    assert result.top == [result.labels[i] for i in result.probs.argmax(axis=1)]


def test_cached_labels_equal_fresh_labels(encoder: Any) -> None:
    labels = encoder.encode_labels(["mug", "duck"])
    fresh = encoder.classify(_images(), ["mug", "duck"])
    cached = encoder.classify(_images(), labels)
    np.testing.assert_allclose(cached.probs, fresh.probs, atol=1e-6)
    templated = encoder.encode_labels(["mug"], template="a photo of a {}.")
    np.testing.assert_allclose(templated.embeddings, encoder.encode_text(["a photo of a mug."]))


def test_encode_image_batch_equals_single_images(encoder: Any) -> None:
    images = _images()
    batched = encoder.encode_image(images)
    singles = np.concatenate([encoder.encode_image([image]) for image in images])
    np.testing.assert_allclose(batched, singles, atol=1e-5)
    texts = encoder.encode_text(TEXTS)
    single_texts = np.concatenate([encoder.encode_text([text]) for text in TEXTS])
    np.testing.assert_allclose(texts, single_texts, atol=1e-5)


def test_region_classification_classifies_crops(encoder: Any, rgb: np.ndarray) -> None:
    boxes = np.array([[20, 10, 44, 30], [0, 0, 16, 16]], dtype=np.float32)
    result = encoder.classify_boxes(rgb, boxes, ["mug", "duck"], margin=0.0)
    expected = encoder.classify([rgb[10:30, 20:44], rgb[0:16, 0:16]], ["mug", "duck"])
    np.testing.assert_allclose(result.probs, expected.probs, atol=1e-6)


@pytest.mark.parametrize(
    ("box", "margin", "shape"),
    [
        ([10, 10, 20, 30], 0.0, (20, 10, 3)),
        ([10, 10, 20, 30], 0.5, (40, 20, 3)),
        ([-10, -10, 5, 5], 0.0, (5, 5, 3)),
        ([60, 40, 200, 200], 0.0, (8, 4, 3)),
    ],
)
def test_crop_boxes(box: list[float], margin: float, shape: tuple[int, ...]) -> None:
    image = np.zeros((48, 64, 3), dtype=np.uint8)
    assert crop_boxes(image, np.array([box]), margin)[0].shape == shape


def test_crop_boxes_rejects_box_outside_image() -> None:
    with pytest.raises(InputError, match="outside"):
        crop_boxes(np.zeros((8, 8, 3), dtype=np.uint8), np.array([[20, 20, 30, 30]]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.encode_text([]), "at least one"),
        (lambda m: m.encode_text("a mug"), "list of strings"),
        (lambda m: m.encode_text(["ok", " "]), "empty"),
        (lambda m: m.encode_image([]), "at least one image"),
        (lambda m: m.encode_image([np.zeros((4, 4), dtype=np.uint8)]), "shape"),
        (lambda m: m.encode_image([np.zeros((4, 4, 3), dtype=np.float32)]), "uint8"),
    ],
)
def test_bad_inputs_raise_input_error(
    tiny_model: Callable[[str, str], Any], call: Callable[[Any], Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        call(tiny_model("clip", "clip"))


def test_labels_from_another_model_are_refused(tiny_model: Callable[[str, str], Any]) -> None:
    labels = tiny_model("clip", "clip").encode_labels(["mug"])
    with pytest.raises(InputError, match="encoded by clip"):
        tiny_model("siglip", "siglip").classify(_images(), labels)


def test_siglip_and_siglip2_get_their_own_classes(tiny_model: Callable[[str, str], Any]) -> None:
    assert type(tiny_model("siglip", "siglip").model).__name__ == "SiglipModel"
    assert type(tiny_model("siglip", "siglip2").model).__name__ == "Siglip2Model"
    assert tiny_model("siglip", "siglip").sigmoid and not tiny_model("clip", "clip").sigmoid


def test_wrong_family_for_checkpoint_is_refused(
    tiny_checkpoints: Callable[[str], Path],
) -> None:
    with pytest.raises(InputError, match="siglip checkpoint, not clip"):
        load_model(f"clip:{tiny_checkpoints('siglip')}", device="cpu")
