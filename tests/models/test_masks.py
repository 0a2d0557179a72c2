"""Object masks from depth, computed in box crops, equal the full-frame computation."""

import numpy as np
import pytest

from vlmbot.depth import estimate_table_plane, height_map
from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.models import masks as mk
from vlmbot.types import Camera


def reference_masks(boxes, depth, camera, containers):
    """The full-frame computation: (N, H, W) mismatch and an argmin over all items."""
    height, width = depth.shape
    n = len(boxes)
    masks = np.zeros((n, height, width), dtype=bool)
    is_container = np.asarray(containers, bool)
    plane = estimate_table_plane(depth, camera)
    above = np.nan_to_num(height_map(depth, camera, plane), nan=-1.0) > mk.MIN_HEIGHT
    mismatch = np.full((n, height, width), np.inf, dtype=np.float32)
    for i, box in enumerate(boxes):
        x0, y0, x1, y1 = mk._int_box(box, width, height)
        if x1 <= x0 or y1 <= y0:
            continue
        region = above[y0:y1, x0:x1]
        if is_container[i]:
            masks[i, y0:y1, x0:x1] = region
            continue
        patch = depth[y0:y1, x0:x1]
        reference = mk._centre_depth(patch, region)
        if reference is None:
            continue
        front, behind = mk.depth_layer(reference, box, camera.K[0, 0])
        close = region & (patch >= reference - front) & (patch <= reference + behind)
        masks[i, y0:y1, x0:x1] = close
        mismatch[i, y0:y1, x0:x1] = np.where(close, np.abs(patch - reference), np.inf)
    items = ~is_container
    if items.sum() > 1:
        best = np.argmin(mismatch[items], axis=0)
        for k, item in enumerate(np.nonzero(items)[0]):
            masks[item] &= best == k
    claimed = masks[items].any(axis=0) if items.any() else np.zeros((height, width), bool)
    for container in np.nonzero(is_container)[0]:
        masks[container] &= ~claimed
    return masks


def table_scene(seed, height=96, width=128):
    """A camera over a table at z = 0 with raised blocks, stacks and a low tray; boxes around
    them (jittered, overlapping, some degenerate or outside the image)."""
    rng = np.random.default_rng(seed)
    K = intrinsics_from_fov(width, height, 50.0)
    camera = Camera(K, look_at(np.array([0.9, 0.1, 0.7]), np.array([0.5, 0, 0])), width, height)
    v, u = np.mgrid[0:height, 0:width]
    rays = np.stack(
        [(u + 0.5 - K[0, 2]) / K[0, 0], (v + 0.5 - K[1, 2]) / K[1, 1], np.ones_like(u, float)], -1
    )
    dirs = rays @ camera.T_world_cam[:3, :3].T
    depth = ((0.0 - camera.position[2]) / dirs[..., 2]).astype(np.float32)
    boxes, containers = [], []
    for _ in range(int(rng.integers(1, 12))):
        x0, y0 = int(rng.integers(0, width - 8)), int(rng.integers(0, height - 8))
        w, h = int(rng.integers(4, 40)), int(rng.integers(4, 30))
        depth[y0 : y0 + h, x0 : x0 + w] *= np.float32(rng.uniform(0.9, 0.995))
        jitter = rng.normal(0, 3, 4)
        boxes.append([x0 + jitter[0], y0 + jitter[1], x0 + w + jitter[2], y0 + h + jitter[3]])
        containers.append(bool(rng.random() < 0.25))
    boxes.append([-5.0, -5.0, -1.0, 10.0])  # outside the image
    containers.append(False)
    depth[rng.random(depth.shape) < 0.02] = 0.0  # missing depth
    return np.array(boxes), depth, camera, np.array(containers)


@pytest.mark.parametrize("seed", range(40))
def test_crop_masks_equal_the_full_frame_computation(seed):
    boxes, depth, camera, containers = table_scene(seed)
    image = np.zeros((*depth.shape, 3), np.uint8)
    got = mk.object_masks(image, boxes, depth, camera, containers)
    expected = reference_masks(boxes, depth, camera, containers)
    np.testing.assert_array_equal(got, expected)


def test_the_scenes_exercise_shared_pixels():
    """Items claim common pixels and containers give them up in these scenes."""
    shared = 0
    for seed in range(40):
        boxes, depth, camera, containers = table_scene(seed)
        image = np.zeros((*depth.shape, 3), np.uint8)
        masks = mk.object_masks(image, boxes, depth, camera, containers)
        overlap = np.zeros(depth.shape, int)
        for box in boxes[~containers]:
            x0, y0, x1, y1 = mk._int_box(box, depth.shape[1], depth.shape[0])
            overlap[y0:y1, x0:x1] += 1
        shared += int(((overlap > 1) & masks[~containers].any(axis=0)).sum())
        assert not (masks[containers].any(axis=0) & masks[~containers].any(axis=0)).any()
    assert shared > 500
