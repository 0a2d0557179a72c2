"""BLIP: captioning, visual question answering and image-text matching.

Each BLIP checkpoint is trained for one of these; the loader reads which from the checkpoint's
architecture (e.g. Salesforce/blip-image-captioning-base → caption, blip-vqa-base → vqa,
blip-itm-base-coco → match) and the model's `tasks` say so.
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
    load_model_and_processor,
    load_pretrained,
    to_numpy,
    to_pil,
)
from vlmbot.models.backends._parsing import clean_generated_text
from vlmbot.models.family import ModelOptions

#: architecture → (transformers class, tasks).
ARCHITECTURES = {
    "BlipForConditionalGeneration": frozenset({"caption"}),
    "BlipForQuestionAnswering": frozenset({"vqa"}),
    "BlipForImageTextRetrieval": frozenset({"match"}),
}


class Blip(HFModel):
    """A BLIP checkpoint; which of caption / answer / match work is in `tasks`."""

    max_caption_tokens = 30
    max_answer_tokens = 10

    def _require(self, task: str) -> None:
        if task not in self.tasks:
            families = {"caption": "captioning", "vqa": "VQA", "match": "image-text matching"}
            raise InputError(
                f"{self.name} is not a {families[task]} checkpoint (it does "
                f"{', '.join(sorted(self.tasks))}); see `vlmbot models` for blip ids that do"
            )

    def caption(self, image: np.ndarray, prompt: str | None = None) -> str:
        """A short caption; an optional prompt ("a photo of") is continued, then stripped."""
        return self.caption_batch([image], prompt)[0]

    @torch.inference_mode()
    def caption_batch(self, images: Sequence[np.ndarray], prompt: str | None = None) -> list[str]:
        """Captions of many images, batch_size per generate call."""
        self._require("caption")
        if len(images) == 0:
            raise InputError("give at least one image")
        captions: list[str] = []
        for chunk in batched([to_pil(image) for image in images], self.batch_size):
            kwargs: dict[str, Any] = {"images": list(chunk)}
            if prompt:
                kwargs["text"] = [prompt] * len(chunk)
            ids = self._generate_ids(self._inputs(**kwargs), self.max_caption_tokens)
            texts = self.processor.batch_decode(ids, skip_special_tokens=True)
            captions.extend(clean_generated_text(text, prompt) for text in texts)
        return captions

    @torch.inference_mode()
    def answer(
        self,
        image: np.ndarray,
        question: str,
        examples: Sequence[tuple[np.ndarray, str, str]] = (),
    ) -> str:
        """A short answer. BLIP takes no in-context examples (use an idefics model for that)."""
        self._require("vqa")
        if examples:
            raise InputError(f"{self.name} cannot use in-context examples; try an idefics model")
        question = check_texts([question], "question")[0]
        inputs = self._inputs(images=to_pil(image), text=question)
        ids = self._generate_ids(inputs, self.max_answer_tokens)
        return clean_generated_text(self.processor.decode(ids[0], skip_special_tokens=True))

    @torch.inference_mode()
    def match(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N images, M texts) → (N, M) ITM-head probability that each text fits each image.

        The vision tower runs once per image; the text encoder cross-attends to it per text.
        """
        self._require("match")
        items = check_texts(texts)
        if len(images) == 0:
            raise InputError("give at least one image")
        tokens = self._inputs(self.processor.tokenizer, text=items, padding=True, truncation=True)
        scores = np.zeros((len(images), len(items)), dtype=np.float32)
        for row, image in enumerate(images):
            pixels = self._inputs(self.processor.image_processor, images=to_pil(image))
            image_embeds = self.model.vision_model(pixel_values=pixels["pixel_values"])[0]
            image_embeds = image_embeds.expand(len(items), -1, -1)
            image_mask = torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=self.device)
            hidden = self.model.text_encoder(
                input_ids=tokens["input_ids"],
                attention_mask=tokens["attention_mask"],
                encoder_hidden_states=image_embeds,
                encoder_attention_mask=image_mask,
            ).last_hidden_state
            logits = self.model.itm_head(hidden[:, 0, :])
            scores[row] = to_numpy(torch.softmax(logits.float(), dim=-1)[:, 1])
        return scores


def load_blip(source: str, options: ModelOptions) -> Blip:
    """A BLIP checkpoint; its `architectures` entry picks the model class and tasks."""
    import transformers

    (config,) = load_pretrained("blip", source, (transformers.AutoConfig,))
    architecture = next((a for a in config.architectures or () if a in ARCHITECTURES), None)
    if config.model_type != "blip" or architecture is None:
        raise InputError(
            f"{source} is not a BLIP captioning, VQA or retrieval checkpoint "
            f"(model type {config.model_type}, architectures {config.architectures})"
        )
    model, processor, device = load_model_and_processor(
        "blip", source, options, getattr(transformers, architecture)
    )
    return Blip(
        f"blip:{source}", ARCHITECTURES[architecture], model, processor, device, options.batch_size
    )
