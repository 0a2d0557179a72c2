"""Fusion merges exactly what the definition (rescan every pair after every merge) merges, and
compares a near-linear number of pairs."""

import copy

import numpy as np
import pytest

from vlmbot.perception import scene
from vlmbot.perception.objects import PerceivedObject
from vlmbot.perception.pairs import PairGrid
from vlmbot.perception.scene import DEFAULT_PERCEPTION, PerceptionConfig, fuse

# --- the definition: fusion as it was written before it was made near-linear -----------------


def _ref_footprint(points):
    low, high = np.percentile(points[:, :2], [5, 95], axis=0)
    return np.concatenate([low, high])


def _ref_overlap(a, b):
    fa, fb = _ref_footprint(a.points), _ref_footprint(b.points)
    inter = np.prod(np.clip(np.minimum(fa[2:], fb[2:]) - np.maximum(fa[:2], fb[:2]), 0, None))
    smaller = min(np.prod(fa[2:] - fa[:2]), np.prod(fb[2:] - fb[:2]))
    return float(inter / max(smaller, 1e-9))


def _ref_heights(a, b, tolerance):
    za = np.percentile(a.points[:, 2], [5, 95])
    zb = np.percentile(b.points[:, 2], [5, 95])
    return bool(za[0] <= zb[1] + tolerance and zb[0] <= za[1] + tolerance)


def _ref_same(a, b, config):
    if a.container != b.container:
        return False
    ca, cb = np.median(a.points, axis=0)[:2], np.median(b.points, axis=0)[:2]
    fa, fb = _ref_footprint(a.points), _ref_footprint(b.points)
    a_in_b = bool(np.all(ca >= fb[:2]) and np.all(ca <= fb[2:]))
    b_in_a = bool(np.all(cb >= fa[:2]) and np.all(cb <= fa[2:]))
    if set(a.views) & set(b.views):
        overlap = _ref_overlap(a, b) > config.same_camera_overlap
        return (overlap or a_in_b or b_in_a) and _ref_heights(a, b, config.height_tolerance)
    close = bool(np.linalg.norm(ca - cb) < config.merge_distance)
    nested = _ref_overlap(a, b) > config.nested_overlap
    return (close or nested or (a_in_b and b_in_a)) and _ref_heights(a, b, config.height_tolerance)


def reference_fuse(objects, config=DEFAULT_PERCEPTION):
    merged = sorted(objects, key=lambda o: -o.objectness)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            j = next(
                (k for k in range(i + 1, len(merged)) if _ref_same(merged[i], merged[k], config)),
                None,
            )
            if j is not None:
                scene._absorb(merged[i], merged.pop(j))
                changed = True
                break
    return merged


# --- cases ---------------------------------------------------------------------------------


def detection(rng, centre, size, camera, container=False):
    count = int(rng.integers(20, 120))
    points = np.asarray(centre) + rng.uniform(-0.5, 0.5, (count, 3)) * np.asarray(size)
    embedding = rng.normal(size=8)
    return PerceivedObject(
        points,
        embedding / np.linalg.norm(embedding),
        rng.uniform(0, 80, 3),
        float(rng.uniform(0.3, 1.0)),
        {camera: [0.0, 0.0, 1.0, 1.0]},
        container=container,
    )


