"""CLIP and SigLIP / SigLIP2: text and image embeddings, image-text matching, zero-shot
classification of whole images and of boxes (region classification).

Scores: `match` for SigLIP is its trained per-pair probability sigmoid(scale·cos + bias); CLIP
has no per-pair probability, so its `match` maps the cosine linearly from [-1, 1] to [0, 1].
`classify` is softmax(scale·cos) over the labels for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from vlmbot.errors import InputError
from vlmbot.models.backends._hf import (
    HFModel,
    batched,
    check_texts,
    l2_normalise,
    load_model_and_processor,
    to_numpy,
    to_pil,
)
from vlmbot.models.backends.regions import (
    DEFAULT_PROPOSALS,
    ScoreCalibration,
    crop_boxes,
    crop_embed_regions,
)
from vlmbot.models.base import Classification, QueryEmbeddings
from vlmbot.models.family import ModelOptions
from vlmbot.models.stages import Proposals

TASKS = frozenset({"encode_text", "encode_image", "match", "classify"})
#: CLIP learnt no per-pair probability: sigmoid 0.5 at cosine 0.25, a typical match for ViT-B.
CLIP_CALIBRATION = ScoreCalibration(scale=50.0, centre=0.25)
_SIGLIP_TYPES = ("siglip", "siglip2")


class DualEncoder(HFModel):
    """A contrastive image-text model. Embeddings are (N, D) float32, L2-normalised.

    Also the agent's RegionScorer (`vlmbot.models.stages`) over any proposer's boxes: crops
    through the image tower; region-text logits calibrated as SigLIP learnt them, or for CLIP
    with `CLIP_CALIBRATION`."""

    crop_margin = DEFAULT_PROPOSALS.crop_margin

    def __init__(self, name: str, model: Any, processor: Any, device: str, batch_size: int):
        super().__init__(name, TASKS, model, processor, device, batch_size)
        self.sigmoid = model.config.model_type in _SIGLIP_TYPES
        self.logit_scale = float(model.logit_scale.exp().item())
        bias = getattr(model, "logit_bias", None)
        self.logit_bias = float(bias.item()) if bias is not None else 0.0
        self.text_batch_size = max(64, batch_size)
        self.embed_dim = int(model.config.text_config.hidden_size)
        projection = getattr(model.config, "projection_dim", None)
        if projection and not self.sigmoid:
            self.embed_dim = int(projection)
        self.calibration = (
            ScoreCalibration(self.logit_scale, -self.logit_bias / self.logit_scale)
            if self.sigmoid
            else CLIP_CALIBRATION
        )

    def _text_kwargs(self) -> dict[str, Any]:
        if not self.sigmoid:
            return {"padding": True, "truncation": True}
        # SigLIP was trained on text padded to a fixed length: anything else changes the output.
        tokenizer = self.processor.tokenizer
        limit = self.model.config.text_config.max_position_embeddings
        length = min(int(getattr(tokenizer, "model_max_length", limit) or limit), limit)
        return {"padding": "max_length", "max_length": length, "truncation": True}

    @torch.inference_mode()
    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """N strings → (N, D) float32, L2-normalised."""
        items = check_texts(texts)
        parts = []
        for chunk in batched(items, self.text_batch_size):
            inputs = self._inputs(self.processor.tokenizer, text=list(chunk), **self._text_kwargs())
            parts.append(to_numpy(self.model.get_text_features(**inputs).pooler_output))
        return l2_normalise(np.concatenate(parts))

    @torch.inference_mode()
    def encode_image(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """N (H, W, 3) uint8 images → (N, D) float32, L2-normalised (batch_size per pass)."""
        if len(images) == 0:
            raise InputError("give at least one image")
        parts = []
        for chunk in batched([to_pil(image) for image in images], self.batch_size):
            inputs = self._inputs(self.processor.image_processor, images=list(chunk))
            parts.append(to_numpy(self.model.get_image_features(**inputs).pooler_output))
        return l2_normalise(np.concatenate(parts))

    def encode_labels(self, labels: Sequence[str], template: str = "{}") -> QueryEmbeddings:
        """Label prompts encoded once, for `classify` on many images (template fills in {})."""
        items = check_texts(labels, "label")
        if "{}" not in template:
            raise InputError(f"template {template!r} needs a {{}} for the label")
        embeddings = self.encode_text([template.format(label) for label in items])
        return QueryEmbeddings(tuple(items), embeddings, self.name)

    def _label_embeddings(self, labels: Sequence[str] | QueryEmbeddings) -> QueryEmbeddings:
        if isinstance(labels, QueryEmbeddings):
            if labels.model != self.name:
                raise InputError(f"labels were encoded by {labels.model}, not {self.name}")
            return labels
        return self.encode_labels(labels)

    def match(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N images, M texts) → (N, M) float32 scores in [0, 1] (see the module docstring)."""
        cosine = self.encode_image(images) @ self.encode_text(texts).T
        if self.sigmoid:
            scores = 1 / (1 + np.exp(-(cosine * self.logit_scale + self.logit_bias)))
        else:
            scores = (cosine + 1) / 2
        return np.clip(scores, 0, 1).astype(np.float32)

    def classify(
        self, images: Sequence[np.ndarray], labels: Sequence[str] | QueryEmbeddings
    ) -> Classification:
        """Each image (a frame or a crop) against labels (strings, or from encode_labels)."""
        queries = self._label_embeddings(labels)
        logits = self.logit_scale * (self.encode_image(images) @ queries.embeddings.T)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return Classification(
            queries.texts, (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)
        )

    def classify_boxes(
        self,
        image: np.ndarray,
        xyxy: np.ndarray,
        labels: Sequence[str] | QueryEmbeddings,
        margin: float = 0.1,
    ) -> Classification:
        """Region classification: each (N, 4) xyxy pixel box of one image, grown by `margin` of
        its size on every side for context, is cropped and classified → (N, L)."""
        return self.classify(crop_boxes(image, xyxy, margin), labels)

    # --- the agent's stage ----------------------------------------------------------------
    def embed_regions(self, image: np.ndarray, proposals: Proposals) -> np.ndarray:
        """(N, D) image-tower embeddings of the proposals' boxes (with context margin)."""
        return crop_embed_regions(self, image, proposals, self.crop_margin)

    def region_text_logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray:
        """(N, D) × (M, D) → (N, M) calibrated logits (see the class docstring)."""
        return self.calibration.logits(regions, texts)


def _load(family: str, source: str, options: ModelOptions, model_types: tuple[str, ...]) -> Any:
    import transformers

    model, processor, device = load_model_and_processor(
        family, source, options, transformers.AutoModel
    )
    kind = model.config.model_type
    if kind not in model_types:
        raise InputError(
            f"{source} is a {kind} checkpoint, not {family}; load it as {kind}:{source}"
        )
    return DualEncoder(f"{family}:{source}", model, processor, device, options.batch_size)


def load_clip(source: str, options: ModelOptions) -> DualEncoder:
    """A CLIP checkpoint (hub id or save_pretrained folder)."""
    return _load("clip", source, options, ("clip",))


def load_siglip(source: str, options: ModelOptions) -> DualEncoder:
    """A SigLIP or SigLIP2 checkpoint; the model class comes from its config."""
    return _load("siglip", source, options, _SIGLIP_TYPES)
