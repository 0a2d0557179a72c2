"""Speed of vlmbot-tiny against the OWL-ViT B/32 architecture on the same RGB-D frames.

OWL-ViT is built from transformers' default `OwlViTConfig()` (B/32, 768 px) with random
weights: the compute is the real model's, no download needed. Both detect with 10 cached text
queries and lift boxes to 3D with depth; runs alternate frame by frame on one thread, and the
medians and their ratio come from the same run.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

QUERIES = (
    "red block", "blue cube", "mug", "yellow duck", "the bowl", "green plate", "tray",
    "small cylinder", "lego brick", "something you can drink from",
)  # fmt: skip


class _ImageProcessorOnly:
    """The OWL backend reads only `image_processor` once queries come pre-encoded."""

    def __init__(self, image_processor: Any) -> None:
        self.image_processor = image_processor
        self.tokenizer = None


def owlvit_b32_random() -> tuple[Any, Any]:
    """(detector, cached query embeddings) for OWL-ViT B/32 with random weights."""
    import torch
    import transformers

    from vlmbot.models.backends.owl import OwlDetector, _frame
    from vlmbot.models.base import QueryEmbeddings

    transformers.utils.logging.set_verbosity_error()
    torch.manual_seed(0)
    config = transformers.OwlViTConfig()
    model = transformers.OwlViTForObjectDetection(config).eval()
    processor = transformers.OwlViTImageProcessor()
    name = "owlvit:b32-random"
    detector = OwlDetector(
        name, model, _ImageProcessorOnly(processor), "cpu", 1, _frame("owlvit", processor)
    )
    embeddings = np.random.default_rng(0).normal(size=(len(QUERIES), config.projection_dim))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    return detector, QueryEmbeddings(QUERIES, embeddings.astype(np.float32), name)


def sample_frames(n: int) -> list[Any]:
    """n RGB-D frames (224x224) of seeded simulator scenes: (rgb, depth, camera)."""
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, build_episode

    frames = []
    with TabletopEnv() as env:
        for seed in range(n):
            env.reset(build_episode(EpisodeSpec("refer_attribute", seed)).scene)
            obs = env.observe(("front",) if seed % 2 else ("top",))
            frame = next(iter(obs.frames.values()))
            frames.append((frame.rgb, frame.depth, frame.camera))
    return frames


def run(frames: int = 6, tiny_repeats: int = 5, model: Any = None) -> dict[str, Any]:
    """{"tiny_ms", "owlvit_b32_ms", "ratio"} plus details; medians over interleaved runs."""
    import torch

    from vlmbot.models.registry import load_model

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        tiny = model or load_model("tiny")
        tiny_queries = tiny.encode_queries(list(QUERIES))
        owl, owl_queries = owlvit_b32_random()
        data = sample_frames(frames)
        tiny.detect(data[0][0], tiny_queries, depth=data[0][1], camera=data[0][2])  # warm-up
        owl.detect(data[0][0], owl_queries, depth=data[0][1], camera=data[0][2])
        tiny_ms, owl_ms = [], []
        for rgb, depth, camera in data:
            frame = {"depth": depth, "camera": camera}
            tiny_ms += [
                _timed(tiny.detect, rgb, tiny_queries, **frame) for _ in range(tiny_repeats)
            ]
            owl_ms.append(_timed(owl.detect, rgb, owl_queries, **frame))
    finally:
        torch.set_num_threads(threads)
    tiny_median, owl_median = float(np.median(tiny_ms)), float(np.median(owl_ms))
    return {
        "tiny_ms": round(tiny_median, 2),
        "owlvit_b32_ms": round(owl_median, 2),
        "ratio": round(owl_median / tiny_median, 1),
        "tiny_p90_ms": round(float(np.percentile(tiny_ms, 90)), 2),
        "frames": len(data),
        "threads": 1,
        "queries": len(QUERIES),
        "input": "224x224 RGB-D, detection + 3D positions",
    }


def _timed(fn: Any, *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000
