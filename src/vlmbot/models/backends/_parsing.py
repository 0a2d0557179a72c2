"""Pure parsers for generated text: PaliGemma `<locXXXX>` locations and answer clean-up.

No torch here; every function is table-tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from vlmbot.errors import InputError
from vlmbot.types import Detections

#: PaliGemma quantises each coordinate into this many bins.
LOC_BINS = 1024

_LOC = re.compile(r"<loc(\d{4})>")
_SEGMENT = re.compile(r"^\s*((?:<loc\d{4}>\s*)+)(.*)$", re.DOTALL)
_OTHER_LOC_LIKE = re.compile(r"<(?:loc|seg)\d+>")

#: Special tokens that tokenizers leave in decoded text when skip_special_tokens misses them.
SPECIAL_TOKENS = (
    "<pad>",
    "<eos>",
    "<bos>",
    "<s>",
    "</s>",
    "<unk>",
    "<image>",
    "<end_of_utterance>",
    "<fake_token_around_image>",
    "<global-img>",
    "<|endoftext|>",
    "<|startoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "[CLS]",
    "[SEP]",
    "[PAD]",
    "[DEC]",
    "[UNK]",
)

#: Role prefixes that chat-style models echo before the answer.
_ROLE_PREFIX = re.compile(r"^\s*(?:assistant|answer)\s*:\s*", re.IGNORECASE)


def parse_paligemma_locations(text: str, image_wh: tuple[int, int]) -> Detections:
    """PaliGemma detection / pointing output → Detections in pixels of an image_wh image.

    Objects are separated by ";". Four `<locXXXX>` tokens are a box y0, x0, y1, x1; two are a
    point y, x (a zero-size box, data["is_point"] True). Each coordinate is bin / 1024 of the
    image height or width. The text after the tokens is the label. Segments with another number
    of tokens, or none, are skipped. Scores are 1: the text carries no confidence.
    """
    width, height = image_wh
    if width <= 0 or height <= 0:
        raise InputError(f"image size must be positive, got {image_wh}")
    boxes: list[list[float]] = []
    labels: list[str] = []
    points: list[bool] = []
    for segment in text.split(";"):
        match = _SEGMENT.match(segment)
        if match is None:
            continue
        bins = [int(value) for value in _LOC.findall(match.group(1))]
        if len(bins) not in (2, 4) or any(b >= LOC_BINS for b in bins):
            continue
        ys = [b / LOC_BINS * height for b in bins[0::2]]
        xs = [b / LOC_BINS * width for b in bins[1::2]]
        boxes.append([min(xs), min(ys), max(xs), max(ys)])
        labels.append(clean_generated_text(_OTHER_LOC_LIKE.sub(" ", match.group(2))))
        points.append(len(bins) == 2)
    if not boxes:
        return Detections(
            np.zeros((0, 4)),
            np.zeros(0),
            np.zeros(0, dtype=str),
            data={"is_point": np.zeros(0, dtype=bool)},
        )
    return Detections(
        xyxy=np.asarray(boxes, dtype=np.float32),
        scores=np.ones(len(boxes), dtype=np.float32),
        labels=np.asarray(labels, dtype=str),
        data={"is_point": np.asarray(points, dtype=bool)},
    )


def clean_generated_text(
    text: str, prompt: str | None = None, special_tokens: Iterable[str] = SPECIAL_TOKENS
) -> str:
    """Decoded generation → the answer alone.

    Removes special tokens, a leading echo of the prompt (compared case- and
    whitespace-insensitively), a leading "Assistant:" / "Answer:", and collapses whitespace.
    """
    for token in special_tokens:
        text = text.replace(token, " ")
    text = " ".join(text.split())
    if prompt:
        text = strip_prompt_echo(text, prompt)
    return _ROLE_PREFIX.sub("", text).strip()


def strip_prompt_echo(text: str, prompt: str) -> str:
    """Drop `prompt` from the start of `text` if the text repeats it (ignoring case/spaces)."""
    words, prompt_words = text.split(), " ".join(prompt.split()).split()
    if prompt_words and [w.lower() for w in words[: len(prompt_words)]] == [
        w.lower() for w in prompt_words
    ]:
        return " ".join(words[len(prompt_words) :])
    return " ".join(words)
