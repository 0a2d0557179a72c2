"""OWL-ViT and OWLv2 detectors on tiny random checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from vlmbot.errors import InputError
from vlmbot.models.base import QueryEmbeddings
from vlmbot.types import Camera

FAMILIES = ["owlvit", "owlv2"]
QUERIES = ["a red mug", "a yellow duck"]


@pytest.fixture(params=FAMILIES)
def detector(request: pytest.FixtureRequest, tiny_model: Callable[[str, str], Any]) -> Any:
    model = tiny_model(request.param, request.param)
    model.nms_iou = 0.5
    return model


def test_cached_queries_equal_fresh_queries(detector: Any, rgb: np.ndarray) -> None:
    cached = detector.encode_queries(QUERIES)
    assert cached.embeddings.shape[0] == 2 and cached.texts == tuple(QUERIES)
    np.testing.assert_allclose(np.linalg.norm(cached.embeddings, axis=1), 1, atol=1e-5)
    with_cache = detector.detect(rgb, cached, threshold=0.0)
    fresh = detector.detect(rgb, QUERIES, threshold=0.0)
    np.testing.assert_allclose(with_cache.xyxy, fresh.xyxy)
    np.testing.assert_allclose(with_cache.scores, fresh.scores)
    assert with_cache.labels.tolist() == fresh.labels.tolist()


def test_image_side_heads_reproduce_the_full_forward_pass(detector: Any, rgb: np.ndarray) -> None:
    """Scores from the cached text embeddings equal transformers' text+image forward."""
    inputs = detector.processor(text=[QUERIES], images=[Image.fromarray(rgb)], return_tensors="pt")
    with torch.no_grad():
        reference = detector.model(**inputs)
    features = detector._image_features([rgb])[0]
    scores = detector._score(features, detector.encode_queries(QUERIES))
    np.testing.assert_allclose(scores, torch.sigmoid(reference.logits[0]).numpy(), atol=1e-5)
    pixels = detector.frame.to_pixels(reference.pred_boxes[0].numpy(), (64, 48))
    np.testing.assert_allclose(features.boxes_xyxy, pixels, atol=1e-4)


def test_detections_are_inside_the_image_best_first(detector: Any, rgb: np.ndarray) -> None:
    found = detector.detect(rgb, QUERIES, threshold=0.0)
    assert len(found) > 0
    assert set(found.labels.tolist()) <= set(QUERIES)
    assert np.all((found.scores >= 0) & (found.scores <= 1))
    assert np.all(np.diff(found.scores) <= 0)
    assert np.all(found.xyxy[:, 0::2] >= 0) and np.all(found.xyxy[:, 0::2] <= 64)
    assert np.all(found.xyxy[:, 1::2] >= 0) and np.all(found.xyxy[:, 1::2] <= 48)
    assert np.all(found.xyxy[:, 2:] >= found.xyxy[:, :2])
    assert found.positions is None


def test_threshold_filters(detector: Any, rgb: np.ndarray) -> None:
    everything = detector.detect(rgb, QUERIES, threshold=0.0)
    cut = float(np.median(everything.scores))
    some = detector.detect(rgb, QUERIES, threshold=cut)
    assert 0 < len(some) < len(everything) and np.all(some.scores >= cut)
    assert len(detector.detect(rgb, QUERIES, threshold=1.01)) == 0


def test_detect_batch_equals_single_detections(detector: Any, rgb: np.ndarray) -> None:
    images = [rgb, rgb[::-1].copy(), np.ascontiguousarray(rgb[:, :40])]
    queries = detector.encode_queries(QUERIES)
    batch = detector.detect_batch(images, queries, threshold=0.0)
    for image, batched in zip(images, batch, strict=True):
        single = detector.detect(image, queries, threshold=0.0)
        np.testing.assert_allclose(batched.xyxy, single.xyxy, atol=1e-4)
        np.testing.assert_allclose(batched.scores, single.scores, atol=1e-5)


