"""The category-accuracy evaluation runs end to end on a couple of scenes."""

import pytest
from benchmarks.eval_categories import run

pytestmark = pytest.mark.sim


def test_category_accuracy_report_covers_both_classifiers():
    report = run(scenes=2)
    for name in ("appearance", "appearance+shape"):
        result = report[name]
        assert result["objects"]["seen"] > 0 and result["objects"]["heldout"] > 0
        assert 0.0 <= result["seen_categories"] <= 1.0
        assert set(result["per_heldout_category"]) == {"domino", "soccer_ball", "teddy_bear"}
