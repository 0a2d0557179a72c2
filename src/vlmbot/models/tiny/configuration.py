"""vlmbot-tiny's architecture as data: a small JSON-serialisable config."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from vlmbot.errors import InputError


@dataclass(frozen=True)
class TinyConfig:
    """Architecture and preprocessing. The detector reads the image letterboxed (aspect kept)
    to at most `input_long_side` pixels on its long side (never enlarged), padded at the right
    and bottom to a multiple of 32; box sizes are predicted relative to `image_size`; heatmap
    at stride `detector_stride`; region crops (crop_size, crop_size, 3) from the full-size
    image; the joint embedding space has `embed_dim` dimensions; the text tower `text_dim`;
    color_head: the weights carry a learned illumination-robust colour head."""

    image_size: int = 224
    input_long_side: int = 320
    detector_channels: tuple[int, ...] = (16, 24, 40, 64)
    detector_stride: int = 4
    head_channels: int = 32
    crop_size: int = 48
    crop_margin: float = 0.15
    region_channels: tuple[int, ...] = (32, 64, 96, 128)
    embed_dim: int = 128
    text_dim: int = 384
    color_head: bool = False
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.25, 0.25, 0.25)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.image_size % 32:
            raise InputError("image_size must be a multiple of 32")
        if not 64 <= self.input_long_side <= 2048:
            raise InputError("input_long_side must be in [64, 2048] pixels")
        if self.detector_stride not in (4, 8):
            raise InputError("detector_stride must be 4 or 8")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TinyConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("detector_channels", "region_channels", "mean", "std"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)
