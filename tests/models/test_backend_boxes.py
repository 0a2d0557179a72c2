"""Box geometry shared by the detectors: processor frames, IoU, NMS, finishing."""

from __future__ import annotations

import numpy as np
import pytest

from vlmbot.models.backends._boxes import (
    ProcessorFrame,
    box_iou,
    cxcywh_to_xyxy,
    finish_detections,
    nms,
)
from vlmbot.types import Camera


@pytest.mark.parametrize(
    ("frame", "cxcywh", "image_wh", "expected"),
    [
        # OWLv2 pads to a max(W, H) square at the bottom/right: both axes scale by max(W, H).
        (ProcessorFrame("pad_square"), [0.5, 0.5, 1.0, 1.0], (640, 480), [0, 0, 640, 640]),
        (ProcessorFrame("pad_square"), [0.25, 0.25, 0.5, 0.5], (640, 480), [0, 0, 320, 320]),
        (ProcessorFrame("pad_square"), [0.5, 0.25, 0.2, 0.1], (300, 600), [240, 120, 360, 180]),
        # OWL-ViT stretches to the model's square: each axis scales by its own size.
        (ProcessorFrame("stretch", (768, 768)), [0.5, 0.5, 1.0, 1.0], (640, 480), [0, 0, 640, 480]),
        (
            ProcessorFrame("stretch", (768, 768)),
            [0.25, 0.75, 0.5, 0.5],
            (640, 480),
            [0, 240, 320, 480],
        ),
        # Resize then centre-crop: the crop's normalised box shifts by the crop offset.
        (
            ProcessorFrame("stretch", (100, 100), (50, 50)),
            [0.5, 0.5, 1.0, 1.0],
            (200, 100),
            [50, 25, 150, 75],
        ),
    ],
)
def test_processor_frame_to_pixels(
    frame: ProcessorFrame, cxcywh: list[float], image_wh: tuple[int, int], expected: list[float]
) -> None:
    np.testing.assert_allclose(
        frame.to_pixels(np.array([cxcywh]), image_wh)[0], expected, atol=1e-4
    )


def test_processor_frame_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown"):
        ProcessorFrame("letterbox").to_pixels(np.zeros((1, 4)), (10, 10))


def test_cxcywh_to_xyxy() -> None:
    np.testing.assert_allclose(cxcywh_to_xyxy([[5, 5, 2, 4]]), [[4, 3, 6, 7]])


@pytest.mark.parametrize(
    ("a", "b", "iou"),
    [
        ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),
        ([0, 0, 10, 10], [5, 0, 15, 10], 50 / 150),
        ([0, 0, 10, 10], [20, 20, 30, 30], 0.0),
        ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),
    ],
)
def test_box_iou(a: list[float], b: list[float], iou: float) -> None:
    assert box_iou(np.array([a]), np.array([b]))[0, 0] == pytest.approx(iou)


def test_nms_keeps_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]], dtype=float)
    scores = np.array([0.5, 0.9, 0.4])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert nms(boxes, scores, 0.95).tolist() == [1, 0, 2]


def test_finish_detections_thresholds_clips_sorts_and_suppresses_per_label() -> None:
    boxes = [[-5, -5, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [30, 30, 80, 90]]
    found = finish_detections(
        boxes, [0.6, 0.8, 0.7, 0.05], ["mug", "mug", "duck", "mug"], (50, 40), threshold=0.1
    )
    # The low score goes; the two overlapping mugs become one; the duck overlapping a mug stays.
    assert found.labels.tolist() == ["mug", "duck"]
    np.testing.assert_allclose(found.scores, [0.8, 0.7])
    assert np.all(found.xyxy >= 0) and np.all(found.xyxy[:, 0::2] <= 50)
    assert found.positions is None


def test_finish_detections_without_nms_keeps_every_box() -> None:
    found = finish_detections([[0, 0, 4, 4]] * 3, [0.2, 0.3, 0.1], ["a"] * 3, (8, 8), 0.0, None)
    assert found.scores.tolist() == pytest.approx([0.3, 0.2, 0.1])


def test_finish_detections_lifts_with_depth_and_camera() -> None:
    K = np.array([[50.0, 0, 32], [0, 50.0, 24], [0, 0, 1]])
    camera = Camera(K=K, T_world_cam=np.eye(4), width=64, height=48)
    depth = np.full((48, 64), 2.0, dtype=np.float32)
    found = finish_detections([[28, 20, 36, 28]], [0.9], ["mug"], (64, 48), 0.1, 0.5, depth, camera)
    assert found.positions is not None and found.extents is not None
    # A box centred on the principal point at depth 2 m lies on the optical axis.
    np.testing.assert_allclose(found.positions[0], [0, 0, 2], atol=0.05)
