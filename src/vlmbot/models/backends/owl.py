"""OWL-ViT and OWLv2: open-vocabulary detection with text queries encoded once, and
image-guided one-shot detection from an example box.

Per frame only the image tower and the detection heads run: `detect` calls the model's
`image_embedder`, `class_predictor` (with the cached query embeddings) and `box_predictor`.
Boxes come back in pixels of the input image: OWL-ViT's processor stretches the image to a
square, OWLv2's pads it at the bottom/right to a square first (see `ProcessorFrame`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from vlmbot.depth import check_depth
from vlmbot.errors import InputError
from vlmbot.models.backends._boxes import ProcessorFrame, box_iou, finish_detections
from vlmbot.models.backends._hf import (
    HFModel,
    batched,
    check_image,
    check_texts,
    l2_normalise,
    load_model_and_processor,
    to_numpy,
    to_pil,
)
from vlmbot.models.backends.regions import (
    DEFAULT_PROPOSALS,
    ScoreCalibration,
    owl_embed_regions,
    owl_propose,
)
from vlmbot.models.base import QueryEmbeddings
from vlmbot.models.family import ModelOptions
from vlmbot.models.stages import Proposals
from vlmbot.types import Camera, Detections


@dataclass(frozen=True)
class ImageFeatures:
    """The image side of one frame (internal: feats is the (1, P, D) torch input of the
    heads). class_embeds: (P, D) unnormalised class embeddings per
    patch; boxes_xyxy: (P, 4) predicted boxes in pixels of the input image; objectness: (P,)
    logits (OWLv2) or None; image_wh: the input image size."""

    feats: torch.Tensor
    class_embeds: np.ndarray
    boxes_xyxy: np.ndarray
    objectness: np.ndarray | None
    image_wh: tuple[int, int]


class OwlDetector(HFModel):
    """Open-vocabulary detector. nms_iou: per-label NMS overlap (None keeps every box).

    Also the agent's RegionProposer and RegionScorer (`vlmbot.models.stages`): `propose`,
    `embed_regions`, `encode_text`, `region_text_logits` (see `regions.py`)."""

    calibration = ScoreCalibration(scale=10.0, centre=0.2)

    def __init__(
        self,
        name: str,
        model: Any,
        processor: Any,
        device: str,
        batch_size: int,
        frame: ProcessorFrame,
        nms_iou: float | None = 0.5,
    ) -> None:
        super().__init__(name, frozenset({"detect"}), model, processor, device, batch_size)
        self.frame = frame
        self.nms_iou = nms_iou
        self.base = getattr(model, "owlv2", None) or model.owlvit
        self.max_text_length = int(model.config.text_config.max_position_embeddings)
        self.embed_dim = int(model.config.text_config.hidden_size)
        self.proposal_config = DEFAULT_PROPOSALS
        self._text_cache: dict[str, np.ndarray] = {}

    @torch.inference_mode()
    def encode_queries(self, queries: Sequence[str]) -> QueryEmbeddings:
        """Encode text queries once → (N, D) embeddings to pass to `detect` on every frame."""
        texts = check_texts(queries, "query")
        inputs = self._inputs(
            self.processor.tokenizer,
            text=texts,
            padding="max_length",
            max_length=self.max_text_length,
            truncation=True,
        )
        embeds = to_numpy(self.base.get_text_features(**inputs).pooler_output)
        return QueryEmbeddings(tuple(texts), l2_normalise(embeds), self.name)

    @torch.inference_mode()
    def _image_features(self, images: Sequence[np.ndarray]) -> list[ImageFeatures]:
        """Run the image tower and box/objectness heads on (H, W, 3) uint8 images (internal:
        the result holds torch features for the class head)."""
        out: list[ImageFeatures] = []
        for chunk in batched([check_image(image) for image in images], self.batch_size):
            pixels = self._inputs(
                self.processor.image_processor, images=[to_pil(im) for im in chunk]
            )["pixel_values"]
            feature_map = self.model.image_embedder(pixel_values=pixels)[0]
            batch, rows, cols, width = feature_map.shape
            feats = feature_map.reshape(batch, rows * cols, width)
            boxes = to_numpy(self.model.box_predictor(feats, feature_map))
            _, class_embeds = self.model.class_predictor(feats)
            objectness = (
                to_numpy(self.model.objectness_predictor(feats))
                if hasattr(self.model, "objectness_predictor")
                else None
            )
            for i, image in enumerate(chunk):
                wh = (image.shape[1], image.shape[0])
                out.append(
                    ImageFeatures(
                        feats=feats[i : i + 1],
                        class_embeds=to_numpy(class_embeds[i]),
                        boxes_xyxy=self.frame.to_pixels(boxes[i], wh),
                        objectness=None if objectness is None else objectness[i],
                        image_wh=wh,
                    )
                )
        return out

    # --- the agent's stages -------------------------------------------------------------------
    def image_features(self, image: np.ndarray) -> ImageFeatures:
        """One frame's patch boxes (pixels), class embeddings and objectness."""
        return self._image_features([check_image(image)])[0]

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """M strings → (M, D) L2-normalised text embeddings (cached per string)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._text_cache]
        if missing:
            encoded = self.encode_queries(missing).embeddings
            self._text_cache.update(zip(missing, encoded, strict=True))
        if not texts:
            return np.zeros((0, self.embed_dim), np.float32)
        return np.stack([self._text_cache[t] for t in texts]).astype(np.float32)

    def propose(
        self, image: np.ndarray, depth: np.ndarray | None = None, camera: Camera | None = None
    ) -> Proposals:
        """Class-agnostic proposals with per-box class embeddings (RegionProposer)."""
        image = check_image(image)
        check_depth(depth, camera, image.shape[:2])
        return owl_propose(self, image, depth, camera, self.proposal_config)

    def embed_regions(self, image: np.ndarray, proposals: Proposals) -> np.ndarray:
        return owl_embed_regions(self, check_image(image), proposals)

    def region_text_logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray:
        return self.calibration.logits(regions, texts)

    def _queries(self, queries: Sequence[str] | QueryEmbeddings) -> QueryEmbeddings:
        if isinstance(queries, QueryEmbeddings):
            if queries.model != self.name:
                raise InputError(f"queries were encoded by {queries.model}, not {self.name}")
            if len(queries) == 0:
                raise InputError("give at least one query")
            return queries
        return self.encode_queries(queries)

    @torch.inference_mode()
    def _score(self, features: ImageFeatures, queries: QueryEmbeddings) -> np.ndarray:
        """(P, N) sigmoid scores of every patch's box for every query."""
        query_embeds = torch.as_tensor(queries.embeddings, device=self.device, dtype=self.dtype)
        logits, _ = self.model.class_predictor(features.feats, query_embeds[None])
        return 1 / (1 + np.exp(-np.clip(to_numpy(logits[0]).astype(np.float64), -50, 50)))

    def _detections(
        self,
        features: ImageFeatures,
        queries: QueryEmbeddings,
        threshold: float,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
    ) -> Detections:
        scores = self._score(features, queries)
        patches, query_index = np.nonzero(scores >= threshold)
        return finish_detections(
            features.boxes_xyxy[patches],
            scores[patches, query_index],
            np.asarray(queries.texts, dtype=str)[query_index],
            features.image_wh,
            threshold,
            self.nms_iou,
            depth,
            camera,
        )

    def detect(
        self,
        image: np.ndarray,
        queries: Sequence[str] | QueryEmbeddings,
        threshold: float = 0.1,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
    ) -> Detections:
        """Boxes (pixels of `image`) for each query, best first; labels are the query texts.

        With depth (H, W) metres and its camera, positions/extents are world-frame metres.
        """
        image = check_image(image)
        check_depth(depth, camera, image.shape[:2])
        query_embeddings = self._queries(queries)
        return self._detections(
            self._image_features([image])[0], query_embeddings, threshold, depth, camera
        )

    def detect_batch(
        self,
        images: Sequence[np.ndarray],
        queries: Sequence[str] | QueryEmbeddings,
        threshold: float = 0.1,
    ) -> list[Detections]:
        """`detect` on many frames, batch_size images per forward pass."""
        query_embeddings = self._queries(queries)
        return [
            self._detections(features, query_embeddings, threshold)
            for features in self._image_features(images)
        ]

    def encode_example(
        self, example_image: np.ndarray, example_box: Sequence[float], label: str = "example"
    ) -> QueryEmbeddings:
        """The class embedding of the predicted box that best overlaps example_box (xyxy pixels
        of example_image) — a query usable by `detect` like an encoded text query."""
        box = np.asarray(example_box, dtype=np.float64).reshape(-1)
        if box.shape != (4,) or box[2] <= box[0] or box[3] <= box[1]:
            raise InputError(f"example_box must be [x_min, y_min, x_max, y_max], got {example_box}")
        features = self._image_features([example_image])[0]
        overlap = box_iou(box[None], features.boxes_xyxy)[0]
        if overlap.max() <= 0:
            raise InputError(f"example_box {box.tolist()} does not overlap the example image")
        best = int(np.argmax(overlap))
        embedding = l2_normalise(features.class_embeds[best : best + 1])
        return QueryEmbeddings((label,), embedding, self.name)

    def detect_by_example(
        self,
        image: np.ndarray,
        example_image: np.ndarray,
        example_box: Sequence[float],
        threshold: float = 0.1,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
        label: str = "example",
    ) -> Detections:
        """Image-guided one-shot detection: find objects in `image` like the one in example_box."""
        return self.detect(
            image, self.encode_example(example_image, example_box, label), threshold, depth, camera
        )


