"""PaliGemma (PaLI-style): captioning, VQA, and detection / pointing parsed from `<locXXXX>`
tokens. Prompts follow PaliGemma's task syntax: "caption en", "answer en QUESTION",
"detect OBJECT ; OBJECT".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from vlmbot.depth import check_depth
from vlmbot.errors import InputError
from vlmbot.models.backends._boxes import finish_detections
from vlmbot.models.backends._hf import (
    HFModel,
    batched,
    check_image,
    check_texts,
    load_model_and_processor,
    to_pil,
)
from vlmbot.models.backends._parsing import clean_generated_text, parse_paligemma_locations
from vlmbot.models.base import QueryEmbeddings
from vlmbot.models.family import ModelOptions
from vlmbot.types import Camera, Detections

__all__ = ["PaliGemma", "load_paligemma", "parse_paligemma_locations"]


class PaliGemma(HFModel):
    """Captioning, VQA and text-prompted detection with a PaliGemma checkpoint.

    Detection scores are 1: PaliGemma writes boxes as text with no confidence.
    """

    language = "en"
    max_new_tokens = 64

    def generate(self, image: np.ndarray, prompt: str, max_new_tokens: int | None = None) -> str:
        """Raw decoded output for one prompt (special tokens kept, so <loc> tokens survive)."""
        return self.generate_batch([image], prompt, max_new_tokens)[0]

    @torch.inference_mode()
    def generate_batch(
        self, images: Sequence[np.ndarray], prompt: str, max_new_tokens: int | None = None
    ) -> list[str]:
        """`generate` for many images with one prompt, batch_size images per call."""
        if len(images) == 0:
            raise InputError("give at least one image")
        outputs: list[str] = []
        for chunk in batched([to_pil(image) for image in images], self.batch_size):
            with warnings.catch_warnings():  # the processor's numpy-2 copy= deprecation
                warnings.simplefilter("ignore", DeprecationWarning)
                inputs = self._inputs(images=list(chunk), text=["<image>" + prompt] * len(chunk))
            inputs.pop("labels", None)  # the processor adds training labels; generation needs none
            ids = self._generate_ids(inputs, max_new_tokens or self.max_new_tokens)
            new_tokens = ids[:, inputs["input_ids"].shape[1] :]
            outputs.extend(str(self.processor.decode(row)) for row in new_tokens)
        return outputs

    def caption(self, image: np.ndarray, prompt: str | None = None) -> str:
        """A short caption (prompt default: "caption en")."""
        return self.caption_batch([check_image(image)], prompt)[0]

    def caption_batch(self, images: Sequence[np.ndarray], prompt: str | None = None) -> list[str]:
        """Captions of many images (one prompt for all)."""
        prompt = prompt or f"caption {self.language}"
        return [clean_generated_text(t, prompt) for t in self.generate_batch(images, prompt)]

    def answer(
        self,
        image: np.ndarray,
        question: str,
        examples: Sequence[tuple[np.ndarray, str, str]] = (),
    ) -> str:
        """A short answer ("answer en QUESTION"). PaliGemma takes no in-context examples."""
        if examples:
            raise InputError(f"{self.name} cannot use in-context examples; try an idefics model")
        question = check_texts([question], "question")[0]
        prompt = f"answer {self.language} {question}"
        return clean_generated_text(self.generate(check_image(image), prompt), prompt)

    def encode_queries(self, queries: Sequence[str]) -> QueryEmbeddings:
        """PaliGemma reads the queries in its prompt, so there is nothing to cache: the
        embeddings are (N, 0) and the texts are reused."""
        texts = check_texts(queries, "query")
        return QueryEmbeddings(tuple(texts), np.zeros((len(texts), 0), np.float32), self.name)

    def locate(self, image: np.ndarray, prompt: str) -> Detections:
        """Run any prompt whose answer is `<loc>` tokens (detect, or pointing fine-tunes) and
        parse it into Detections in pixels of `image`."""
        image = check_image(image)
        text = self.generate(image, prompt)
        return parse_paligemma_locations(text, (image.shape[1], image.shape[0]))

    def detect(
        self,
        image: np.ndarray,
        queries: Sequence[str] | QueryEmbeddings,
        threshold: float = 0.1,
        depth: np.ndarray | None = None,
        camera: Camera | None = None,
    ) -> Detections:
        """Boxes for the queries ("detect A ; B"), labels = the query each answers: the model
        writes a label after each box; boxes whose label is none of the queries are dropped."""
        image = check_image(image)
        check_depth(depth, camera, image.shape[:2])
        texts = queries.texts if isinstance(queries, QueryEmbeddings) else check_texts(queries)
        if any(";" in text for text in texts):
            raise InputError("PaliGemma queries cannot contain ';' (it separates objects)")
        found = self.locate(image, "detect " + " ; ".join(texts))
        found = found[~found.data["is_point"]] if len(found) else found
        if len(found):
            asked = {" ".join(text.lower().split()): text for text in texts}
            written = [" ".join(str(label).lower().split()) for label in found.labels]
            keep = np.array([label in asked for label in written], dtype=bool)
            found = found[keep]
            found = replace(
                found,
                labels=np.array(
                    [asked[w] for w, k in zip(written, keep, strict=True) if k], dtype=str
                ),
            )
        return finish_detections(
            found.xyxy,
            found.scores,
            found.labels,
            (image.shape[1], image.shape[0]),
            threshold,
            None,
            depth,
            camera,
        )


def load_paligemma(source: str, options: ModelOptions) -> PaliGemma:
    """A PaliGemma / PaliGemma 2 checkpoint (hub id or save_pretrained folder)."""
    import transformers

    model, processor, device = load_model_and_processor(
        "paligemma", source, options, transformers.PaliGemmaForConditionalGeneration
    )
    return PaliGemma(
        f"paligemma:{source}",
        frozenset({"caption", "vqa", "detect"}),
        model,
        processor,
        device,
        options.batch_size,
    )
