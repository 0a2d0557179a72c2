"""The model card states what the run measured: the cell table and the pixel sizes it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from training.model_card import _needed_size, write_model_card

PARAMS = {
    "proposals": 10,
    "regions": 20,
    "text": 30,
    "color": 5,
    "embed_dim": 128,
    "input_long_side": 320,
}


def _record(recall: dict[str, float]) -> dict:
    pooled = {"category": 0.95, "colour": 0.97, "arm_parts_as_objects": 0, "objects": 40}
    pooled |= {f"recall_{k}": v for k, v in recall.items()}
    return {
        "seed": 0,
        "scenes": 10,
        "frames": 20,
        "crops": 100,
        "categories": ["block", "bowl"],
        "phrases": 7,
        "threads": 2,
        "render": {"frames": 20, "seconds": 1.0, "frames_per_second": 20.0, "workers": 2},
        "detector": {"steps": 3, "seconds": 2.0},
        "regions": {"steps": 4, "seconds": 3.0},
        "colors": {"steps": 5, "samples": 50, "seconds": 1.5, "final_lab_l1": 4.2},
        "total_seconds": 12.5,
        "metrics": {"splits": {}, "latency_ms": {"median": 17.0, "p90": 18.0}},
        "cells": {"scenes_per_cell": 2, "home": pooled, "heldout": pooled},
    }


@pytest.mark.parametrize(
    ("recall", "needed"),
    [
        ({"<8px": 0.2, "8-12px": 0.85, "12-16px": 0.95, ">=32px": 1.0}, 12),
        ({"<8px": 0.2, "8-12px": 0.95, "12-16px": 0.8, ">=32px": 0.99}, 32),
    ],
)
def test_needed_size_is_where_recall_stays_high(recall: dict[str, float], needed: int) -> None:
    text = _needed_size({"heldout": {f"recall_{k}": v for k, v in recall.items()}})
    assert f"about {needed} px" in text


def test_high_recall_everywhere_claims_no_size_it_did_not_measure() -> None:
    text = _needed_size({"heldout": {"recall_<8px": 0.95, "recall_>=32px": 1.0}})
    assert "the smallest included" in text and "not measured" in text


def test_buckets_of_few_objects_do_not_count() -> None:
    pooled = {"recall_<8px": 1.0, "recall_<8px_n": 3, "recall_8-12px": 0.95, "recall_>=32px": 1.0}
    assert "about 8 px" in _needed_size({"heldout": pooled})


def test_no_bucket_reaching_the_bar_says_so() -> None:
    assert "No size bucket" in _needed_size({"heldout": {"recall_>=32px": 0.5}})


def test_card_carries_the_run(tmp_path: Path) -> None:
    card = tmp_path / "MODEL_CARD.md"
    write_model_card(card, _record({"<8px": 0.3, "8-12px": 0.92, ">=32px": 1.0}), PARAMS, 2.1)
    text = card.read_text()
    assert "Trainable parameters: 65;" in text
    assert "| 8-12px | 0.920 |" in text
    assert "about 8 px" in text
    assert "12.5 s" in text
    assert "Colour head: 5 steps on 50 objects" in text
