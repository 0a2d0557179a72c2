import numpy as np
import pytest
import torch

from vlmbot.lexicon.colors import LabColorNamer
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import TinyVLMModules
from vlmbot.models.tiny.weights import save_tiny


@pytest.fixture(scope="session")
def random_tiny_path(tmp_path_factory):
    """A randomly initialised vlmbot-tiny saved like the real one (architecture + header)."""
    torch.manual_seed(0)
    modules = TinyVLMModules(TinyConfig())
    with torch.no_grad():
        modules.proposals.heatmap.bias.fill_(0.5)  # random nets still propose something
    path = tmp_path_factory.mktemp("tiny") / "tiny.safetensors"
    save_tiny(
        modules, LabColorNamer({"red": np.array([45.0, 60.0, 40.0])}), {"note": "random"}, path
    )
    return path


@pytest.fixture(scope="session")
def random_tiny(random_tiny_path):
    from vlmbot.models.registry import load_model

    return load_model(f"tiny:{random_tiny_path}")
