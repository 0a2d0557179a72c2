"""Vision-language models: the embedded vlmbot-tiny and real checkpoints via transformers."""

from vlmbot.models.base import (
    Captioner,
    Classification,
    Detector,
    ImageEncoder,
    ImageTextMatcher,
    QueryEmbeddings,
    TextEncoder,
    VisionLanguageModel,
    VisualQuestionAnswerer,
    ZeroShotClassifier,
)
from vlmbot.models.registry import ModelFamily, ModelOptions, families, load_model

__all__ = [
    "Captioner",
    "Classification",
    "Detector",
    "ImageEncoder",
    "ImageTextMatcher",
    "ModelFamily",
    "ModelOptions",
    "QueryEmbeddings",
    "TextEncoder",
    "VisionLanguageModel",
    "VisualQuestionAnswerer",
    "ZeroShotClassifier",
    "families",
    "load_model",
]
