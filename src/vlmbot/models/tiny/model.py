"""vlmbot-tiny at inference: propose regions, embed them, score them against text.

One frame costs one detector pass and one batched region-encoder pass; text prompts are
encoded once (MiniLM, then a learned projection) and cached. Colour words are grounded with a
colour lexicon on the object's pixels, size words with 3D extents (or box areas without depth).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vlmbot.boxes import nms
from vlmbot.depth import check_depth, lift_detections
from vlmbot.errors import InputError
from vlmbot.lexicon.colors import LabColorNamer, mask_colors
from vlmbot.models.base import Classification, QueryEmbeddings
from vlmbot.models.masks import object_masks
from vlmbot.models.sentences import MiniLMEncoder, shared_encoder
from vlmbot.models.stages import Proposals, reuse_embeddings
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import TinyVLMModules
from vlmbot.models.tiny.processing import (
    check_image,
    crop_tensor,
    decode_proposals,
    image_tensor,
    normalize,
)
from vlmbot.models.tiny.queries import ParsedQuery, parse_query
from vlmbot.models.tiny.regions import size_factors
from vlmbot.types import Camera, Detections

NAME = "tiny"


class TinyVLM:
    """The embedded model. Implements TextEncoder, ImageEncoder, ImageTextMatcher,
    ZeroShotClassifier and Detector (see vlmbot.models.base), the RegionProposer and
    RegionScorer stages (vlmbot.models.stages), plus few-shot concepts. `colors` is its
    colour namer (prototypes fitted to its training renders), `sentences` its frozen MiniLM."""

    name = NAME
    tasks = frozenset({"encode_text", "encode_image", "match", "classify", "detect"})

    def __init__(
        self,
        modules: TinyVLMModules,
        colors: LabColorNamer | None = None,
        text_encoder: MiniLMEncoder | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.modules = modules.eval().requires_grad_(False)
        self.config: TinyConfig = modules.config
        self.colors = colors or LabColorNamer()
        self.sentences = text_encoder or shared_encoder()
        self.metadata = metadata or {}
        self.concepts: dict[str, np.ndarray] = {}
        self._text_cache: dict[str, np.ndarray] = {}

    # --- text ----------------------------------------------------------------------------
    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """N strings → (N, D) joint-space embeddings (float32, L2-normalised), cached."""
        if isinstance(texts, str):
            raise InputError("encode_text takes a list of strings")
        missing = [
            t for t in dict.fromkeys(texts) if t not in self._text_cache and t not in self.concepts
        ]
        if missing:
            sentences = torch.from_numpy(self.sentences(missing))
            with torch.inference_mode():
                projected = self.modules.text(sentences).numpy()
            self._text_cache.update(zip(missing, projected, strict=True))
        if not texts:
            return np.zeros((0, self.config.embed_dim), np.float32)
        vectors = [self.concepts[t] if t in self.concepts else self._text_cache[t] for t in texts]
        return np.stack(vectors).astype(np.float32)

    def save_text_cache(self, path: str | Path) -> None:
        """Persist every sentence embedding computed so far (prompts change rarely)."""
        self.sentences.save_cache(path)

    def load_text_cache(self, path: str | Path) -> int:
        """Reuse sentence embeddings from an earlier run; returns how many were loaded."""
        return self.sentences.load_cache(path)

    # --- images and regions --------------------------------------------------------------
    def _embed_crops(self, crops: torch.Tensor) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, self.config.embed_dim), np.float32)
        with torch.inference_mode():
            return self.modules.regions(crops).numpy()

    def encode_regions(self, image: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
        """Boxes (N, 4) in pixels of an (H, W, 3) uint8 image → (N, D) region embeddings."""
        image = check_image(image)
        tensor = torch.tensor(image).permute(2, 0, 1).float().div_(255.0).unsqueeze(0)
        return self._embed_crops(
            crop_tensor(normalize(tensor, self.config), np.asarray(xyxy), self.config)
        )

    def encode_image(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """N images → (N, D). The embedding is object-centric: each image is read as one crop
        (a photo of one object, or a detection's crop), as the region encoder was trained."""
        if isinstance(images, np.ndarray) and images.ndim == 3:
            images = [images]
        out = [
            self.encode_regions(img, np.array([[0, 0, img.shape[1], img.shape[0]]]))
            for img in images
        ]
        return np.concatenate(out) if out else np.zeros((0, self.config.embed_dim), np.float32)

    def embed_regions(self, image: np.ndarray, proposals: Proposals) -> np.ndarray:
        """(N, D) region embeddings: the proposals' own when this model proposed them, else
        the crop encoder on their boxes."""
        reused = reuse_embeddings(self.name, proposals)
        return reused if reused is not None else self.encode_regions(image, proposals.xyxy)

    def region_text_logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray:
        """(N, D) regions × (M, D) texts → (N, M) calibrated logits (SigLIP-style)."""
        scale = float(self.modules.text.logit_scale.exp())
        bias = float(self.modules.text.logit_bias)
        return np.asarray(regions, np.float32) @ np.asarray(texts, np.float32).T * scale + bias

    def match(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N images, M texts) → (N, M) probabilities that each text describes each image."""
        return _sigmoid(
            self.region_text_logits(self.encode_image(images), self.encode_text(list(texts)))
        )

    def classify(self, images: Sequence[np.ndarray], labels: Sequence[str]) -> Classification:
        labels = _check_labels(labels)
        logits = self.region_text_logits(self.encode_image(images), self.encode_text(labels))
        return Classification(tuple(labels), _softmax(logits))

    def classify_regions(
        self, image: np.ndarray, xyxy: np.ndarray, labels: Sequence[str]
    ) -> Classification:
        """Region classification: each box of one image against the labels."""
        labels = _check_labels(labels)
        logits = self.region_text_logits(self.encode_regions(image, xyxy), self.encode_text(labels))
        return Classification(tuple(labels), _softmax(logits))

    # --- detection ----------------------------------------------------------------------
    def propose(
        self,
        image: np.ndarray,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
        min_objectness: float = 0.15,
        max_proposals: int = 30,
    ) -> Proposals:
        """Class-agnostic object proposals with their region embeddings (RegionProposer).

        One detector pass (separate item and container heatmaps), then one batched crop-encoder
        pass; masks from depth (H, W) metres and its camera when given, else colour contrast.
        """
        image = check_image(image)
        check_depth(depth, camera, image.shape[:2])
        tensor, transform = image_tensor(image, self.config)
        with torch.inference_mode():
            heat, size, offset = self.modules.proposals(tensor)
        boxes, objectness, channel = decode_proposals(
            heat, size, offset, self.config, max_proposals, min_objectness
        )
        boxes = transform.to_original(boxes)
        keep = _two_channel_nms(boxes, objectness, channel)
        boxes, objectness, channel = boxes[keep], objectness[keep], channel[keep]
        if transform.scale == 1.0 and tensor.shape[2:] == image.shape[:2]:
            full = tensor  # the detector input is the image itself
        else:
            full = normalize(
                torch.tensor(image).permute(2, 0, 1).float().div_(255.0).unsqueeze(0), self.config
            )
        embeddings = self._embed_crops(crop_tensor(full, boxes, self.config))
        masks = object_masks(image, boxes, depth, camera, channel == 1)
        return Proposals(boxes, objectness, masks, channel == 1, embeddings, self.name)

    def propose_detections(
        self, image: np.ndarray, depth: np.ndarray | None, camera: Camera | None
    ) -> Detections:
        """Proposals as Detections (for `detect` and the detector's evaluation):
        data["embedding"] (N, D), data["lab"] (N, 3), data["container"] (N,) and, with depth,
        world-frame positions and extents (metres)."""
        proposals = self.propose(image, depth, camera)
        detections = Detections(
            xyxy=proposals.xyxy,
            scores=proposals.objectness,
            labels=np.full(len(proposals), "object"),
            masks=proposals.masks,
            data={
                "embedding": proposals.embeddings
                if proposals.embeddings is not None
                else np.zeros((0, self.config.embed_dim), np.float32),
                "lab": mask_colors(image, proposals.masks),
                "container": proposals.container,
            },
        )
        if depth is not None and camera is not None:
            detections = lift_detections(detections, depth, camera)
        return detections

    def encode_queries(self, queries: Sequence[str]) -> QueryEmbeddings:
        """Encode queries once; the noun phrase goes through the text tower."""
        queries = _check_labels(queries, what="queries")
        nouns = [parse_query(q).noun or q for q in queries]
        return QueryEmbeddings(tuple(queries), self.encode_text(nouns), self.name)

    def detect(
        self,
        image: np.ndarray,
        queries: Sequence[str] | QueryEmbeddings,
        threshold: float = 0.3,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
    ) -> Detections:
        """Open-vocabulary detection: for each query, the proposals whose score clears the
        threshold, best first per query. Scores combine objectness, region-text probability,
        colour fit and size."""
        encoded = queries if isinstance(queries, QueryEmbeddings) else self.encode_queries(queries)
        if encoded.model != self.name:
            raise InputError(
                f"query embeddings come from model {encoded.model!r}, not {self.name!r}"
            )
        proposals = self.propose_detections(image, depth, camera)
        scores = self.score_proposals(proposals, encoded)
        parts = []
        for j, query in enumerate(encoded.texts):
            keep = np.nonzero(scores[:, j] >= threshold)[0]
            part = proposals[keep]
            parts.append(
                replace(part, scores=scores[keep, j], labels=np.full(len(keep), query)).sorted()
            )
        return Detections.merge(parts) if any(len(p) for p in parts) else Detections.empty()

    def score_proposals(self, proposals: Detections, queries: QueryEmbeddings) -> np.ndarray:
        """(N proposals, M queries) detection scores in [0, 1]."""
        n, m = len(proposals), len(queries)
        if n == 0:
            return np.zeros((0, m), np.float32)
        parsed = [parse_query(q) for q in queries.texts]
        p_text = _sigmoid(self.region_text_logits(proposals.data["embedding"], queries.embeddings))
        scores = np.sqrt(proposals.scores)[:, None] * np.ones((n, m), np.float32)
        for j, query in enumerate(parsed):
            if query.noun or query.text in self.concepts:
                scores[:, j] *= p_text[:, j]
            scores[:, j] *= self.color_factors(proposals, query)
            if query.size is not None:
                scores[:, j] *= size_factors(proposals, query.size, p_text[:, j])
        return scores.astype(np.float32)

    def color_factors(self, proposals: Detections, query: ParsedQuery) -> np.ndarray:
        factors = np.ones(len(proposals), np.float32)
        for word in query.colors:
            factors *= np.array([self.colors.score(lab, word) for lab in proposals.data["lab"]])
        return factors

    def color_names(self, proposals: Detections) -> list[str]:
        """The basic colour term of each proposal."""
        return [self.colors.name(lab) for lab in proposals.data["lab"]]

    # --- few-shot concepts -----------------------------------------------------------------
    def learn_concept(
        self, name: str, examples: Sequence[np.ndarray | tuple[np.ndarray, Sequence[float]]]
    ) -> None:
        """Add a named concept from a few examples: crops (H, W, 3), or (image, box xyxy)
        pairs. Its prototype is the mean region embedding; detection then finds it by name."""
        name = " ".join(str(name).split())
        if not name:
            raise InputError("a concept needs a name")
        if not examples:
            raise InputError(f"concept {name!r} needs at least one example")
        vectors = []
        for example in examples:
            if isinstance(example, tuple):
                image, box = example
                vectors.append(self.encode_regions(image, np.asarray([box], dtype=np.float32))[0])
            else:
                vectors.append(self.encode_image([example])[0])
        prototype = np.mean(vectors, axis=0)
        self.concepts[name] = (prototype / np.linalg.norm(prototype)).astype(np.float32)
        self._text_cache.pop(name, None)

    def save_concepts(self, path: str | Path) -> None:
        data = {name: vector.tolist() for name, vector in self.concepts.items()}
        Path(path).write_text(json.dumps({"model": self.name, "concepts": data}))

    def load_concepts(self, path: str | Path) -> list[str]:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"concepts file not found: {path}")
        try:
            data = json.loads(path.read_text())
            concepts = {
                str(k): np.asarray(v, dtype=np.float32) for k, v in data["concepts"].items()
            }
        except (
            json.JSONDecodeError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            RecursionError,
        ) as exc:
            raise InputError(f"cannot read concepts file {path}: {exc}") from None
        if any(v.shape != (self.config.embed_dim,) for v in concepts.values()):
            raise InputError(f"concepts in {path} do not match this model's embedding size")
        self.concepts.update(concepts)
        return sorted(concepts)


def _two_channel_nms(boxes: np.ndarray, scores: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """NMS within each heatmap channel (IoU 0.45), then across channels at IoU 0.5: an item and a
    container proposal with nearly the same box are one object seen twice, while an item lying
    in a container has a much smaller box. Indices best first."""
    kept = [
        np.nonzero(channel == c)[0][nms(boxes[channel == c], scores[channel == c], 0.45)]
        for c in (0, 1)
    ]
    order = np.concatenate(kept)
    order = order[np.argsort(-scores[order])]
    return order[nms(boxes[order], scores[order], 0.5)]


def _check_labels(labels: Sequence[str], what: str = "labels") -> list[str]:
    if isinstance(labels, str):
        labels = [labels]
    labels = [" ".join(str(label).split()) for label in labels]
    if not labels or not all(labels):
        raise InputError(f"{what} must be a non-empty list of non-empty strings")
    return labels


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)
