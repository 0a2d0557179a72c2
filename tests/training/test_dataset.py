import numpy as np
import pytest
from training.dataset import DatasetConfig, load_shard, render_dataset

from vlmbot.sim.catalog import HELDOUT_CATEGORIES, HELDOUT_COLOR_COMBOS

pytestmark = pytest.mark.sim


def test_dataset_renderer_writes_consistent_labels(tmp_path):
    config = DatasetConfig(scenes=3, seed=1, shard_size=2, with_robot=False)
    stats = render_dataset(config, tmp_path, workers=1)
    arrays, meta = load_shard(tmp_path / "shard_0000")
    frames = len(meta) + len(load_shard(tmp_path / "shard_0001")[1])
    assert stats["frames"] == frames >= 3 and stats["frames_per_second"] > 0
    canvas = config.canvas
    assert arrays["rgb"].shape == (len(meta), canvas, canvas, 3)
    for i, frame in enumerate(meta):
        width, height = frame["size"]
        assert max(width, height) <= canvas  # letterboxed, never enlarged
        assert not arrays["depth"][i][height:].any() and not arrays["depth"][i][:, width:].any()
        seg = arrays["segmentation"][i]
        for obj in frame["objects"]:
            assert obj["category"] not in HELDOUT_CATEGORIES
            assert (obj["category"], obj["color"]) not in HELDOUT_COLOR_COMBOS
            v, u = np.nonzero(seg == obj["index"])
            assert [u.min(), v.min(), u.max() + 1, v.max() + 1] == obj["box"]
            assert obj["phrases"] and obj["color"] in obj["phrases"][0]
    again = DatasetConfig(scenes=3, seed=1, shard_size=2, with_robot=False)
    render_dataset(again, tmp_path / "again", workers=1)
    arrays_again, _ = load_shard(tmp_path / "again" / "shard_0000")
    assert np.array_equal(arrays["rgb"], arrays_again["rgb"])
