"""Loading transformers backends: names, device/dtype, offline errors, missing dependencies."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import huggingface_hub
import numpy as np
import pytest
import torch

from vlmbot.errors import InputError, MissingDependencyError, ModelNotAvailableError
from vlmbot.models import ModelOptions, families, load_model
from vlmbot.models.backends import _hf


def test_catalogue_registers_every_transformers_family() -> None:
    registered = families()
    for name in ("clip", "siglip", "owlvit", "owlv2", "blip", "idefics", "paligemma"):
        family = registered[name]
        assert family.loader.startswith("vlmbot.models.backends.")
        assert family.example_ids and family.default_source in family.example_ids


def test_catalogue_import_does_not_import_transformers() -> None:
    import subprocess
    import sys

    code = (
        "import sys, vlmbot.models as m; m.families(); "
        "print('transformers' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_unknown_family_lists_the_families() -> None:
    with pytest.raises(InputError, match=r"families: .*clip.*owlv2"):
        load_model("nosuchfamily:org/model")


def test_missing_local_folder_names_the_model_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-clip"
    with pytest.raises(ModelNotAvailableError) as error:
        load_model(f"clip:{missing}")
    message = str(error.value)
    assert f"clip:{missing}" in message and "save_pretrained" in message and "\n" not in message


def test_offline_hub_id_fails_at_once_with_download_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_hf, "hub_reachable", _must_not_probe)
    start = time.monotonic()
    with pytest.raises(ModelNotAvailableError) as error:
        load_model("owlv2:google/owlv2-base-patch16-ensemble")
    assert time.monotonic() - start < 10
    message = str(error.value)
    assert "owlv2:google/owlv2-base-patch16-ensemble" in message
    assert "hf download google/owlv2-base-patch16-ensemble" in message
    assert "huggingface-cli download google/owlv2-base-patch16-ensemble" in message
    assert "HF_HUB_OFFLINE" in message and "\n" not in message


def _must_not_probe(*_: Any) -> bool:
    raise AssertionError("HF_HUB_OFFLINE is set: the network must not be tried")


def test_hub_id_without_network_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No HF_HUB_OFFLINE: the real reachability probe (this machine has no route to the hub,
    or the endpoint below is closed) answers quickly instead of huggingface_hub's ~30 s of
    retries."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    # The discard port: nothing listens, so the probe fails like it does with no network.
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")
    start = time.monotonic()
    with pytest.raises(ModelNotAvailableError, match="cannot be reached"):
        load_model("clip:openai/clip-vit-base-patch32")
    assert time.monotonic() - start < 10


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """huggingface_hub refuses every request while HF_HUB_OFFLINE is set: clear it."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.mark.usefixtures("online")
def test_hub_probe_gives_up_after_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts the connection but never answers must not stall loading."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{port}")
        start = time.monotonic()
        assert _hf.hub_reachable(timeout_s=0.5) is False
        assert time.monotonic() - start < 2


@pytest.mark.usefixtures("online")
def test_hub_probe_sees_a_server_that_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", endpoint)
        assert _hf.hub_reachable(timeout_s=2) is True  # a 501 is still an answer
    finally:
        thread.join(3)
        server.server_close()


@pytest.mark.parametrize(
    ("source", "local"),
    [
        ("google/owlv2-base-patch16-ensemble", False),
        ("./models/clip", True),
        ("/abs/clip", True),
        ("~/clip", True),
        ("a/b/c", True),
        ("bert-base-uncased", False),
    ],
)
def test_is_local_source(source: str, local: bool) -> None:
    assert _hf.is_local_source(source) is local


def test_missing_dependency_gives_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = _hf.importlib.util.find_spec
    monkeypatch.setattr(
        _hf.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentencepiece" else real_find_spec(name, *a),
    )
    with pytest.raises(MissingDependencyError, match=r"pip install 'vlmbot\[hf\]'"):
        _hf.require("sentencepiece")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ImportError("SiglipTokenizer requires the SentencePiece library"), "sentencepiece"),
        (ImportError("needs the protobuf library"), "protobuf"),
        (ModuleNotFoundError("No module named 'scipy'", name="scipy"), "pip install scipy"),
        (ImportError("SmolVLMVideoProcessor requires the Torchvision library"), "torchvision"),
        (ImportError("Package `num2words` is required"), "pip install num2words"),
        (ImportError("something unrelated"), None),
        (ValueError("see https://huggingface.co/docs/transformers/installation"), None),
        (
            ModuleNotFoundError("No module named 'transformers'", name="transformers"),
            "pip install 'transformers",
        ),
    ],
)
def test_missing_dependency_from(error: Exception, expected: str | None) -> None:
    mapped = _hf.missing_dependency_from(error)
    if expected is None:
        assert mapped is None
    else:
        assert mapped is not None and expected in str(mapped)


def test_loader_import_error_becomes_missing_dependency(
    tiny_checkpoints: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import transformers

    def fail(*_: Any, **__: Any) -> Any:
        raise ImportError("SiglipTokenizer requires the SentencePiece library but it was not found")

    monkeypatch.setattr(transformers.AutoProcessor, "from_pretrained", fail)
    with pytest.raises(MissingDependencyError, match="sentencepiece"):
        load_model(f"siglip:{tiny_checkpoints('siglip')}", device="cpu")


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_device_auto_prefers_cuda_then_mps_then_cpu(
    monkeypatch: pytest.MonkeyPatch, cuda: bool, mps: bool, expected: str
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert _hf.resolve_device("auto") == expected
    assert _hf.resolve_device("cpu") == "cpu"


def test_unavailable_device_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    for device in ("cuda", "cuda:1", "mps"):
        with pytest.raises(InputError, match="not available"):
            _hf.resolve_device(device)


@pytest.mark.parametrize(
    ("option", "dtype"),
    [
        (None, "auto"),
        ("float32", torch.float32),
        ("float16", torch.float16),
        ("bfloat16", torch.bfloat16),
    ],
)
def test_resolve_dtype(option: str | None, dtype: Any) -> None:
    assert _hf.resolve_dtype(option) == dtype


def test_dtype_option_loads_weights_in_that_dtype(tiny_checkpoints: Callable[[str], Path]) -> None:
    model = load_model(f"clip:{tiny_checkpoints('clip')}", device="cpu", dtype="bfloat16")
    assert model.dtype == torch.bfloat16
    embeddings = model.encode_text(["a mug"])
    assert embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1, atol=1e-5)


def test_batch_size_option_reaches_the_model(tiny_checkpoints: Callable[[str], Path]) -> None:
    model = load_model(f"owlv2:{tiny_checkpoints('owlv2')}", ModelOptions("cpu", None, 3))
    assert model.batch_size == 3 and model.device == "cpu"


def test_save_to_unwritable_folder_is_an_input_error(
    tiny_model: Callable[[str, str], Any], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot save"):
        tiny_model("clip", "clip").save(blocker / "sub")
