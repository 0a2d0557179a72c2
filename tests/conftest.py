"""Shared fixtures. Torch gets one thread: the simulator and the tests share 2 cores."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is a hard dependency
    pass


import pytest

pytest_plugins = ["tests.fakes"]


@pytest.fixture(scope="session")
def random_tiny_weights(tmp_path_factory):
    """Path of a randomly initialised vlmbot-tiny (seed 0) saved like the shipped one."""
    import torch

    from vlmbot.lexicon.colors import LabColorNamer
    from vlmbot.models.tiny.configuration import TinyConfig
    from vlmbot.models.tiny.modeling import TinyVLMModules
    from vlmbot.models.tiny.weights import save_tiny

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-random") / "tiny.safetensors"
    save_tiny(TinyVLMModules(TinyConfig()), LabColorNamer(), {}, path)
    return str(path)
