"""The training prompt bank: seen phrases only, with which categories each describes.

A phrase is positive for every category it describes (affordance phrases describe several), so
region-text alignment is trained multi-label with a sigmoid loss.
"""

from __future__ import annotations

import numpy as np

from vlmbot.lexicon.concepts import AFFORDANCE_PHRASES, CONCEPTS, DESCRIPTIONS

TEMPLATES = ("{}", "a {}", "the {}", "a photo of a {}", "a small {}")


def prompt_bank(categories: list[str]) -> tuple[list[str], np.ndarray]:
    """Phrases (P,) and labels (C, P) for the training categories (held-out ones excluded)."""
    phrases: dict[str, set[str]] = {}

    def add(phrase: str, category: str) -> None:
        phrases.setdefault(phrase, set()).add(category)

    for category in categories:
        for name in CONCEPTS[category].names:
            for template in TEMPLATES:
                add(template.format(name), category)
        for description in DESCRIPTIONS.get(category, ()):
            add(description, category)
        for affordance in CONCEPTS[category].affordances:
            for phrase in AFFORDANCE_PHRASES.get(affordance, ()):
                add(phrase, category)
    ordered = sorted(phrases)
    labels = np.zeros((len(categories), len(ordered)), dtype=np.float32)
    for j, phrase in enumerate(ordered):
        for category in phrases[phrase]:
            labels[categories.index(category), j] = 1.0
    return ordered, labels
