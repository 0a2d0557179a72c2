"""Pure parts of the tiny model: colours, query parsing, crops, decoding, NMS, table plane."""

import numpy as np
import pytest
import torch

from vlmbot.boxes import box_iou, nms
from vlmbot.depth import estimate_table_plane
from vlmbot.eval.tiny_eval import average_precision, match_detections
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.lexicon.colors import LabColorNamer, find_color_words, lexicon, srgb_to_lab
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.processing import crop_tensor, decode_proposals, square_boxes
from vlmbot.models.tiny.queries import parse_query
from vlmbot.types import Camera


def test_lab_reference_values():
    np.testing.assert_allclose(srgb_to_lab(np.array([1.0, 1.0, 1.0])), [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(srgb_to_lab(np.array([0.0, 0.0, 0.0])), [0, 0, 0], atol=1e-6)
    red = srgb_to_lab(np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(red, [53.24, 80.09, 67.20], atol=0.1)


def test_lexicon_names_unseen_colour_words():
    assert len(lexicon()) > 900
    namer = LabColorNamer()
    crimson_object = srgb_to_lab(np.array([0.8, 0.08, 0.2]))
    teal_object = srgb_to_lab(np.array([0.0, 0.5, 0.5]))
    assert namer.score(crimson_object, "crimson") > namer.score(teal_object, "crimson")
    assert namer.score(teal_object, "teal") > namer.score(crimson_object, "teal")
    assert namer.name(srgb_to_lab(np.array([0.1, 0.2, 0.9]))) == "blue"
    with pytest.raises(KeyError):
        namer.reference("not-a-colour")


@pytest.mark.parametrize(
    ("query", "noun", "colors", "size"),
    [
        ("the small crimson block", "block", ("crimson",), "small"),
        ("red", "", ("red",), None),
        ("orange ball", "ball", ("orange",), None),
        ("something you can drink from", "something you can drink from", (), None),
        ("the big dark blue mug", "mug", ("dark blue",), "large"),
        ("a navy cube", "cube", ("navy",), None),
        ("the teddy bear", "teddy bear", (), None),
    ],
)
def test_parse_query(query, noun, colors, size):
    parsed = parse_query(query)
    assert (parsed.noun, parsed.colors, parsed.size) == (noun, colors, size)


def test_find_color_words_prefers_longest():
    assert [w for w, _, _ in find_color_words("a dark blue cup")] == ["dark blue"]


def test_crop_tensor_reads_the_right_pixels():
    config = TinyConfig(crop_margin=0.0, crop_size=8)
    image = torch.zeros(1, 3, 64, 64)
    image[:, :, 16:32, 40:56] = 1.0  # a bright square at x 40..56, y 16..32
    crops = crop_tensor(image, np.array([[40, 16, 56, 32], [0, 0, 16, 16]], np.float32), config)
    assert crops.shape == (2, 3, 8, 8)
    assert crops[0].mean() > 0.95 and crops[1].mean() < 0.05


def test_square_boxes():
    np.testing.assert_allclose(square_boxes(np.array([[0, 0, 10, 4]]), 0.0), [[0, -3, 10, 7]])


def test_decode_proposals_finds_a_peak_per_channel():
    config = TinyConfig()
    cells = config.image_size // config.detector_stride
    heat = torch.full((1, 2, cells, cells), -10.0)
    heat[0, 1, 10, 20] = 3.0  # a container ...
    heat[0, 0, 10, 20] = 2.0  # ... with an item at the same centre
    size = torch.zeros(1, 4, cells, cells)
    size[0, 2:4, 10, 20] = torch.log(torch.tensor([20 / 224, 10 / 224]))
    size[0, 0:2, 10, 20] = torch.log(torch.tensor([8 / 224, 8 / 224]))
    offset = torch.zeros(1, 4, cells, cells)
    boxes, scores, channels = decode_proposals(heat, size, offset, config)
    assert len(boxes) == 2 and np.all(scores > 0.8) and sorted(channels.tolist()) == [0, 1]
    cx, cy = (20 + 0.5) * 4, (10 + 0.5) * 4
    container = boxes[channels == 1][0]
    np.testing.assert_allclose(container, [cx - 10, cy - 5, cx + 10, cy + 5], atol=1e-3)
    np.testing.assert_allclose(boxes[channels == 0][0], [cx - 4, cy - 4, cx + 4, cy + 4], atol=1e-3)


def test_nms_and_iou():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
    assert box_iou(boxes[:1], boxes[:1])[0, 0] == pytest.approx(1.0)
    assert nms(boxes, np.array([0.9, 0.8, 0.7])).tolist() == [0, 2]


def test_average_precision():
    assert average_precision([(0.9, True), (0.8, True)], 2) == pytest.approx(1.0)
    assert average_precision([(0.9, False), (0.8, True)], 1) == pytest.approx(0.5)
    assert average_precision([], 3) == 0.0
    hits = match_detections(
        np.array([[0, 0, 10, 10], [0, 0, 10, 10]], np.float32),
        np.array([0.9, 0.5]),
        np.array([[0, 0, 10, 10]]),
    )
    assert hits == [(0.9, True), (0.5, False)]  # a box matches once


def test_table_plane_from_depth():
    camera = Camera(
        intrinsics_from_fov(64, 64, 60),
        look_at(np.array([0.3, 0.1, 0.8]), np.array([0.5, 0, 0])),
        64,
        64,
    )
    # Render a plane z = 0.02 analytically: intersect each pixel ray with it.
    v, u = np.mgrid[0:64, 0:64]
    rays = np.stack(
        [
            (u + 0.5 - camera.K[0, 2]) / camera.K[0, 0],
            (v + 0.5 - camera.K[1, 2]) / camera.K[1, 1],
            np.ones_like(u, float),
        ],
        -1,
    )
    world_dirs = rays @ camera.T_world_cam[:3, :3].T
    t = (0.02 - camera.position[2]) / world_dirs[..., 2]
    depth = t.astype(np.float32)  # depth along z equals t because rays have z = 1
    depth[20:30, 20:30] *= 0.9  # an object sticking up
    plane = estimate_table_plane(depth, camera, stride=2)
    assert plane is not None
    np.testing.assert_allclose(plane.normal, [0, 0, 1], atol=1e-3)
    assert plane.height(np.array([0.5, 0.0, 0.02])) == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(
    ("offsets", "borrowed"),
    [
        ((10.0, 30.0), ["blue"]),  # a shade of blue
        ((20.0, 21.0), ["blue", "purple"]),  # between the two: a shade of either
        ((40.0, 41.0), []),  # near neither
    ],
)
def test_a_colour_word_borrows_the_basic_terms_it_is_a_shade_of(offsets, borrowed):
    own = lexicon()["violet"]
    # Prototypes at the given Lab distances from the word's own colour, in different directions.
    prototypes = {
        "blue": own + np.array([0.0, offsets[0], 0.0]),
        "purple": own + np.array([0.0, 0.0, offsets[1]]),
        "red": own + np.array([0.0, 0.0, -80.0]),
    }
    namer = LabColorNamer(prototypes)
    refs = namer.references("violet")
    np.testing.assert_allclose(refs[0], own)
    names = {tuple(np.round(p, 6)): b for b, p in prototypes.items()}
    assert [names[tuple(np.round(r, 6))] for r in refs[1:]] == borrowed
    assert namer.references("blue") == [prototypes["blue"]]  # a basic term borrows nothing
