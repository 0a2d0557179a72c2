"""Interfaces every vision-language model implements (typing.Protocol: no inheritance needed).

Images are (H, W, 3) uint8 RGB numpy arrays; embeddings are float32 numpy arrays, L2-normalised
along the last axis; boxes are pixels, xyxy, top-left origin. No torch in these signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from vlmbot.types import Camera, Detections

#: Task names a model may declare in `tasks`.
TASKS = ("encode_text", "encode_image", "match", "classify", "detect", "caption", "vqa")


@dataclass(frozen=True)
class QueryEmbeddings:
    """Text queries encoded once by a model and reused on every frame.

    texts: the N query strings; embeddings: (N, D) float32 in that model's space;
    model: the name of the model that made them (a detector refuses another model's).
    """

    texts: tuple[str, ...]
    embeddings: np.ndarray
    model: str

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class Classification:
    """Zero-shot classification of N images over L labels. probs: (N, L), rows sum to 1."""

    labels: tuple[str, ...]
    probs: np.ndarray

    @property
    def top(self) -> list[str]:
        """The best label per image."""
        return [self.labels[int(i)] for i in np.argmax(self.probs, axis=1)]


@runtime_checkable
class VisionLanguageModel(Protocol):
    """What every model has: a name and the tasks it supports (a subset of TASKS)."""

    name: str
    tasks: frozenset[str]


@runtime_checkable
class TextEncoder(Protocol):
    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """N strings → (N, D) float32, L2-normalised."""
        ...


@runtime_checkable
class ImageEncoder(Protocol):
    def encode_image(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """N RGB images (H, W, 3) uint8 → (N, D) float32, L2-normalised."""
        ...


@runtime_checkable
class ImageTextMatcher(Protocol):
    def match(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N images, M texts) → (N, M) float32 match scores in [0, 1]."""
        ...


@runtime_checkable
class ZeroShotClassifier(Protocol):
    def classify(self, images: Sequence[np.ndarray], labels: Sequence[str]) -> Classification:
        """Each image (a whole frame or a crop) against the labels."""
        ...


@runtime_checkable
class Detector(Protocol):
    def encode_queries(self, queries: Sequence[str]) -> QueryEmbeddings:
        """Encode text queries once; pass the result to `detect` on every frame."""
        ...

    def detect(
        self,
        image: np.ndarray,
        queries: Sequence[str] | QueryEmbeddings,
        threshold: float = 0.1,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
    ) -> Detections:
        """Open-vocabulary detection in one (H, W, 3) uint8 image.

        Returns boxes with labels = the query each answers, scores in [0, 1], best first.
        With depth (H, W) metres and its camera, positions/extents are world-frame metres.
        """
        ...


@runtime_checkable
class Captioner(Protocol):
    def caption(self, image: np.ndarray, prompt: str | None = None) -> str:
        """A one-sentence description of the image."""
        ...


@runtime_checkable
class VisualQuestionAnswerer(Protocol):
    def answer(
        self,
        image: np.ndarray,
        question: str,
        examples: Sequence[tuple[np.ndarray, str, str]] = (),
    ) -> str:
        """A short answer; examples are optional (image, question, answer) in-context shots."""
        ...
