"""Box geometry shared by the detectors: processor frame → image pixels, IoU, NMS, finishing.

Pure numpy. Boxes are xyxy pixels with a top-left origin unless a name says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vlmbot.boxes import box_iou, nms
from vlmbot.depth import lift_detections
from vlmbot.types import Camera, Detections


@dataclass(frozen=True)
class ProcessorFrame:
    """How a processor maps an image of size image_wh onto the model's square input.

    mode "stretch": resized to resize_wh ignoring aspect ratio, then centre-cropped to crop_wh
    (OWL-ViT). mode "pad_square": padded at the bottom/right to a square of side max(W, H),
    then resized (OWLv2); normalised boxes are then fractions of that square.
    """

    mode: str
    resize_wh: tuple[int, int] = (1, 1)
    crop_wh: tuple[int, int] | None = None

    def to_pixels(self, boxes_cxcywh: np.ndarray, image_wh: tuple[int, int]) -> np.ndarray:
        """(N, 4) cxcywh in [0, 1] of the model input → (N, 4) xyxy pixels of the input image."""
        xyxy = cxcywh_to_xyxy(np.asarray(boxes_cxcywh, dtype=np.float64).reshape(-1, 4))
        width, height = image_wh
        if self.mode == "pad_square":
            return (xyxy * max(width, height)).astype(np.float32)
        if self.mode != "stretch":
            raise ValueError(f"unknown processor frame {self.mode!r}")
        resize_w, resize_h = self.resize_wh
        crop_w, crop_h = self.crop_wh or self.resize_wh
        # Normalised box in the crop → pixels of the resized image → pixels of the original.
        offset = np.array([(resize_w - crop_w) / 2, (resize_h - crop_h) / 2] * 2)
        in_resized = xyxy * np.array([crop_w, crop_h] * 2) + offset
        return (in_resized * np.array([width / resize_w, height / resize_h] * 2)).astype(np.float32)


def cxcywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """(N, 4) centre-x, centre-y, width, height → (N, 4) x_min, y_min, x_max, y_max."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    centre, size = boxes[:, :2], boxes[:, 2:]
    return np.concatenate([centre - size / 2, centre + size / 2], axis=1)


def finish_detections(
    xyxy: np.ndarray,
    scores: np.ndarray,
    labels: Sequence[str] | np.ndarray,
    image_wh: tuple[int, int],
    threshold: float,
    nms_iou: float | None = 0.5,
    depth: np.ndarray | None = None,
    camera: Camera | None = None,
) -> Detections:
    """Threshold, clip to the image (boxes left empty by clipping are dropped), per-label NMS,
    best first, and lift to 3D if depth given."""
    xyxy = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4).copy()
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    labels = np.asarray(labels, dtype=str).reshape(-1)
    width, height = image_wh
    xyxy[:, 0::2] = np.clip(xyxy[:, 0::2], 0, width)
    xyxy[:, 1::2] = np.clip(xyxy[:, 1::2], 0, height)
    keep = (scores >= threshold) & (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
    detections = Detections(xyxy[keep], scores[keep], labels[keep])
    if nms_iou is not None and len(detections):
        kept = []
        for label in dict.fromkeys(detections.labels.tolist()):
            rows = np.flatnonzero(detections.labels == label)
            kept.append(rows[nms(detections.xyxy[rows], detections.scores[rows], nms_iou)])
        detections = detections[np.concatenate(kept)]
    detections = detections.sorted()
    if depth is not None and camera is not None:
        detections = lift_detections(detections, np.asarray(depth, dtype=np.float32), camera)
    return detections


__all__ = ["ProcessorFrame", "box_iou", "cxcywh_to_xyxy", "finish_detections", "nms"]
