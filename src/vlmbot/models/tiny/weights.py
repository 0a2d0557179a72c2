"""Save and load vlmbot-tiny: weights in safetensors, config + colour prototypes + metadata in
the safetensors header (one file), shipped inside the package."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.errors import InputError, ModelNotAvailableError
from vlmbot.lexicon.colors import LabColorNamer
from vlmbot.models.family import ModelOptions
from vlmbot.models.tiny.color_head import LearnedColorNamer
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import TinyVLMModules

FILENAME = "tiny.safetensors"


def embedded_weights_path() -> Path:
    return Path(str(resources.files("vlmbot") / "weights" / FILENAME))


def resolve_path(source: str) -> Path:
    """'embedded' → the shipped file; a folder → its tiny.safetensors; a file → itself."""
    if source in ("embedded", "tiny", ""):
        path = embedded_weights_path()
        if not path.is_file():
            raise ModelNotAvailableError(
                f"the embedded vlmbot-tiny weights are missing ({path}); "
                "run `make train` to build them"
            )
        return path
    path = Path(source)
    if path.is_dir():
        path = path / FILENAME
    if not path.is_file():
        raise ModelNotAvailableError(f"vlmbot-tiny weights not found: {path}")
    return path


def save_tiny(
    modules: TinyVLMModules, colors: LabColorNamer, metadata: dict[str, Any], path: str | Path
) -> Path:
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "config": json.dumps(modules.config.to_dict()),
        "color_prototypes": json.dumps({k: v.tolist() for k, v in colors.prototypes.items()}),
        "color_sigma": json.dumps(colors.sigma),
        "metadata": json.dumps(metadata),
    }
    tensors = {k: v.detach().contiguous() for k, v in modules.state_dict().items()}
    save_file(tensors, str(path), metadata=header)
    return path


def load_modules(path: Path) -> tuple[TinyVLMModules, LabColorNamer, dict[str, Any]]:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
        config = TinyConfig.from_dict(json.loads(header["config"]))
        prototypes = {
            k: np.asarray(v) for k, v in json.loads(header.get("color_prototypes", "{}")).items()
        }
        colors = LabColorNamer(prototypes, float(json.loads(header.get("color_sigma", "18.0"))))
        metadata = json.loads(header.get("metadata", "{}"))
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a vlmbot-tiny weights file: {exc}") from None
    modules = TinyVLMModules(config)
    missing, unexpected = modules.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise InputError(
            f"{path} does not match the vlmbot-tiny architecture (missing {missing[:3]})"
        )
    if modules.color is not None:  # colours measured by the learned head, named by the lexicon
        colors = LearnedColorNamer(modules.color, colors.prototypes, colors.sigma)
    return modules.eval(), colors, metadata


def load_tiny(source: str = "embedded", options: ModelOptions | None = None) -> Any:
    """The registry's loader for the `tiny` family (CPU inference; options.device is honoured
    only as 'cpu' or 'auto': the model is small enough that a GPU does not pay off)."""
    from vlmbot.models.tiny.model import TinyVLM

    if options is not None and options.device not in ("auto", "cpu"):
        raise InputError("vlmbot-tiny runs on the CPU; use --device cpu (or auto)")
    modules, colors, metadata = load_modules(resolve_path(source))
    return TinyVLM(modules, colors, metadata=metadata)
