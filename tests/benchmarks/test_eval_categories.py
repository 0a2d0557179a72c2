"""The category-accuracy evaluation runs end to end on a couple of scenes."""

import pytest
from benchmarks.eval_categories import run

pytestmark = pytest.mark.sim


def test_category_accuracy_report_covers_both_classifiers():
    """The shipped model on a few scenes: seen categories are recognised, and the shape prior
    recognises more held-out categories than appearance alone (0.04 → 0.71 on 80 scenes)."""
    report = run(scenes=3)
    for name in ("appearance", "appearance+shape"):
        result = report[name]
        assert result["objects"]["seen"] >= 5 and result["objects"]["heldout"] >= 2
        assert result["seen_categories"] >= 0.8, result
        assert set(result["per_heldout_category"]) == {"domino", "soccer_ball", "teddy_bear"}
    shaped, plain = report["appearance+shape"], report["appearance"]
    assert shaped["heldout_categories"] > plain["heldout_categories"], report
