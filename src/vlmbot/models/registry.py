"""Model families registered by name and built by one factory, with lazy imports.

A model is named `family:hub-id-or-local-path` (e.g. `owlv2:google/owlv2-base-patch16-ensemble`,
`clip:./my-clip`), or `tiny` for the embedded default model (`tiny:PATH` loads other tiny
weights; a bare path to tiny weights works too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlmbot.errors import InputError
from vlmbot.models.family import ModelFamily, ModelOptions

_FAMILIES: dict[str, ModelFamily] = {}


def register_family(family: ModelFamily) -> None:
    if family.name in _FAMILIES:
        raise ValueError(f"model family {family.name!r} is already registered")
    _FAMILIES[family.name] = family


def families() -> dict[str, ModelFamily]:
    """All registered families, by name."""
    _register_builtins()
    return dict(_FAMILIES)


def parse_model_name(spec: str) -> tuple[ModelFamily, str]:
    """`family:source` → (family, source). `tiny` or a path to tiny weights → the tiny family."""
    registered = families()
    spec = spec.strip()
    if not spec:
        raise InputError("empty model name; try 'tiny' or family:hub-id (see `vlmbot models`)")
    family_name, sep, source = spec.partition(":")
    if sep and family_name in registered:
        family = registered[family_name]
        if not source:
            if family.default_source is None:
                raise InputError(f"model {spec!r} needs a source: {family_name}:HUB_ID_OR_PATH")
            source = family.default_source
        return family, source
    if spec in registered:
        family = registered[spec]
        if family.default_source is None:
            raise InputError(f"model {spec!r} needs a source: {spec}:HUB_ID_OR_PATH")
        return family, family.default_source
    if Path(spec).exists() and "tiny" in registered:
        return registered["tiny"], spec
    known = ", ".join(sorted(registered))
    raise InputError(f"unknown model {spec!r}; families: {known} (name models as family:source)")


def load_model(spec: str = "tiny", options: ModelOptions | None = None, **kwargs: Any) -> Any:
    """Build a model by name (see module docstring). kwargs are ModelOptions fields."""
    if not isinstance(spec, str):
        raise InputError(f"a model name must be a string, got {type(spec).__name__}")
    family, source = parse_model_name(spec)
    if options is None:
        try:
            options = ModelOptions(**kwargs)
        except TypeError as exc:
            raise InputError(f"model {spec!r}: {exc}") from None
    return family.load(source, options)


_BUILTINS_REGISTERED = False


def _register_builtins() -> None:
    global _BUILTINS_REGISTERED
    if _BUILTINS_REGISTERED:
        return
    _BUILTINS_REGISTERED = True
    # The catalogue holds only names and loader paths; the heavy model code behind each loader
    # is imported when that family is loaded.
    from vlmbot.models.catalogue import BUILTIN_FAMILIES

    for family in BUILTIN_FAMILIES:
        register_family(family)