def random_scene(seed):
    """Detections of a cluttered table: objects seen by 1-3 cameras, partly (halves of long
    objects), twice by one camera, stacked, in containers, and close neighbours."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(int(rng.integers(2, 9))):
        container = rng.random() < 0.2
        size = rng.uniform(0.1, 0.3, 3) * [1, 1, 0.2] if container else rng.uniform(0.02, 0.1, 3)
        centre = np.array([*rng.uniform(0.3, 0.7, 2), size[2] / 2])
        if rng.random() < 0.2:  # something stacked on it
            top = rng.uniform(0.02, 0.05, 3)
            lift = np.array([0, 0, size[2] / 2 + top[2] / 2])
            found.append(detection(rng, centre + lift, top, "top"))
        for camera in rng.choice(["front", "top", "side"], int(rng.integers(1, 4)), False):
            jitter = np.array([*rng.normal(0, 0.01, 2), 0.0])
            seen = size * rng.uniform(0.5, 1.1, 3)
            found.append(detection(rng, centre + jitter, seen, str(camera), container))
            if rng.random() < 0.25:  # a duplicate proposal from the same camera
                found.append(detection(rng, centre + jitter / 2, seen * 0.8, str(camera)))
    return found


@pytest.mark.parametrize("seed", range(120))
def test_fuse_merges_exactly_what_the_definition_merges(seed):
    objects = random_scene(seed)
    expected = reference_fuse(copy.deepcopy(objects))
    got = fuse(copy.deepcopy(objects))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.views == e.views and g.objectness == e.objectness
        np.testing.assert_array_equal(g.points, e.points)
        np.testing.assert_array_equal(g.embedding, e.embedding)
        np.testing.assert_array_equal(g.lab, e.lab)


def test_the_random_cases_merge_a_lot():
    """The table above is not trivial: most cases merge, many merge several times."""
    merges = [len(s) - len(reference_fuse(s)) for s in map(random_scene, range(120))]
    assert sum(m > 0 for m in merges) > 90 and sum(m >= 3 for m in merges) > 40


def test_merges_that_change_an_earlier_objects_match_follow_the_definition():
    """A merge grows an object until an earlier (more confident) one becomes the same: the
    earlier one absorbs it, as a full rescan would."""
    rng = np.random.default_rng(0)
    early = detection(rng, (0.5, 0.0, 0.02), (0.04, 0.04, 0.04), "front")
    early.objectness = 0.9
    middle = detection(rng, (0.56, 0.0, 0.02), (0.04, 0.04, 0.04), "top")
    middle.objectness = 0.8
    late = detection(rng, (0.53, 0.0, 0.02), (0.04, 0.04, 0.04), "side")
    late.objectness = 0.7
    objects = [late, early, middle]
    expected = reference_fuse(copy.deepcopy(objects))
    got = fuse(copy.deepcopy(objects))
    assert [o.views.keys() for o in got] == [o.views.keys() for o in expected]


# --- near-linear ---------------------------------------------------------------------------


def grid_scene(side, cameras=("front", "top", "side")):
    """side x side blocks 10 cm apart, each seen by every camera: 3 * side**2 detections."""
    rng = np.random.default_rng(side)
    found = []
    for i in range(side):
        for j in range(side):
            centre = (0.1 * i, 0.1 * j, 0.02)
            for camera in cameras:
                jitter = np.array([*rng.normal(0, 0.004, 2), 0.0])
                found.append(detection(rng, centre + jitter, (0.04, 0.04, 0.04), camera))
    return found


def count_comparisons(monkeypatch, objects, fuser):
    calls = [0]
    original = scene._same_object

    def counted(a, b, config):
        calls[0] += 1
        return original(a, b, config)

    monkeypatch.setattr(scene, "_same_object", counted)
    fused = fuser(objects)
    return calls[0], fused


def test_fuse_compares_a_near_linear_number_of_pairs(monkeypatch):
    small_n, small = count_comparisons(monkeypatch, grid_scene(5), fuse)
    large_n, large = count_comparisons(monkeypatch, grid_scene(14), fuse)
    assert len(small) == 25 and len(large) == 196  # every block once, none merged with another
    detections = 3 * 14**2
    assert large_n <= 12 * detections, large_n
    assert large_n / small_n < 1.5 * (196 / 25), (small_n, large_n)  # linear: 7.8x


def test_the_definition_is_quadratic(monkeypatch):
    """The counter sees the quadratic rescans (so the test above could fail)."""

    def definition(objects):
        monkeypatched = scene._same_object
        merged = sorted(objects, key=lambda o: -o.objectness)
        changed = True
        while changed:
            changed = False
            for i in range(len(merged)):
                k = next(
                    (
                        k
                        for k in range(i + 1, len(merged))
                        if monkeypatched(merged[i], merged[k], DEFAULT_PERCEPTION)
                    ),
                    None,
                )
                if k is not None:
                    scene._absorb(merged[i], merged.pop(k))
                    changed = True
                    break
        return merged

    comparisons, fused = count_comparisons(monkeypatch, grid_scene(5), definition)
    assert len(fused) == 25 and comparisons > 12 * 75


def test_pair_cell_does_not_change_the_result():
    objects = random_scene(7)
    coarse = fuse(copy.deepcopy(objects), PerceptionConfig(pair_cell=0.9))
    fine = fuse(copy.deepcopy(objects), PerceptionConfig(pair_cell=0.011))
    assert [o.views for o in coarse] == [o.views for o in fine]


# --- the spatial hash ----------------------------------------------------------------------


def random_box(rng):
    low = rng.uniform(-1, 1, 2)
    size = rng.uniform(0, 0.3, 2) if rng.random() < 0.9 else rng.uniform(2, 40, 2)
    return np.concatenate([low, low + size])


def test_pair_grid_finds_exactly_the_intersecting_boxes():
    rng = np.random.default_rng(0)
    grid = PairGrid(0.05)
    boxes = {k: random_box(rng) for k in range(300)}
    boxes[300] = np.array([0.0, 0.0, np.inf, 0.1])  # not finite: still found
    for key, box in boxes.items():
        grid.add(key, box)
    for key in range(0, 300, 3):  # moved and removed keys are found where they are now
        boxes[key] = random_box(rng)
        grid.add(key, boxes[key])
    for key in range(1, 300, 7):
        grid.remove(key)
        del boxes[key]
    for _ in range(200):
        query = random_box(rng)
        brute = sorted(
            k
            for k, b in boxes.items()
            if b[0] <= query[2] and query[0] <= b[2] and b[1] <= query[3] and query[1] <= b[3]
        )
        assert grid.near(query) == brute
    assert len(grid) == len(boxes) and 300 in grid and 1 not in grid
