"""The stage contracts the agent is built from: what perception and grounding need from a model.

A robot's perception is composed of four stages, each a `typing.Protocol` (no inheritance):
- `RegionProposer`: class-agnostic object proposals with masks in one RGB-D frame, from a model
  (vlmbot-tiny's heatmaps, OWL's boxes) or from depth geometry alone;
- `RegionScorer`: region embeddings and calibrated region-text logits (vlmbot-tiny's crop
  encoder, OWL's per-box class embeddings, CLIP/SigLIP on crops of any proposer's boxes);
- `SentenceEncoder`: sentence embeddings that relate a user's words to the known vocabulary;
- `ColorNamer`: an object's colour measured from its pixels, named and compared with words.
`VisionStages` holds one of each. Images are (H, W, 3) uint8 RGB; depth (H, W) float32 metres
along the optical axis; boxes xyxy pixels with a top-left origin; embeddings float32,
L2-normalised along the last axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vlmbot.errors import InputError
from vlmbot.types import Camera

#: Role names a model family may declare (see `vlmbot.models.family.ModelFamily.roles`).
ROLES = ("proposer", "region_scorer")


@dataclass(frozen=True)
class Proposals:
    """N class-agnostic object proposals in one H x W image.

    xyxy: (N, 4) float32 pixels; objectness: (N,) float32 in [0, 1]; masks: (N, H, W) bool, each
    object's own pixels; container: (N,) bool, proposed as something that holds things (its
    mask keeps the floor around what lies in it); embeddings: (N, D) float32 region embeddings
    when the proposer computes them, in the space of the scorer named `space` (else None).
    """

    xyxy: np.ndarray
    objectness: np.ndarray
    masks: np.ndarray
    container: np.ndarray
    embeddings: np.ndarray | None = None
    space: str | None = None

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(xyxy)
        objectness = np.asarray(self.objectness, dtype=np.float32).reshape(-1)
        container = np.asarray(self.container, dtype=bool).reshape(-1)
        masks = np.asarray(self.masks, dtype=bool)
        if len(objectness) != n or len(container) != n:
            raise InputError(f"proposals: {n} boxes, {len(objectness)} scores, {len(container)}")
        if masks.ndim != 3 or len(masks) != n:
            raise InputError(f"proposals: masks must be (N, H, W) with N={n}, got {masks.shape}")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "objectness", objectness)
        object.__setattr__(self, "container", container)
        object.__setattr__(self, "masks", masks)
        if self.embeddings is not None:
            embeddings = np.asarray(self.embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or len(embeddings) != n:
                raise InputError(f"proposals: embeddings must be (N, D), got {embeddings.shape}")
            object.__setattr__(self, "embeddings", embeddings)

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: Any) -> Proposals:
        """Index with a boolean mask or an index array."""
        return Proposals(
            self.xyxy[index],
            self.objectness[index],
            self.masks[index],
            self.container[index],
            None if self.embeddings is None else self.embeddings[index],
            self.space,
        )

    @classmethod
    def empty(cls, height: int, width: int) -> Proposals:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros((0, height, width), bool), np.zeros(0))


@runtime_checkable
class RegionProposer(Protocol):
    def propose(
        self, image: np.ndarray, depth: np.ndarray | None = None, camera: Camera | None = None
    ) -> Proposals:
        """Class-agnostic proposals in one image; masks need depth (H, W) metres + camera."""
        ...


@runtime_checkable
class RegionScorer(Protocol):
    name: str

    def embed_regions(self, image: np.ndarray, proposals: Proposals) -> np.ndarray:
        """(N, D) region embeddings of the proposals in `image` (L2-normalised). Proposals that
        carry embeddings in this scorer's space (`proposals.space == name`) are reused."""
        ...

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """M strings → (M, D) float32 text embeddings in the region space, L2-normalised."""
        ...

    def region_text_logits(self, regions: np.ndarray, texts: np.ndarray) -> np.ndarray:
        """(N, D) regions × (M, D) texts → (N, M) calibrated logits: the sigmoid of a logit is
        the probability that the text describes the region."""
        ...


@runtime_checkable
class SentenceEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """N strings → (N, D) float32 sentence embeddings, L2-normalised."""
        ...


@runtime_checkable
class ColorNamer(Protocol):
    def measure(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """(N, 3) CIELAB colour of each (H, W) mask's pixels in `image` (NaN for an empty one)."""
        ...

    def name(self, lab: np.ndarray) -> str:
        """The basic colour term of a Lab colour (3,), or "unknown" for NaN."""
        ...

    def score(self, lab: np.ndarray, word: str) -> float:
        """How well a Lab colour (3,) fits a colour word, in (0, 1]; KeyError for a non-colour."""
        ...

    def references(self, word: str) -> list[np.ndarray]:
        """Lab colours (3,) a colour word may look like; KeyError for a non-colour."""
        ...


@dataclass(frozen=True)
class VisionStages:
    """The perception and grounding stages the agent is composed from.

    name: for logs ("tiny", "owlv2:PATH", "clip:PATH+depth"); trained_categories: the object
    categories the scorer was trained on (None: an open-vocabulary model, every category
    counts as known); metadata: the weights' own (tuned configs, training facts)."""

    name: str
    proposer: RegionProposer
    scorer: RegionScorer
    sentences: SentenceEncoder
    colors: ColorNamer
    trained_categories: frozenset[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for role, value, protocol in (
            ("proposer", self.proposer, RegionProposer),
            ("region scorer", self.scorer, RegionScorer),
            ("sentence encoder", self.sentences, SentenceEncoder),
            ("colour namer", self.colors, ColorNamer),
        ):
            if not isinstance(value, protocol):
                raise InputError(
                    f"{type(value).__name__} cannot serve as the {role}: it lacks the methods "
                    f"of {protocol.__name__}"
                )


def sigmoid(x: np.ndarray) -> np.ndarray:
    """A numerically safe logistic function (float64)."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -30, 30))))


def reuse_embeddings(scorer_name: str, proposals: Proposals) -> np.ndarray | None:
    """The proposals' own embeddings when they are in this scorer's space, else None."""
    if proposals.embeddings is not None and proposals.space == scorer_name:
        return proposals.embeddings
    return None
