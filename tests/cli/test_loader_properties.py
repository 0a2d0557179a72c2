"""Property-based tests of every file loader: whatever bytes or JSON a file holds, the loader
returns its typed result or raises InputError (one line), never anything else."""

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlmbot.cell import RobotCell, load_cell
from vlmbot.cli.common import read_camera, read_depth, read_image, read_json
from vlmbot.cli.eval_run import read_finished
from vlmbot.errors import InputError
from vlmbot.eval.suites import safety_case
from vlmbot.tasks.suite import EpisodeSpec, read_episodes_file
from vlmbot.types import Camera

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
CAMERA_KEYS = st.fixed_dictionaries(
    {},
    optional={
        "K": JSON, "T_world_cam": JSON, "width": JSON, "height": JSON, "name": JSON,
        "eye": JSON, "target": JSON, "depth_range": JSON, "vertical_fov_deg": JSON,
    },
)  # fmt: skip


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _loads_or_input_error(load, check):
    try:
        result = load()
    except InputError as error:
        assert "\n" not in str(error)
        return
    check(result)


@SETTINGS
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".png", ".jpg", ".npy", ".bmp"]))
def test_read_image_of_any_bytes(tmp_path, data, suffix):
    path = _file(tmp_path, "image" + suffix, data)

    def check(rgb):
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3

    _loads_or_input_error(lambda: read_image(path), check)


@SETTINGS
@given(
    data=st.binary(max_size=600), cut=st.integers(0, 400), suffix=st.sampled_from([".npy", ".png"])
)
def test_read_depth_of_any_bytes_and_truncations(tmp_path, data, cut, suffix):
    valid = _npy_bytes(np.ones((6, 5), np.float32))
    for blob in (data, valid[:cut], valid[:cut] + data):
        path = _file(tmp_path, "depth" + suffix, blob)

        def check(depth):
            assert depth.dtype == np.float32 and depth.ndim == 2

        _loads_or_input_error(lambda p=path: read_depth(p), check)


@SETTINGS
@given(
    array=st.sampled_from(
        [
            np.zeros((0, 4)), np.zeros((3, 4, 5)), np.array([1 + 2j]), np.array(["x"]),
            np.zeros((2, 2), bool), np.zeros((4,)), np.full((3, 3), np.nan), np.zeros((2, 3, 1)),
            np.array(5.0), np.zeros((3, 3), np.int64) + 2**62,
        ]
    )
)  # fmt: skip
def test_read_depth_of_odd_arrays(tmp_path, array):
    path = _file(tmp_path, "depth.npy", _npy_bytes(array))
    _loads_or_input_error(lambda: read_depth(path), lambda d: d.dtype == np.float32)


@SETTINGS
@given(data=CAMERA_KEYS)
def test_read_camera_of_any_json(tmp_path, data):
    path = _file(tmp_path, "camera.json", json.dumps(data).encode())
    _loads_or_input_error(lambda: read_camera(path), lambda c: isinstance(c, Camera))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_read_json_of_any_bytes(tmp_path, data):
    path = _file(tmp_path, "file.json", data)
    _loads_or_input_error(lambda: read_json(path, "file"), lambda _: None)


CELL = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON, "workspace": JSON, "table": JSON, "gripper": JSON, "base": JSON,
        "arm": JSON, "cameras": st.lists(CAMERA_KEYS, max_size=3) | JSON,
    },
)  # fmt: skip


@SETTINGS
@given(data=CELL, raw=st.binary(max_size=200))
def test_load_cell_of_any_json_or_bytes(tmp_path, data, raw):
    for blob in (json.dumps(data).encode(), raw):
        path = _file(tmp_path, "cell.json", blob)
        _loads_or_input_error(lambda p=path: load_cell(p), lambda c: isinstance(c, RobotCell))


EPISODE = st.fixed_dictionaries(
    {}, optional={"task": JSON | st.sampled_from(["put_in", "stack"]), "seed": JSON,
                  "split": JSON, "instruction": JSON, "extra": JSON}
)  # fmt: skip


@SETTINGS
@given(lines=st.lists(EPISODE.map(json.dumps) | st.text(max_size=30), max_size=6))
def test_read_episodes_file_of_any_lines(tmp_path, lines):
    path = _file(tmp_path, "episodes.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"))

    def check(specs):
        assert specs and all(isinstance(s, EpisodeSpec) for s in specs)

    _loads_or_input_error(lambda: read_episodes_file(path), check)


@SETTINGS
@given(
    lines=st.lists(
        st.dictionaries(st.sampled_from(["key", "task", "seed"]), JSON).map(json.dumps)
        | st.text(max_size=30),
        max_size=5,
    )
)
def test_read_resume_file_of_any_lines(tmp_path, lines):
    path = _file(tmp_path, "run.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"))
    _loads_or_input_error(lambda: read_finished(str(path)), lambda r: isinstance(r, dict))


@SETTINGS
@given(record=JSON)
def test_safety_records_of_any_json(record):
    with contextlib.suppress(InputError, ValueError):
        safety_case(record)


@pytest.fixture(scope="module")
def tiny(random_tiny_weights):
    from vlmbot.models import load_model

    return load_model(f"tiny:{random_tiny_weights}")


@SETTINGS
@given(data=JSON, raw=st.binary(max_size=200))
def test_tiny_concepts_file_of_any_json(tmp_path, tiny, data, raw):
    for blob in (
        json.dumps({"model": "tiny", "concepts": data}).encode(),
        json.dumps(data).encode(),
        raw,
    ):
        path = _file(tmp_path, "concepts.json", blob)
        _loads_or_input_error(lambda p=path: tiny.load_concepts(p), lambda c: isinstance(c, list))


@SETTINGS
@given(raw=st.binary(max_size=300), cut=st.integers(0, 600))
def test_text_cache_file_of_any_bytes(tmp_path, raw, cut):
    import io

    from vlmbot.models.sentences import EMBED_DIM, MiniLMEncoder

    buffer = io.BytesIO()
    np.savez(buffer, texts=np.array(["a", "b"]), vectors=np.zeros((2, EMBED_DIM), np.float32))
    valid = buffer.getvalue()
    encoder = MiniLMEncoder()
    for blob in (raw, valid[:cut], valid):
        path = _file(tmp_path, "cache.npz", blob)
        _loads_or_input_error(lambda p=path: encoder.load_cache(p), lambda n: isinstance(n, int))