def _frame(family: str, image_processor: Any) -> ProcessorFrame:
    if family == "owlv2":
        return ProcessorFrame("pad_square")
    size, crop = dict(image_processor.size), getattr(image_processor, "crop_size", None)
    if "height" not in size:
        raise InputError(f"unsupported OWL-ViT processor size {size}: want height and width")
    crop_wh = None
    if getattr(image_processor, "do_center_crop", False) and crop:
        crop_wh = (int(crop["width"]), int(crop["height"]))
    return ProcessorFrame("stretch", (int(size["width"]), int(size["height"])), crop_wh)


def _load(family: str, source: str, options: ModelOptions, class_name: str) -> OwlDetector:
    import transformers

    model, processor, device = load_model_and_processor(
        family, source, options, getattr(transformers, class_name)
    )
    if model.config.model_type != family:
        kind = model.config.model_type
        raise InputError(
            f"{source} is a {kind} checkpoint, not {family}; load it as {kind}:{source}"
        )
    frame = _frame(family, processor.image_processor)
    return OwlDetector(f"{family}:{source}", model, processor, device, options.batch_size, frame)


def load_owlvit(source: str, options: ModelOptions) -> OwlDetector:
    """An OWL-ViT checkpoint (hub id or save_pretrained folder)."""
    return _load("owlvit", source, options, "OwlViTForObjectDetection")


def load_owlv2(source: str, options: ModelOptions) -> OwlDetector:
    """An OWLv2 checkpoint (hub id or save_pretrained folder)."""
    return _load("owlv2", source, options, "Owlv2ForObjectDetection")
