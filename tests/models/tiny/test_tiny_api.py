"""The tiny model's API on random weights: shapes, ranges, contracts, errors."""

import numpy as np
import pytest

from vlmbot.errors import InputError, ModelNotAvailableError
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.models.base import Detector, ImageEncoder, TextEncoder, ZeroShotClassifier
from vlmbot.models.registry import load_model
from vlmbot.types import Camera


def scene_image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.full((224, 224, 3), 150, np.uint8)
    for _ in range(4):
        x, y = rng.integers(20, 180, 2)
        image[y : y + 25, x : x + 25] = rng.integers(0, 255, 3)
    return image


def test_protocols(random_tiny):
    for protocol in (TextEncoder, ImageEncoder, ZeroShotClassifier, Detector):
        assert isinstance(random_tiny, protocol)
    assert random_tiny.tasks <= {"encode_text", "encode_image", "match", "classify", "detect"}


def test_text_and_image_embeddings(random_tiny):
    text = random_tiny.encode_text(["a red block", "a mug", "a red block"])
    assert text.shape == (3, random_tiny.config.embed_dim) and text.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(text[0], text[2])
    images = random_tiny.encode_image([scene_image(0), scene_image(1)[:100, :150]])
    assert images.shape == (2, random_tiny.config.embed_dim)
    batch = random_tiny.encode_image([scene_image(0)])
    np.testing.assert_allclose(batch[0], images[0], atol=1e-5)


def test_match_and_classify(random_tiny):
    scores = random_tiny.match([scene_image()], ["a block", "a duck"])
    assert scores.shape == (1, 2) and np.all((scores >= 0) & (scores <= 1))
    result = random_tiny.classify([scene_image(), scene_image(2)], ["block", "duck", "mug"])
    assert result.probs.shape == (2, 3)
    np.testing.assert_allclose(result.probs.sum(axis=1), 1, atol=1e-5)
    assert set(result.top) <= {"block", "duck", "mug"}


def test_detect_contract(random_tiny):
    image = scene_image()
    found = random_tiny.detect(image, ["red block", "mug"], threshold=0.0)
    assert len(found) > 0
    assert set(found.labels) <= {"red block", "mug"}
    assert np.all(found.xyxy[:, :2] >= 0) and np.all(found.xyxy[:, 2] <= 224)
    assert np.all((found.scores >= 0) & (found.scores <= 1))
    for query in ("red block", "mug"):
        scores = found.scores[found.labels == query]
        assert np.all(np.diff(scores) <= 0)  # best first per query
    cached = random_tiny.encode_queries(["red block", "mug"])
    again = random_tiny.detect(image, cached, threshold=0.0)
    np.testing.assert_allclose(np.sort(again.scores), np.sort(found.scores), atol=1e-6)
    cut = float(np.median(found.scores))
    high = random_tiny.detect(image, cached, threshold=cut)
    assert 0 < len(high) < len(found) or np.all(found.scores == cut)
    assert np.all(high.scores >= cut)
    assert len(high) == int(np.sum(found.scores >= cut))


def test_detect_with_depth_gives_world_positions(random_tiny):
    camera = Camera(
        intrinsics_from_fov(224, 224, 50),
        look_at(np.array([0.5, 0, 1.0]), np.array([0.5, 0, 0])),
        224,
        224,
    )
    depth = np.full((224, 224), 1.0, np.float32)
    depth[80:120, 80:120] = 0.95  # a 5 cm tall box on the table
    found = random_tiny.detect(scene_image(), ["block"], threshold=0.0, depth=depth, camera=camera)
    assert found.positions is not None and found.positions.shape == (len(found), 3)
    finite = found.positions[~np.isnan(found.positions).any(axis=1)]
    assert np.all(np.abs(finite[:, 2]) < 0.1)
    with pytest.raises(InputError, match="depth has shape"):
        random_tiny.detect(scene_image(), ["block"], depth=depth[:100], camera=camera)
    with pytest.raises(InputError, match="both depth and camera"):
        random_tiny.detect(scene_image(), ["block"], depth=depth)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.detect(scene_image(), []), "non-empty"),
        (lambda m: m.detect(scene_image(), ["  "]), "non-empty"),
        (lambda m: m.detect(np.zeros((10, 10)), ["x"]), "RGB"),
        (lambda m: m.detect(np.zeros((50, 50, 3), np.float32), ["x"]), "uint8"),
        (lambda m: m.classify([scene_image()], []), "non-empty"),
        (lambda m: m.encode_text([""]), "empty"),
        (lambda m: m.encode_text(["x" * 600]), "limit"),
    ],
)
def test_bad_input_is_a_clear_error(random_tiny, call, message):
    with pytest.raises(InputError, match=message):
        call(random_tiny)


def test_few_shot_concept_round_trip(random_tiny, tmp_path):
    image = scene_image(3)
    random_tiny.learn_concept("my widget", [(image, [40, 40, 80, 80]), image[40:80, 40:80]])
    assert "my widget" in random_tiny.concepts
    vector = random_tiny.encode_text(["my widget"])[0]
    np.testing.assert_allclose(vector, random_tiny.concepts["my widget"])
    found = random_tiny.detect(image, ["my widget"], threshold=0.0)
    assert set(found.labels) == {"my widget"}
    path = tmp_path / "concepts.json"
    random_tiny.save_concepts(path)
    random_tiny.concepts.clear()
    assert random_tiny.load_concepts(path) == ["my widget"]
    np.testing.assert_allclose(random_tiny.concepts["my widget"], vector)
    with pytest.raises(InputError):
        random_tiny.learn_concept("empty", [])
    path.write_text("{broken")
    with pytest.raises(InputError, match="cannot read"):
        random_tiny.load_concepts(path)


def test_loading_errors(tmp_path, random_tiny_path):
    with pytest.raises(ModelNotAvailableError, match="not found"):
        load_model(f"tiny:{tmp_path / 'nothing.safetensors'}")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(InputError, match="not a vlmbot-tiny weights file"):
        load_model(f"tiny:{bad}")
    model = load_model(str(random_tiny_path))  # a bare path works too
    assert model.name == "tiny"
    with pytest.raises(InputError, match="unknown model"):
        load_model("no-such-model")


def test_text_cache_persists(random_tiny, tmp_path):
    before = random_tiny.encode_text(["a tiny green frog"])
    path = tmp_path / "cache.npz"
    random_tiny.save_text_cache(path)
    sentences = random_tiny.sentences
    sentences._cache.clear()
    assert random_tiny.load_text_cache(path) >= 1
    assert "a tiny green frog" in sentences._cache
    np.testing.assert_allclose(random_tiny.encode_text(["a tiny green frog"]), before, atol=1e-6)
    with pytest.raises(InputError, match="not found"):
        random_tiny.load_text_cache(tmp_path / "missing.npz")
