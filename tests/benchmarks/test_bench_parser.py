"""The parser benchmark runs and reports what it claims to measure."""

from benchmarks.bench_parser import run


def test_parser_benchmark_reports_time_and_accuracy():
    report = run(repeats=1)
    assert report["instructions"] >= 500
    assert 0 < report["parse_ms_median"] <= report["parse_ms_p90"] <= report["parse_ms_max"]
    assert 0.9 <= report["construction_accuracy"] <= 1.0
    assert "negation" in report["construction_by_class"]
