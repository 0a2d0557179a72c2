"""Compose the agent's perception stages from a model name (or a loaded model).

`build_stages("owlv2:PATH")` loads the model and checks the roles its family declares: it must
serve as a region scorer; its own proposer is used when it has one, else depth geometry
(`proposer="depth"` forces that with any scorer). The sentence encoder is the shared MiniLM, the
colour namer the model's own when it has one (vlmbot-tiny's is fitted to its renders), else the
CIELAB lexicon. A family without a region scorer gets one line naming the missing role.
"""

from __future__ import annotations

from typing import Any

from vlmbot.errors import InputError
from vlmbot.lexicon.colors import LabColorNamer
from vlmbot.models.depth_proposer import DepthProposer
from vlmbot.models.family import ModelOptions
from vlmbot.models.registry import families, parse_model_name
from vlmbot.models.sentences import shared_encoder
from vlmbot.models.stages import (
    ColorNamer,
    RegionProposer,
    RegionScorer,
    SentenceEncoder,
    VisionStages,
)

PROPOSERS = ("model", "depth")


def scorer_families() -> list[str]:
    """Families whose models can drive the agent (they declare the region_scorer role)."""
    return sorted(name for name, f in families().items() if "region_scorer" in f.roles)


def check_model_roles(model: str, proposer: str | None = None) -> None:
    """Raise InputError unless the named model can drive the agent (without loading it)."""
    if proposer is not None and proposer not in PROPOSERS:
        raise InputError(f"unknown proposer {proposer!r}: use {' or '.join(PROPOSERS)}")
    family, _ = parse_model_name(model)
    if "region_scorer" not in family.roles:
        raise InputError(
            f"model {model!r} cannot drive the agent: the {family.name} family has no "
            f"region_scorer role (families with one: {', '.join(scorer_families())})"
        )
    if proposer == "model" and "proposer" not in family.roles:
        raise InputError(f"model {model!r} has no proposer role: use proposer 'depth' with it")


def build_stages(
    model: str | Any = "tiny", proposer: str | None = None, options: ModelOptions | None = None
) -> VisionStages:
    """VisionStages from a model name (`family:source`, `tiny`) or an already loaded model.

    proposer: "model" (the model's own; an error if it has none), "depth" (depth geometry),
    or None (the model's own when it has one, else depth geometry).
    """
    if proposer is not None and proposer not in PROPOSERS:
        raise InputError(f"unknown proposer {proposer!r}: use {' or '.join(PROPOSERS)}")
    if isinstance(model, VisionStages):
        if proposer == "depth":
            return _with_depth_proposer(model)
        return model
    if isinstance(model, str):
        check_model_roles(model, proposer)
        family, source = parse_model_name(model)
        loaded = family.load(source, options or ModelOptions())
        return stages_from_model(loaded, proposer)
    return stages_from_model(model, proposer)


def stages_from_model(model: Any, proposer: str | None = None) -> VisionStages:
    """VisionStages around a loaded model object that implements RegionScorer."""
    name = str(getattr(model, "name", type(model).__name__))
    if not isinstance(model, RegionScorer):
        raise InputError(f"model {name!r} cannot drive the agent: it is no region_scorer")
    own = model if isinstance(model, RegionProposer) else None
    if proposer == "model" and own is None:
        raise InputError(f"model {name!r} has no proposer role: use proposer 'depth' with it")
    chosen: RegionProposer = own if own is not None and proposer != "depth" else DepthProposer()
    sentences = getattr(model, "sentences", None)
    colors = getattr(model, "colors", None)
    metadata = dict(getattr(model, "metadata", {}) or {})
    trained = metadata.get("training", {}).get("categories")
    suffix = "" if chosen is own else "+depth"
    return VisionStages(
        name=name + suffix,
        proposer=chosen,
        scorer=model,
        sentences=sentences if isinstance(sentences, SentenceEncoder) else shared_encoder(),
        colors=colors if isinstance(colors, ColorNamer) else LabColorNamer(),
        trained_categories=frozenset(trained) if trained else None,
        metadata=metadata,
    )


def _with_depth_proposer(stages: VisionStages) -> VisionStages:
    return VisionStages(
        stages.name.removesuffix("+depth") + "+depth",
        DepthProposer(),
        stages.scorer,
        stages.sentences,
        stages.colors,
        stages.trained_categories,
        stages.metadata,
    )
