"""`make bench`: every benchmark, one after another (never in parallel: they share 2 cores)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("benchmarks.bench_sim",)


def main() -> int:
    status = 0
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        status |= module.main(sys.argv[1:])
    return status


if __name__ == "__main__":
    raise SystemExit(main())