def test_positions_with_depth_and_camera(detector: Any, rgb: np.ndarray) -> None:
    K = np.array([[60.0, 0, 32], [0, 60.0, 24], [0, 0, 1]])
    T_world_cam = np.eye(4)
    T_world_cam[:3, 3] = [0.1, 0.2, 0.0]
    camera = Camera(K=K, T_world_cam=T_world_cam, width=64, height=48)
    depth = np.full((48, 64), 1.5, dtype=np.float32)
    found = detector.detect(rgb, QUERIES, threshold=0.0, depth=depth, camera=camera)
    assert found.positions is not None and found.positions.shape == (len(found), 3)
    valid = np.isfinite(found.positions[:, 0])
    assert valid.any()
    np.testing.assert_allclose(found.positions[valid, 2], 1.5, atol=1e-4)
    with pytest.raises(InputError, match="depth"):
        detector.detect(rgb, QUERIES, depth=depth[:10], camera=camera)
    with pytest.raises(InputError, match="both"):
        detector.detect(rgb, QUERIES, depth=depth)


def test_example_box_selects_the_matching_patch(detector: Any, rgb: np.ndarray) -> None:
    features = detector._image_features([rgb])[0]
    for patch in (0, 5, len(features.boxes_xyxy) - 1):
        box = features.boxes_xyxy[patch]
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            continue
        query = detector.encode_example(rgb, box, label="thing")
        expected = features.class_embeds[patch] / np.linalg.norm(features.class_embeds[patch])
        np.testing.assert_allclose(query.embeddings[0], expected, atol=1e-5)
        assert query.texts == ("thing",)


def test_detect_by_example(detector: Any, rgb: np.ndarray) -> None:
    found = detector.detect_by_example(rgb, rgb, [20, 10, 44, 30], threshold=0.0)
    assert len(found) > 0 and set(found.labels.tolist()) == {"example"}
    assert np.all((found.scores >= 0) & (found.scores <= 1))
    query = detector.encode_example(rgb, [20, 10, 44, 30])
    np.testing.assert_allclose(detector.detect(rgb, query, threshold=0.0).scores, found.scores)
    with pytest.raises(InputError, match="example_box"):
        detector.detect_by_example(rgb, rgb, [5, 5, 5, 9])


def test_owlv2_boxes_undo_the_square_padding(tiny_model: Callable[[str, str], Any]) -> None:
    """OWLv2 pads bottom/right with black: a non-square image and the same image padded by
    hand go through identical pixels, so their boxes must agree in pixels."""
    detector = tiny_model("owlv2", "owlv2")
    detector.nms_iou = None
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, size=(24, 40, 3), dtype=np.uint8)
    padded = np.zeros((40, 40, 3), dtype=np.uint8)
    padded[:24] = image
    queries = detector.encode_queries(QUERIES)
    a = detector._image_features([image])[0].boxes_xyxy
    b = detector._image_features([padded])[0].boxes_xyxy
    np.testing.assert_allclose(a, b, atol=1e-3)
    scores_a = detector._score(detector._image_features([image])[0], queries)
    scores_b = detector._score(detector._image_features([padded])[0], queries)
    np.testing.assert_allclose(scores_a, scores_b, atol=1e-5)


def test_owlvit_boxes_scale_each_axis(
    tiny_model: Callable[[str, str], Any], rgb: np.ndarray
) -> None:
    """OWL-ViT stretches: a box covering the whole model input covers the whole image."""
    detector = tiny_model("owlvit", "owlvit")
    assert detector.frame.mode == "stretch" and detector.frame.resize_wh == (32, 32)
    np.testing.assert_allclose(
        detector.frame.to_pixels(np.array([[0.5, 0.5, 1, 1]]), (64, 48)), [[0, 0, 64, 48]]
    )


def test_queries_from_another_model_are_refused(
    tiny_model: Callable[[str, str], Any], rgb: np.ndarray
) -> None:
    queries = tiny_model("owlvit", "owlvit").encode_queries(QUERIES)
    with pytest.raises(InputError, match="encoded by owlvit"):
        tiny_model("owlv2", "owlv2").detect(rgb, queries)
    empty = QueryEmbeddings((), np.zeros((0, 32), np.float32), queries.model)
    with pytest.raises(InputError, match="at least one"):
        tiny_model("owlvit", "owlvit").detect(rgb, empty)


@pytest.mark.parametrize("queries", [[], [""], "a mug"])
def test_bad_queries_raise_input_error(detector: Any, rgb: np.ndarray, queries: Any) -> None:
    with pytest.raises(InputError):
        detector.detect(rgb, queries)
