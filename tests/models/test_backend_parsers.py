"""Table-driven tests of the pure parsers for generated text (PaliGemma locations, clean-up)."""

from __future__ import annotations

import numpy as np
import pytest

from vlmbot.errors import InputError
from vlmbot.models.backends._parsing import (
    clean_generated_text,
    parse_paligemma_locations,
    strip_prompt_echo,
)

# image_wh = (200, 100): x bins scale by 200/1024, y bins by 100/1024.
W, H = 200, 100
X, Y = W / 1024, H / 1024


@pytest.mark.parametrize(
    ("text", "boxes", "labels", "points"),
    [
        ("", [], [], []),
        ("no locations here", [], [], []),
        (
            "<loc0000><loc0000><loc1023><loc1023> table",
            [[0, 0, 1023 * X, 1023 * Y]],
            ["table"],
            [False],
        ),
        # y0, x0, y1, x1 order: the first pair is (y, x).
        (
            "<loc0100><loc0200><loc0300><loc0400> cup",
            [[200 * X, 100 * Y, 400 * X, 300 * Y]],
            ["cup"],
            [False],
        ),
        (
            "<loc0100><loc0200><loc0300><loc0400> cup ; <loc0512><loc0256><loc0768><loc0512> duck",
            [[200 * X, 100 * Y, 400 * X, 300 * Y], [256 * X, 512 * Y, 512 * X, 768 * Y]],
            ["cup", "duck"],
            [False, False],
        ),
        # A point: two tokens (y, x) → a zero-size box.
        ("<loc0512><loc0256> handle", [[256 * X, 512 * Y, 256 * X, 512 * Y]], ["handle"], [True]),
        # Mixed points and boxes, extra whitespace and special tokens around.
        (
            " <loc0010><loc0020> a ;<loc0100><loc0200><loc0300><loc0400>  red  mug <eos>",
            [[20 * X, 10 * Y, 20 * X, 10 * Y], [200 * X, 100 * Y, 400 * X, 300 * Y]],
            ["a", "red mug"],
            [True, False],
        ),
        # Reversed corners are put in order.
        (
            "<loc0300><loc0400><loc0100><loc0200> box",
            [[200 * X, 100 * Y, 400 * X, 300 * Y]],
            ["box"],
            [False],
        ),
        # Malformed segments (1 or 3 tokens, out-of-range bin) are skipped, others kept.
        (
            "<loc0100> a ; <loc0001><loc0002><loc0003> b ; <loc0100><loc0200><loc0300><loc0400> c",
            [[200 * X, 100 * Y, 400 * X, 300 * Y]],
            ["c"],
            [False],
        ),
        ("<loc2000><loc0000><loc0100><loc0100> far", [], [], []),
        # Text before the tokens is not a location.
        ("cup <loc0100><loc0200><loc0300><loc0400>", [], [], []),
        # Segmentation tokens after the box are dropped from the label.
        (
            "<loc0100><loc0200><loc0300><loc0400><seg012><seg099> cat",
            [[200 * X, 100 * Y, 400 * X, 300 * Y]],
            ["cat"],
            [False],
        ),
    ],
)
def test_parse_paligemma_locations(
    text: str, boxes: list[list[float]], labels: list[str], points: list[bool]
) -> None:
    found = parse_paligemma_locations(text, (W, H))
    assert found.xyxy.shape == (len(boxes), 4)
    np.testing.assert_allclose(found.xyxy, np.asarray(boxes).reshape(-1, 4), rtol=1e-5, atol=1e-4)
    assert found.labels.tolist() == labels
    assert found.data["is_point"].tolist() == points
    assert np.all(found.scores == 1.0)
    assert np.all((found.xyxy[:, 0::2] >= 0) & (found.xyxy[:, 0::2] <= W))
    assert np.all((found.xyxy[:, 1::2] >= 0) & (found.xyxy[:, 1::2] <= H))


def test_parse_paligemma_locations_rejects_empty_image() -> None:
    with pytest.raises(InputError, match="positive"):
        parse_paligemma_locations("<loc0000><loc0000>", (0, 10))


@pytest.mark.parametrize(
    ("text", "prompt", "expected"),
    [
        ("a cat on a mat", None, "a cat on a mat"),
        ("  a   cat\n on a mat  ", None, "a cat on a mat"),
        ("a cat<eos><pad><pad>", None, "a cat"),
        ("[CLS] a cat [SEP] [PAD]", None, "a cat"),
        ("<bos>caption en\na red mug", "caption en", "a red mug"),
        ("Caption EN a red mug", "caption en", "a red mug"),
        ("a photo of a duck", "a photo of", "a duck"),
        # The prompt is stripped only at the start.
        ("a duck and a photo of", "a photo of", "a duck and a photo of"),
        ("Assistant: two mugs.<end_of_utterance>", None, "two mugs."),
        ("answer: yes", None, "yes"),
        ("answer en how many? 2", "answer en how many?", "2"),
        ("<pad><eos>", None, ""),
        ("", "caption en", ""),
    ],
)
def test_clean_generated_text(text: str, prompt: str | None, expected: str) -> None:
    assert clean_generated_text(text, prompt) == expected


@pytest.mark.parametrize(
    ("text", "prompt", "expected"),
    [
        ("what is it? a mug", "what is it?", "a mug"),
        ("what is it? a mug", "What  is it?", "a mug"),
        ("what a mug", "what is it?", "what a mug"),
        ("short", "a much longer prompt", "short"),
        ("same", "same", ""),
    ],
)
def test_strip_prompt_echo(text: str, prompt: str, expected: str) -> None:
    assert strip_prompt_echo(text, prompt) == expected
