"""vlmbot-tiny's torch modules. Pre/post-processing lives in processing.py, not here.

- ProposalNet: CenterNet-style detector with two class-agnostic heatmaps, items (channel 0)
  and containers (channel 1), so an object lying at a container's centre is still its own
  peak. (B, 3, S, S) normalised RGB → heatmap logits (B, 2, S/r, S/r), box sizes
  (B, 4, S/r, S/r) as log(w, h / S) per channel, centre offsets (B, 4, S/r, S/r) in cells.
- RegionEncoder: (B, 3, C, C) normalised crops → (B, D) L2-normalised region embeddings.
- TextProjection: (B, 384) MiniLM sentence embeddings → (B, D) L2-normalised; plus the
  learned sigmoid calibration (scale, bias) of region-text similarity.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from vlmbot.models.tiny.color_head import ColorHead
from vlmbot.models.tiny.configuration import TinyConfig


def conv_bn(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class ProposalNet(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        c1, c2, c3, c4 = config.detector_channels
        head = config.head_channels
        self.stride = config.detector_stride
        self.stem = nn.Sequential(conv_bn(3, c1, 2), conv_bn(c1, c1))  # /2
        self.down2 = nn.Sequential(conv_bn(c1, c2, 2), conv_bn(c2, c2))  # /4
        self.down3 = nn.Sequential(conv_bn(c2, c3, 2), conv_bn(c3, c3))  # /8
        self.down4 = nn.Sequential(conv_bn(c3, c4, 2), conv_bn(c4, c4))  # /16
        self.lat4 = nn.Conv2d(c4, head, 1)
        self.lat3 = nn.Conv2d(c3, head, 1)
        self.lat2 = nn.Conv2d(c2, head, 1)
        self.smooth = conv_bn(head, head)
        self.heatmap = nn.Conv2d(head, 2, 1)
        self.size = nn.Conv2d(head, 4, 1)
        self.offset = nn.Conv2d(head, 4, 1)
        nn.init.constant_(self.heatmap.bias, -2.19)  # type: ignore[arg-type]  # prior 0.1: the CenterNet focal-loss init

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        f2 = self.down2(self.stem(images))
        f3 = self.down3(f2)
        f4 = self.down4(f3)
        top = self.lat3(f3) + F.interpolate(self.lat4(f4), scale_factor=2.0, mode="nearest")
        if self.stride == 4:
            top = self.lat2(f2) + F.interpolate(top, scale_factor=2.0, mode="nearest")
        features = self.smooth(top)
        return self.heatmap(features), self.size(features), self.offset(features)


class RegionEncoder(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        c1, c2, c3, c4 = config.region_channels
        self.features = nn.Sequential(
            conv_bn(3, c1, 2),  # 24
            conv_bn(c1, c2), conv_bn(c2, c2, 2),  # 12
            conv_bn(c2, c3), conv_bn(c3, c3, 2),  # 6
            conv_bn(c3, c4),
        )  # fmt: skip
        self.project = nn.Linear(c4 * 2, config.embed_dim)

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        x = self.features(crops)
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        return F.normalize(self.project(pooled), dim=-1)


class TextProjection(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        self.linear = nn.Linear(config.text_dim, config.embed_dim)
        # Sigmoid calibration of cosine similarity, as in SigLIP: p = σ(scale · cos + bias).
        self.logit_scale = nn.Parameter(torch.tensor(2.3))
        self.logit_bias = nn.Parameter(torch.tensor(-5.0))

    def forward(self, sentence_embeddings: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.linear(sentence_embeddings), dim=-1)

    def logits(self, regions: torch.Tensor, texts: torch.Tensor) -> torch.Tensor:
        """(N, D) regions × (M, D) texts → (N, M) calibrated logits."""
        return regions @ texts.T * self.logit_scale.exp() + self.logit_bias


class TinyVLMModules(nn.Module):
    """The three trainable parts, composed (segment-anything style): injected, not built inside."""

    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        self.config = config
        self.proposals = ProposalNet(config)
        self.regions = RegionEncoder(config)
        self.text = TextProjection(config)
        self.color: ColorHead | None = ColorHead() if config.color_head else None
