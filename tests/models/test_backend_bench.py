"""Helpers of benchmarks/bench_backends.py (the benchmark itself is run by hand)."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_backends.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_backends", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_clip_style_word_tokenizer_avoids_the_owl_traps(bench: ModuleType) -> None:
    tokenizer = bench.word_tokenizer(["a red mug"], 1000, clip_style=True)
    ids = tokenizer(["a red mug", "mug"], padding="max_length", max_length=8)["input_ids"]
    for row in ids:
        assert row[0] == 998 > 0  # bos first and non-zero: OWL masks queries starting with 0
        assert max(row) == 999  # eos is the largest id: OWL and CLIP pool at the argmax
    assert ids[0][:5] == [998, *tokenizer.convert_tokens_to_ids(["a", "red", "mug"]), 999]
    siglip = bench.word_tokenizer(["a red mug"], 1000, clip_style=False)
    assert siglip("a mug")["input_ids"][-1] == 999 and siglip("a mug")["input_ids"][0] != 998


def test_paired_median_ms_times_both_alternatives(bench: ModuleType) -> None:
    fast, slow = bench.paired_median_ms(lambda: None, lambda: time.sleep(0.005), reps=3)
    assert 0 <= fast < slow and slow >= 5


def test_main_reports_a_skipped_config_as_json(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--only", "idefics", "--json", "--max-wait", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["results"]
    assert row["family"] == "idefics" and row["batch1_ms"] is None
    assert "GiB" in row["note"] and row["params_m"] > 1000 and out["threads"] >= 1
