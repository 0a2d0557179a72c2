"""Agent stage roles for the transformers backends (see `vlmbot.models.stages`).

- `owl_propose` / `owl_embed_regions`: OWL-ViT and OWLv2 as a RegionProposer and RegionScorer.
  Every patch predicts a box and a class embedding; proposals are the patches with the highest
  objectness (OWLv2's objectness head; OWL-ViT: its best score against generic object prompts)
  after NMS, and their class embeddings are the region embeddings. Boxes from another proposer
  take the class embedding of the patch box that overlaps them most.
- `crop_embed_regions`: CLIP and SigLIP as a RegionScorer over any proposer's boxes: each box,
  grown by a margin for context, is cropped and encoded by the image tower.

Region-text logits are calibrated as `scale * cosine + bias`. SigLIP learnt both; CLIP and OWL
did not learn a per-pair probability, so their defaults (`ScoreCalibration`) place sigmoid 0.5 at
a cosine typical of a match; tune them for a checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from vlmbot.boxes import box_iou, nms
from vlmbot.errors import InputError
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.backends._hf import check_image
from vlmbot.models.masks import object_masks
from vlmbot.models.stages import Proposals, reuse_embeddings
from vlmbot.types import Camera


@dataclass(frozen=True)
class ScoreCalibration:
    """logit = scale * (cosine - centre): sigmoid 0.5 at cosine `centre`."""

    scale: float
    centre: float

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 1000 or not -1 <= self.centre <= 1:
            raise InputError("ScoreCalibration needs 0 < scale <= 1000 and -1 <= centre <= 1")

    def logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray:
        cosine = np.asarray(regions, np.float32) @ np.asarray(texts, np.float32).T
        return (self.scale * (cosine - self.centre)).astype(np.float32)


@dataclass(frozen=True)
class ProposalConfig:
    """min_objectness: proposals below are dropped; max_proposals: at most this many, best
    first; nms_iou: overlap above which the weaker of two boxes goes; crop_margin: context
    around a box, as a fraction of its size, for crop scorers."""

    min_objectness: float = 0.1
    max_proposals: int = 30
    nms_iou: float = 0.5
    crop_margin: float = 0.1

    def __post_init__(self) -> None:
        if not 0 <= self.min_objectness <= 1 or not 0 < self.nms_iou <= 1:
            raise InputError("ProposalConfig: min_objectness and nms_iou must be in [0, 1]")
        if self.max_proposals < 1 or not 0 <= self.crop_margin <= 1:
            raise InputError("ProposalConfig: max_proposals >= 1 and crop_margin in [0, 1]")


DEFAULT_PROPOSALS = ProposalConfig()
#: Generic prompts OWL-ViT (no objectness head) scores patches against for objectness.
GENERIC_OBJECT_PROMPTS = ("an object", "a small object on a table", "a thing")


class _PatchModel(Protocol):
    """What the OWL roles need of a detector (OwlDetector)."""

    name: str
    embed_dim: int
    calibration: ScoreCalibration

    def image_features(self, image: np.ndarray) -> Any: ...

    def encode_text(self, texts: Sequence[str]) -> np.ndarray: ...


class _CropEncoder(Protocol):
    """What the crop role needs of a dual encoder (DualEncoder)."""

    name: str
    embed_dim: int

    def encode_image(self, images: Sequence[np.ndarray]) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def container_flags(
    regions: np.ndarray, concept_texts: np.ndarray, is_container: np.ndarray
) -> np.ndarray:
    """(N,) bool: the region's best-matching concept name is a container's."""
    if len(regions) == 0:
        return np.zeros(0, bool)
    best = np.argmax(regions @ concept_texts.T, axis=1)
    return np.asarray(is_container[best], dtype=bool)


def concept_names() -> tuple[list[str], np.ndarray]:
    """Every knowledge-base name, and whether its category is a container."""
    pairs = [(n, c.is_container) for c in CONCEPTS.values() for n in c.names]
    return [n for n, _ in pairs], np.array([flag for _, flag in pairs])


def owl_propose(
    owl: _PatchModel,
    image: np.ndarray,
    depth: np.ndarray | None,
    camera: Camera | None,
    config: ProposalConfig = DEFAULT_PROPOSALS,
) -> Proposals:
    """Class-agnostic OWL proposals with their class embeddings (see module docstring)."""
    features = owl.image_features(image)
    if features.objectness is not None:
        objectness = 1 / (1 + np.exp(-np.clip(features.objectness.astype(np.float64), -50, 50)))
    else:
        generic = owl.encode_text(list(GENERIC_OBJECT_PROMPTS))
        embeds = _normalise(features.class_embeds)
        objectness = 1 / (1 + np.exp(-owl.calibration.logits(embeds, generic).max(axis=1)))
    height, width = image.shape[:2]
    boxes = features.boxes_xyxy.astype(np.float32).copy()
    boxes[:, 0::2] = np.clip(boxes[:, 0::2], 0, width)
    boxes[:, 1::2] = np.clip(boxes[:, 1::2], 0, height)
    valid = (boxes[:, 2] - boxes[:, 0] >= 2) & (boxes[:, 3] - boxes[:, 1] >= 2)
    valid &= objectness >= config.min_objectness
    index = np.flatnonzero(valid)
    index = index[nms(boxes[index], objectness[index].astype(np.float32), config.nms_iou)]
    index = index[: config.max_proposals]
    embeddings = _normalise(features.class_embeds[index])
    names, is_container = concept_names()
    container = container_flags(embeddings, owl.encode_text(names), is_container)
    masks = object_masks(image, boxes[index], depth, camera, container)
    return Proposals(boxes[index], objectness[index], masks, container, embeddings, owl.name)


def owl_embed_regions(owl: _PatchModel, image: np.ndarray, proposals: Proposals) -> np.ndarray:
    """(N, D): the proposals' own OWL embeddings, else the best-overlapping patch's."""
    reused = reuse_embeddings(owl.name, proposals)
    if reused is not None:
        return reused
    if len(proposals) == 0:
        return np.zeros((0, owl.embed_dim), np.float32)
    features = owl.image_features(image)
    overlap = box_iou(proposals.xyxy.astype(np.float64), features.boxes_xyxy.astype(np.float64))
    return _normalise(features.class_embeds[np.argmax(overlap, axis=1)])


def crop_embed_regions(
    encoder: _CropEncoder, image: np.ndarray, proposals: Proposals, margin: float
) -> np.ndarray:
    """(N, D) image-tower embeddings of each proposal's box, grown by `margin` for context."""
    reused = reuse_embeddings(encoder.name, proposals)
    if reused is not None:
        return reused
    if len(proposals) == 0:
        return np.zeros((0, encoder.embed_dim), np.float32)
    return encoder.encode_image(crop_boxes(image, proposals.xyxy, margin))


def crop_boxes(image: np.ndarray, xyxy: np.ndarray, margin: float = 0.0) -> list[np.ndarray]:
    """Crops of an (H, W, 3) image for (N, 4) xyxy pixel boxes, grown by margin × box size.

    Boxes are clipped to the image; a box that is empty after clipping raises InputError.
    """
    image = check_image(image)
    height, width = image.shape[:2]
    boxes = np.asarray(xyxy, dtype=np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        raise InputError("give at least one box")
    crops = []
    for x0, y0, x1, y1 in boxes:
        grow_x, grow_y = (x1 - x0) * margin, (y1 - y0) * margin
        left, top = max(0, int(np.floor(x0 - grow_x))), max(0, int(np.floor(y0 - grow_y)))
        right = min(width, int(np.ceil(x1 + grow_x)))
        bottom = min(height, int(np.ceil(y1 + grow_y)))
        if right <= left or bottom <= top:
            raise InputError(f"box {[x0, y0, x1, y1]} lies outside the {width}x{height} image")
        crops.append(image[top:bottom, left:right])
    return crops
