"""Size words: every word that asks for the smaller or the larger of some objects."""

from __future__ import annotations

SIZE_WORDS = {
    "small": "small", "little": "small", "tiny": "small", "smaller": "small", "smallest": "small",
    "large": "large", "big": "large", "huge": "large", "bigger": "large", "biggest": "large",
    "larger": "large", "largest": "large",
}  # fmt: skip
