"""A model family's declaration (name, tasks, roles, loader) and loading options. Only data and a
lazy loader path: importing this imports no model code."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vlmbot.errors import InputError


@dataclass(frozen=True)
class ModelOptions:
    """device: "auto", "cpu", "cuda" or "mps"; dtype: "float32", "float16", "bfloat16" or None
    (the checkpoint's own); batch_size: images per forward pass."""

    device: str = "auto"
    dtype: str | None = None
    batch_size: int = 8

    def __post_init__(self) -> None:
        if self.device not in ("auto", "cpu", "cuda", "mps") and not self.device.startswith(
            "cuda:"
        ):
            raise InputError(f"unknown device {self.device!r}: use auto, cpu, cuda or mps")
        if self.dtype not in (None, "float32", "float16", "bfloat16"):
            raise InputError(f"unknown dtype {self.dtype!r}: use float32, float16 or bfloat16")
        if self.batch_size < 1:
            raise InputError("batch_size must be >= 1")


@dataclass(frozen=True)
class ModelFamily:
    """A registered family. loader: "module:function" taking (source: str, ModelOptions).

    tasks: what its models do for users (see `vlmbot.models.base.TASKS`); roles: which agent
    stages they serve (see `vlmbot.models.stages.ROLES`): "proposer" (class-agnostic proposals)
    and "region_scorer" (region embeddings scored against text). The agent needs a region
    scorer; without a proposer it proposes from depth geometry."""

    name: str
    tasks: frozenset[str]
    loader: str
    description: str
    example_ids: tuple[str, ...] = ()
    default_source: str | None = None
    roles: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)

    def load(self, source: str, options: ModelOptions) -> Any:
        module_name, function_name = self.loader.split(":")
        function: Callable[[str, ModelOptions], Any] = getattr(
            importlib.import_module(module_name), function_name
        )
        return function(source, options)
