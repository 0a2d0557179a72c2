"""Interleaved image-text chat models (Flamingo-style: Idefics2, Idefics3, SmolVLM) through
`AutoModelForImageTextToText`: captioning and VQA, with few-shot in-context examples.

A few-shot query is one conversation: for each example a user turn (image + question) and an
assistant turn (its answer), then the user turn with the query image and question.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from vlmbot.models.backends._hf import (
    HFModel,
    check_image,
    check_texts,
    load_model_and_processor,
    to_pil,
)
from vlmbot.models.backends._parsing import clean_generated_text
from vlmbot.models.family import ModelOptions

Shot = tuple[np.ndarray, str, str]

DEFAULT_CAPTION_PROMPT = "Describe this image in one sentence."


def build_messages(question: str, examples: Sequence[Shot] = ()) -> list[dict[str, Any]]:
    """Chat messages for a question with optional (image, question, answer) shots before it.

    Images are placeholders ({"type": "image"}); pass the images in the same order.
    """
    messages: list[dict[str, Any]] = []
    for _, shot_question, shot_answer in examples:
        messages.append(_user_turn(shot_question))
        messages.append({"role": "assistant", "content": [{"type": "text", "text": shot_answer}]})
    messages.append(_user_turn(question))
    return messages


def _user_turn(question: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}


def plain_prompt(messages: Sequence[dict[str, Any]]) -> str:
    """The Idefics chat format, for processors that ship without a chat template."""
    lines = []
    for message in messages:
        parts = "".join(
            "<image>" if part["type"] == "image" else part["text"] for part in message["content"]
        )
        lines.append(f"{message['role'].capitalize()}: {parts}<end_of_utterance>\n")
    return "".join(lines) + "Assistant:"


class InterleavedVLM(HFModel):
    """Captioning and (few-shot) VQA with an interleaved image-text model."""

    max_caption_tokens = 40
    max_answer_tokens = 20

    def _prompt(self, messages: list[dict[str, Any]]) -> str:
        if getattr(self.processor, "chat_template", None):
            return str(self.processor.apply_chat_template(messages, add_generation_prompt=True))
        return plain_prompt(messages)

    def prepare(
        self, question: str, images: Sequence[np.ndarray], examples: Sequence[Shot] = ()
    ) -> dict[str, Any]:
        """Model inputs for a question; images: the shots' images then the query image."""
        prompt = self._prompt(build_messages(question, examples))
        return self._inputs(text=[prompt], images=[[to_pil(image) for image in images]])

    @torch.inference_mode()
    def _generate(
        self, question: str, images: list[np.ndarray], examples: Sequence[Shot], max_new_tokens: int
    ) -> str:
        inputs = self.prepare(question, images, examples)
        ids = self._generate_ids(inputs, max_new_tokens)
        new_tokens = ids[0, inputs["input_ids"].shape[1] :]
        return clean_generated_text(self.processor.decode(new_tokens, skip_special_tokens=True))

    def caption(self, image: np.ndarray, prompt: str | None = None) -> str:
        """A one-sentence description (prompt: the instruction, default DEFAULT_CAPTION_PROMPT)."""
        instruction = prompt or DEFAULT_CAPTION_PROMPT
        return self._generate(instruction, [check_image(image)], (), self.max_caption_tokens)

    def answer(
        self,
        image: np.ndarray,
        question: str,
        examples: Sequence[Shot] = (),
    ) -> str:
        """A short answer; examples are (image, question, answer) shots shown first."""
        question = check_texts([question], "question")[0]
        shots: list[Shot] = []
        for shot_image, shot_question, shot_answer in examples:
            texts = check_texts([shot_question, shot_answer], "example text")
            shots.append((check_image(shot_image, "example image"), texts[0], texts[1]))
        images = [image for image, _, _ in shots] + [check_image(image)]
        return self._generate(question, images, shots, self.max_answer_tokens)


def load_idefics(source: str, options: ModelOptions) -> InterleavedVLM:
    """An Idefics2 / Idefics3 / SmolVLM checkpoint (AutoModelForImageTextToText)."""
    import transformers

    model, processor, device = load_model_and_processor(
        "idefics", source, options, transformers.AutoModelForImageTextToText
    )
    return InterleavedVLM(
        f"idefics:{source}",
        frozenset({"caption", "vqa"}),
        model,
        processor,
        device,
        options.batch_size,
    )
