"""`make bench`: every benchmark, one after another (never in parallel: they share 2 cores)."""

from __future__ import annotations

import importlib

BENCHMARKS: tuple[tuple[str, list[str]], ...] = (
    ("benchmarks.bench_sim", []),
    ("benchmarks.bench_tiny", []),
    ("benchmarks.bench_agent", []),
    ("benchmarks.bench_parser", []),
    ("benchmarks.eval_categories", []),
    ("benchmarks.bench_backends", ["--threads", "1", "--quick"]),
)


def main() -> int:
    status = 0
    for name, argv in BENCHMARKS:
        print(f"\n=== {name} {' '.join(argv)} ===", flush=True)
        status |= importlib.import_module(name).main(argv)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
