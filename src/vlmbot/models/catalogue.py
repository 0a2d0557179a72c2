"""The built-in model families. Only names and loader paths here: nothing heavy is imported."""

from __future__ import annotations

from vlmbot.models.registry import ModelFamily, register_family

register_family(
    ModelFamily(
        name="tiny",
        tasks=frozenset({"encode_text", "encode_image", "match", "classify", "detect"}),
        loader="vlmbot.models.tiny.model:load_tiny",
        description="vlmbot-tiny, the embedded model trained in vlmbot's simulator (offline)",
        example_ids=("tiny",),
        default_source="embedded",
    )
)
