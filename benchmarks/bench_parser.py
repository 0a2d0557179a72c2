"""The rule parser's time per instruction: every instruction of the construction suite and of
the task suite's 200 seed-7 episodes, parsed `--repeats` times each (after one warm-up pass that
builds the typo index and caches), median and p90 milliseconds; and the construction suite's
accuracy by class.

    python -m benchmarks.bench_parser [--json] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np


def instructions() -> tuple[list[str], list[tuple[str, str, str]]]:
    """(task suite instructions, construction suite (class, text, expected))."""
    from tests.language.construction_suite import load_suite

    from vlmbot.tasks.suite import build_episode, sample_specs

    tasks = [build_episode(spec).instruction for spec in sample_specs(200, 7)]
    suite = [(c.category, c.text, c.expected) for c in load_suite()]
    return tasks, suite


def run(repeats: int = 5) -> dict[str, Any]:
    from tests.language.construction_suite import rendered

    from vlmbot.language.instruction import parse_instruction

    tasks, suite = instructions()
    texts = tasks + [text for _, text, _ in suite]
    for text in texts:  # warm-up: the typo index, regexes, the English word list
        parse_instruction(text)
    times = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            parse_instruction(text)
            times.append((time.perf_counter() - start) * 1000)
    by_class: dict[str, list[int]] = {}
    for category, text, expected in suite:
        ok = rendered(parse_instruction(text), expected) == expected
        by_class.setdefault(category, [0, 0])
        by_class[category][0] += int(ok)
        by_class[category][1] += 1
    correct = sum(v[0] for v in by_class.values())
    return {
        "parse_ms_median": round(float(np.median(times)), 3),
        "parse_ms_p90": round(float(np.percentile(times, 90)), 3),
        "parse_ms_max": round(float(np.max(times)), 3),
        "instructions": len(texts),
        "repeats": repeats,
        "construction_accuracy": round(correct / len(suite), 4),
        "construction_instructions": len(suite),
        "construction_by_class": {k: f"{v[0]}/{v[1]}" for k, v in by_class.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    result = run(args.repeats)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"rule parser: median {result['parse_ms_median']} ms, p90 {result['parse_ms_p90']} ms "
            f"per instruction ({result['instructions']} instructions x {result['repeats']}); "
            f"construction suite accuracy {result['construction_accuracy']} "
            f"({result['construction_instructions']} instructions)"
        )
        for category, score in result["construction_by_class"].items():
            print(f"  {category:<16} {score}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
