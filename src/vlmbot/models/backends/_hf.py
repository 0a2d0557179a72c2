"""What every transformers backend shares: dependency checks, device/dtype, offline-safe loading,
image validation, batching and moving processor outputs onto the model's device.

Only imported when a transformers family is loaded (never by the catalogue).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from vlmbot.errors import InputError, MissingDependencyError, ModelNotAvailableError
from vlmbot.models.family import ModelOptions

if TYPE_CHECKING:
    import torch
    from PIL import Image

T = TypeVar("T")

#: Optional packages → the pip line that installs them.
INSTALL_HINTS = {
    "torch": "pip install torch==2.13.0",
    "transformers": "pip install 'transformers>=4.45'",
    "sentencepiece": "pip install 'vlmbot[hf]'  (or: pip install sentencepiece)",
    "google.protobuf": "pip install 'vlmbot[hf]'  (or: pip install protobuf)",
    "protobuf": "pip install 'vlmbot[hf]'  (or: pip install protobuf)",
    "scipy": "pip install scipy",
    "PIL": "pip install pillow",
    "num2words": "pip install num2words",
    "torchvision": "pip install torchvision  (a build matching torch 2.13)",
}

_CORE = ("torch", "transformers", "PIL")

#: How long the reachability check of the hub may take before we call the machine offline.
HUB_PROBE_TIMEOUT_S = 3.0


def require(module: str) -> None:
    """Raise MissingDependencyError with the install line unless `module` can be imported."""
    if importlib.util.find_spec(module.split(".")[0]) is None or (
        "." in module and _missing_submodule(module)
    ):
        hint = INSTALL_HINTS.get(module, f"pip install {module.split('.')[0]}")
        raise MissingDependencyError(f"{module} is not installed; install it with: {hint}")


def _missing_submodule(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def missing_dependency_from(exc: BaseException) -> MissingDependencyError | None:
    """Map an ImportError (or transformers' 'requires the X library') to our error, if it is one."""
    text = str(exc).lower()
    name = getattr(exc, "name", None)
    # Longest names first, whole words only: "torchvision" must not read as "torch". The core
    # packages are matched by module name only: their names appear in many unrelated messages.
    for module in sorted(INSTALL_HINTS, key=len, reverse=True):
        in_text = module not in _CORE and re.search(rf"\b{re.escape(module.lower())}\b", text)
        if name == module or in_text:
            hint = INSTALL_HINTS[module]
            return MissingDependencyError(f"{module} is needed here; install it with: {hint}")
    return None


def resolve_device(option: str) -> str:
    """ModelOptions.device → a torch device string. "auto" picks cuda, then mps, then cpu."""
    import torch

    if option == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if option.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device {option!r} was asked for but CUDA is not available here")
    if option == "mps" and not torch.backends.mps.is_available():
        raise InputError("device 'mps' was asked for but MPS is not available here")
    return option


def resolve_dtype(option: str | None) -> torch.dtype | str:
    """ModelOptions.dtype → a torch dtype, or "auto" (the checkpoint's own) for None."""
    import torch

    if option is None:
        return "auto"
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[option]


def hub_offline() -> bool:
    """True when the user asked huggingface_hub / transformers not to touch the network."""
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE) or any(
        os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_reachable(timeout_s: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """Whether the hub endpoint answers an HTTP HEAD (any status) within timeout_s.

    huggingface_hub retries a failing connection five times with back-off (~30 s); this check
    fails fast instead. It uses the hub's own HTTP session (so its proxy settings apply) and
    runs in a daemon thread, because name resolution has no timeout of its own.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    result: list[bool] = []

    def probe() -> None:
        try:
            get_session().head(constants.ENDPOINT, timeout=timeout_s)
            result.append(True)
        except Exception:  # any failure to get an answer means "not reachable"
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout_s + 0.5)
    return bool(result and result[0])


def is_local_source(source: str) -> bool:
    """A path (existing, or written like one) rather than a hub id like `org/name`."""
    return (
        Path(source).expanduser().exists()
        or source.startswith((".", "/", "~"))
        or "\\" in source
        or source.count("/") > 1
    )


def not_available(family: str, source: str, reason: str) -> ModelNotAvailableError:
    """The one-line error for weights that cannot be found."""
    if is_local_source(source):
        how = (
            f"pass a folder written by save_pretrained (config.json + weights + processor files) "
            f"as {family}:PATH"
        )
    else:
        how = (
            f"on a connected machine run `hf download {source} --local-dir DIR` (older "
            f"huggingface_hub: `huggingface-cli download {source} --local-dir DIR`, or load it and "
            f"call save_pretrained(DIR)), copy DIR here and pass it as {family}:DIR"
        )
    return ModelNotAvailableError(f"model {family}:{source} is not available ({reason}); {how}")


def load_pretrained(family: str, source: str, loaders: Sequence[Any], **kwargs: Any) -> list[Any]:
    """Call `loader.from_pretrained(source, **kwargs)` for each loader, never hanging offline.

    A local folder is read directly. A hub id is read from the local cache first; only if it is
    not cached and the hub answers is it downloaded. Missing weights → ModelNotAvailableError,
    a missing optional package → MissingDependencyError.
    """
    if is_local_source(source):
        path = Path(source).expanduser()
        if not path.is_dir():
            raise not_available(family, source, f"no folder {path}")
        return _call_loaders(family, source, loaders, str(path), local_files_only=True, **kwargs)
    try:
        return _call_loaders(family, source, loaders, source, local_files_only=True, **kwargs)
    except ModelNotAvailableError:
        if hub_offline():
            raise not_available(
                family, source, "not in the local cache and HF_HUB_OFFLINE is set"
            ) from None
        if not hub_reachable():
            raise not_available(
                family, source, "not in the local cache and the hub cannot be reached"
            ) from None
    return _call_loaders(family, source, loaders, source, local_files_only=False, **kwargs)


def _call_loaders(
    family: str, source: str, loaders: Sequence[Any], where: str, **kwargs: Any
) -> list[Any]:
    from huggingface_hub.errors import HfHubHTTPError

    loaded = []
    for loader in loaders:
        try:
            loaded.append(loader.from_pretrained(where, **_kwargs_for(loader, kwargs)))
        except ImportError as exc:
            raise missing_dependency_from(exc) or MissingDependencyError(str(exc)) from None
        except (OSError, HfHubHTTPError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise not_available(family, source, reason[:200]) from None
        except ValueError as exc:
            missing = missing_dependency_from(exc)
            if missing is not None:
                raise missing from None
            raise not_available(family, source, str(exc).splitlines()[0][:200]) from None
    return loaded


def _kwargs_for(loader: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Model-only arguments (dtype) are not given to processors and tokenizers."""
    name = getattr(loader, "__name__", "")
    if "Processor" in name or "Tokenizer" in name:
        return {k: v for k, v in kwargs.items() if k == "local_files_only"}
    return kwargs


def load_model_and_processor(
    family: str, source: str, options: ModelOptions, model_class: Any, processor_class: Any = None
) -> tuple[Any, Any, str]:
    """(model in eval mode on its device, processor, device) for a checkpoint."""
    require("torch")
    require("transformers")
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    device = resolve_device(options.device)
    processor_class = processor_class or transformers.AutoProcessor
    model, processor = load_pretrained(
        family, source, (model_class, processor_class), dtype=resolve_dtype(options.dtype)
    )
    model.to(device)
    model.eval()
    return model, processor, device


def check_image(image: Any, name: str = "image") -> np.ndarray:
    """Validate an (H, W, 3) uint8 RGB image; returns it as a contiguous array."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise InputError(f"{name} must have shape (H, W, 3), got {array.shape}")
    if array.dtype != np.uint8:
        raise InputError(f"{name} must be uint8 RGB, got {array.dtype}")
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise InputError(f"{name} is empty: {array.shape}")
    return np.ascontiguousarray(array)


def to_pil(image: np.ndarray) -> Image.Image:
    """(H, W, 3) uint8 → PIL RGB image (processors resize PIL images the way they were trained)."""
    from PIL import Image

    return Image.fromarray(check_image(image), mode="RGB")


def check_texts(texts: Sequence[str], what: str = "text") -> list[str]:
    """Non-empty list of non-empty strings."""
    if isinstance(texts, str):
        raise InputError(f"{what}s must be a list of strings, not one string")
    items = [str(t).strip() for t in texts]
    if not items:
        raise InputError(f"give at least one {what}")
    if any(not t for t in items):
        raise InputError(f"empty {what} in {list(texts)!r}")
    return items


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive chunks of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_device(inputs: Any, device: str, dtype: torch.dtype) -> dict[str, Any]:
    """Processor outputs → tensors on device; floating tensors in the model's dtype."""
    import torch

    moved: dict[str, Any] = {}
    for key, value in dict(inputs).items():
        if isinstance(value, np.ndarray):
            value = torch.from_numpy(value)
        if isinstance(value, torch.Tensor):
            value = value.to(device, dtype=dtype if value.is_floating_point() else None)
        moved[key] = value
    return moved


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A torch tensor → float32 numpy on the CPU."""
    return np.asarray(tensor.detach().float().cpu().numpy(), dtype=np.float32)


def l2_normalise(array: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), float32."""
    norms = np.linalg.norm(array, axis=-1, keepdims=True)
    return (array / np.maximum(norms, 1e-12)).astype(np.float32)


class HFModel:
    """Base of the transformers backends: the model, its processor, device and batch size."""

    name: str
    tasks: frozenset[str]

    def __init__(
        self,
        name: str,
        tasks: frozenset[str],
        model: Any,
        processor: Any,
        device: str,
        batch_size: int,
    ) -> None:
        self.name = name
        self.tasks = tasks
        self.model = model
        self.processor = processor
        self.device = device
        self.batch_size = batch_size
        #: Extra arguments for `generate` (e.g. min_new_tokens for fixed-length benchmarks).
        self.generate_kwargs: dict[str, Any] = {}

    @property
    def dtype(self) -> torch.dtype:
        dtype: torch.dtype = next(self.model.parameters()).dtype
        return dtype

    def _inputs(self, processor: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Run a processor (default: the model's) with return_tensors="pt"; move to device."""
        processor = processor or self.processor
        return to_device(processor(return_tensors="pt", **kwargs), self.device, self.dtype)

    def _generate_ids(self, inputs: dict[str, Any], max_new_tokens: int) -> torch.Tensor:
        """Greedy decoding (deterministic), with generate_kwargs on top."""
        kwargs = {"do_sample": False, "num_beams": 1, "max_new_tokens": max_new_tokens}
        ids: torch.Tensor = self.model.generate(**inputs, **{**kwargs, **self.generate_kwargs})
        return ids

    def save(self, path: str | Path) -> Path:
        """Write the weights and processor to a folder that loads offline as family:PATH."""
        folder = Path(path).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.model.save_pretrained(folder)
            self.processor.save_pretrained(folder)
        except OSError as exc:
            raise InputError(f"cannot save {self.name} to {folder}: {exc}") from None
        return folder

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, device={self.device!r})"
