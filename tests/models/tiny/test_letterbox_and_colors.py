"""vlmbot-tiny reads any frame letterboxed (aspect kept, never enlarged) and maps boxes back;
its colour head sees the object's pixels and the frame."""

import numpy as np
import pytest
import torch

from vlmbot.models.tiny.color_head import (
    FEATURES,
    ColorHead,
    LearnedColorNamer,
    color_features,
    frame_context,
)
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.processing import image_tensor, letterbox_size


@pytest.mark.parametrize(
    ("hw", "scale", "input_hw"),
    [((224, 224), 1.0, (224, 224)), ((480, 640), 0.5, (256, 320)), ((720, 1280), 0.25, (192, 320)),
     ((240, 320), 1.0, (256, 320)), ((100, 50), 1.0, (128, 64))],
)  # fmt: skip
def test_letterbox_keeps_the_aspect_and_pads_to_32(hw, scale, input_hw):
    config = TinyConfig()
    s, h, w = letterbox_size(*hw, config.input_long_side)
    assert s == pytest.approx(scale) and (h, w) == (round(hw[0] * s), round(hw[1] * s))
    tensor, transform = image_tensor(np.zeros((*hw, 3), np.uint8), config)
    assert tuple(tensor.shape[2:]) == input_hw
    box = np.array([[10.0, 20.0, 30.0, 40.0]])
    np.testing.assert_allclose(transform.to_original(transform.to_input(box)), box, atol=1e-4)


def test_the_padding_is_black_at_the_far_edges():
    image = np.full((240, 300, 3), 200, np.uint8)
    tensor, _ = image_tensor(image, TinyConfig())
    assert tensor.shape[2:] == (256, 320)
    assert torch.allclose(tensor[0, :, 250, 310], tensor[0, :, 255, 319])  # padding
    assert not torch.allclose(tensor[0, :, 10, 10], tensor[0, :, 255, 319])  # image


def test_random_tiny_proposes_inside_a_wide_frame(random_tiny):
    image = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    proposals = random_tiny.propose(image)
    assert len(proposals) > 0
    assert np.all(proposals.xyxy[:, 2] <= 640) and np.all(proposals.xyxy[:, 3] <= 480)
    assert proposals.masks.shape == (len(proposals), 480, 640)


def test_colour_features_and_the_learned_namer():
    image = np.zeros((40, 40, 3), np.uint8)
    image[:, :20] = (200, 30, 30)
    masks = np.zeros((2, 40, 40), bool)
    masks[0, 5:15, 2:12] = True
    features = color_features(image, masks)
    assert features.shape == (2, FEATURES) and np.isfinite(features).all()
    np.testing.assert_allclose(features[0, 9:], frame_context(image), rtol=1e-5)
    torch.manual_seed(0)
    namer = LearnedColorNamer(ColorHead())
    lab = namer.measure(image, masks)
    assert np.isfinite(lab[0]).all() and np.isnan(lab[1]).all()  # the empty mask has none
