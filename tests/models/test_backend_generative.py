"""BLIP, Idefics and PaliGemma backends on tiny random checkpoints (their text is random:
these tests check the plumbing, prompts, shapes and clean-up, not the words)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from vlmbot.errors import InputError
from vlmbot.models.backends.paligemma import parse_paligemma_locations
from vlmbot.types import Camera

Model = Callable[[str, str], Any]


def _special_free(text: str) -> bool:
    return not any(t in text for t in ("[SEP]", "[CLS]", "[PAD]", "<pad>", "<eos>", "<image>"))


def test_blip_tasks_follow_the_checkpoint(tiny_model: Model) -> None:
    assert tiny_model("blip", "blip-caption").tasks == {"caption"}
    assert tiny_model("blip", "blip-vqa").tasks == {"vqa"}
    assert tiny_model("blip", "blip-itm").tasks == {"match"}


def test_blip_caption_and_answer_are_clean_text(tiny_model: Model, rgb: np.ndarray) -> None:
    caption = tiny_model("blip", "blip-caption").caption(rgb)
    answer = tiny_model("blip", "blip-vqa").answer(rgb, "what is on the table?")
    for text in (caption, answer):
        assert isinstance(text, str) and text == text.strip() and _special_free(text)
    assert caption  # a random decoder writes some words before it stops
    # Deterministic decoding: the same image gives the same caption.
    assert tiny_model("blip", "blip-caption").caption(rgb) == caption


def test_blip_prompted_caption_drops_the_prompt(tiny_model: Model, rgb: np.ndarray) -> None:
    captioner = tiny_model("blip", "blip-caption")
    caption = captioner.caption(rgb, prompt="a photo of")
    assert not caption.lower().startswith("a photo of")


def test_blip_match_is_a_probability_per_pair(tiny_model: Model, rgb: np.ndarray) -> None:
    matcher = tiny_model("blip", "blip-itm")
    texts = ["a red mug", "a duck", "two blue cubes on a table"]
    scores = matcher.match([rgb, rgb[::-1].copy()], texts)
    assert scores.shape == (2, 3) and scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1))
    assert len(np.unique(scores.round(7))) > 1
    single = matcher.match([rgb], [texts[1]])
    assert single[0, 0] == pytest.approx(scores[0, 1], abs=1e-5)


@pytest.mark.parametrize(
    ("checkpoint", "call", "message"),
    [
        ("blip-caption", lambda m, im: m.answer(im, "what?"), "not a VQA checkpoint"),
        ("blip-vqa", lambda m, im: m.caption(im), "not a captioning checkpoint"),
        ("blip-itm", lambda m, im: m.caption(im), "not a captioning checkpoint"),
        ("blip-caption", lambda m, im: m.match([im], ["x"]), "not a image-text matching"),
        (
            "blip-vqa",
            lambda m, im: m.answer(im, "q", examples=[(im, "q", "a")]),
            "in-context examples",
        ),
        ("blip-vqa", lambda m, im: m.answer(im, "  "), "empty question"),
    ],
)
def test_blip_refuses_what_its_checkpoint_cannot_do(
    tiny_model: Model, rgb: np.ndarray, checkpoint: str, call: Callable[..., Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        call(tiny_model("blip", checkpoint), rgb)


@pytest.mark.parametrize("name", ["idefics3", "idefics2"])
def test_idefics_caption_and_answer(tiny_model: Model, rgb: np.ndarray, name: str) -> None:
    model = tiny_model("idefics", name)
    assert model.tasks == {"caption", "vqa"}
    for text in (model.caption(rgb), model.answer(rgb, "how many mugs?")):
        assert isinstance(text, str) and text == text.strip() and _special_free(text)


@pytest.mark.parametrize("name", ["idefics3", "idefics2"])
def test_idefics_few_shot_prompt_interleaves_every_image(
    tiny_model: Model, rgb: np.ndarray, name: str
) -> None:
    model = tiny_model("idefics", name)
    image_token = model.processor.tokenizer.convert_tokens_to_ids("<image>")
    shots = [(rgb[::-1].copy(), "what colour?", "red"), (rgb[:, ::-1].copy(), "how many?", "two")]
    zero_shot = model.prepare("what is it?", [rgb])
    few_shot = model.prepare("what is it?", [shot[0] for shot in shots] + [rgb], shots)
    per_image = int((zero_shot["input_ids"] == image_token).sum())
    assert per_image == 4  # image_seq_len of the tiny checkpoint
    assert int((few_shot["input_ids"] == image_token).sum()) == 3 * per_image
    assert few_shot["pixel_values"].shape[1] == 3
    text = model.processor.decode(few_shot["input_ids"][0])
    order = [
        text.index(part) for part in ("what colour?", "red", "how many?", "two", "what is it?")
    ]
    assert order == sorted(order) and text.rstrip().endswith("Assistant:")
    answer = model.answer(rgb, "what is it?", examples=shots)
    assert isinstance(answer, str) and _special_free(answer)


def test_idefics_rejects_bad_examples(tiny_model: Model, rgb: np.ndarray) -> None:
    model = tiny_model("idefics", "idefics3")
    with pytest.raises(InputError, match="example image"):
        model.answer(rgb, "what?", examples=[(np.zeros((4, 4)), "q", "a")])
    with pytest.raises(InputError, match="example text"):
        model.answer(rgb, "what?", examples=[(rgb, "q", "")])


def test_paligemma_caption_and_answer(tiny_model: Model, rgb: np.ndarray) -> None:
    model = tiny_model("paligemma", "paligemma")
    assert model.tasks == {"caption", "vqa", "detect"}
    for text in (model.caption(rgb), model.answer(rgb, "what is it?")):
        assert isinstance(text, str) and text == text.strip() and _special_free(text)
    with pytest.raises(InputError, match="in-context"):
        model.answer(rgb, "what?", examples=[(rgb, "q", "a")])


def test_paligemma_generate_uses_task_prompts(
    tiny_model: Model, rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tiny_model("paligemma", "paligemma")
    prompts: list[str] = []
    reply = "<loc0100><loc0200><loc0300><loc0400> mug ; <loc0512><loc0512> duck<eos>"

    def fake_generate(
        images: list[np.ndarray], prompt: str, max_new_tokens: int | None = None
    ) -> list[str]:
        prompts.append(prompt)
        return [reply] * len(images)

    monkeypatch.setattr(model, "generate_batch", fake_generate)
    K = np.array([[60.0, 0, 32], [0, 60.0, 24], [0, 0, 1]])
    camera = Camera(K=K, T_world_cam=np.eye(4), width=64, height=48)
    depth = np.full((48, 64), 0.8, dtype=np.float32)
    found = model.detect(rgb, ["mug", "duck"], depth=depth, camera=camera)
    assert prompts == ["detect mug ; duck"]
    # The point (duck) is not a box: detect keeps boxes only, in pixels of the 64x48 image.
    assert found.labels.tolist() == ["mug"]
    np.testing.assert_allclose(
        found.xyxy[0], [200 / 16, 100 * 48 / 1024, 400 / 16, 300 * 48 / 1024]
    )
    assert found.positions is not None
    np.testing.assert_allclose(found.positions[0, 2], 0.8, atol=1e-4)
    points = model.locate(rgb, "point to duck")
    assert points.data["is_point"].tolist() == [False, True]
    model.caption(rgb)
    assert prompts[-1] == "caption en"
    model.answer(rgb, "how many?")
    assert prompts[-1] == "answer en how many?"
    with pytest.raises(InputError, match=";"):
        model.detect(rgb, ["a ; b"])


def test_paligemma_real_detect_parses_what_the_model_wrote(
    tiny_model: Model, rgb: np.ndarray
) -> None:
    model = tiny_model("paligemma", "paligemma")
    queries = model.encode_queries(["mug"])
    assert queries.embeddings.shape == (1, 0) and queries.texts == ("mug",)
    written = parse_paligemma_locations(model.generate(rgb, "detect mug"), (64, 48))
    if len(written):
        written = written[~written.data["is_point"] & (written.labels == "mug")]
    found = model.detect(rgb, queries, threshold=0.0)
    kept = (written.xyxy[:, 2] > written.xyxy[:, 0]) & (written.xyxy[:, 3] > written.xyxy[:, 1])
    np.testing.assert_allclose(found.xyxy, written.xyxy[kept])
    assert set(found.labels.tolist()) <= {"mug"}


@pytest.mark.parametrize(("family", "name"), [("blip", "blip-caption"), ("paligemma", "paligemma")])
def test_caption_batch_equals_single_captions(
    tiny_model: Model, rgb: np.ndarray, family: str, name: str
) -> None:
    model = tiny_model(family, name)
    images = [rgb, rgb[::-1].copy(), np.ascontiguousarray(rgb[:, :30])]
    assert model.caption_batch(images) == [model.caption(image) for image in images]


def test_generate_kwargs_fix_the_output_length(tiny_model: Model, rgb: np.ndarray) -> None:
    model = tiny_model("paligemma", "paligemma")
    tokenizer = model.processor.tokenizer
    model.generate_kwargs = {"min_new_tokens": 6, "max_new_tokens": 6}
    try:
        text = model.generate(rgb, "caption en")
    finally:
        model.generate_kwargs = {}
    assert len(tokenizer(text, add_special_tokens=False)["input_ids"]) >= 6
