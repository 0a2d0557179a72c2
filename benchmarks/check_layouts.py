"""Every seed builds a scene: free scenes (`vlmbot run --seed`, `vlmbot sim render --seed`) for
every split and, with --tasks, every task family's episode. Layout only (no rendering).

    python -m benchmarks.check_layouts                 # seeds 0-10000, free scenes, all splits
    python -m benchmarks.check_layouts --tasks --last 500

Exit status 1 when any seed fails; the failures are listed.
"""

from __future__ import annotations

import argparse
import time

from vlmbot.errors import VlmbotError
from vlmbot.sim.scene import LayoutError
from vlmbot.tasks.suite import FAMILIES, EpisodeSpec, build_episode, free_episode
from vlmbot.tasks.wording import SPLITS


def check(first: int, last: int, tasks: bool) -> tuple[int, list[str]]:
    """(scenes built, failures as 'kind seed split: error') over seeds first..last."""
    built, failures = 0, []
    for seed in range(first, last + 1):
        for split in SPLITS:
            jobs = [("free", lambda s=seed, sp=split: free_episode(s, "", sp))]
            if tasks:
                jobs += [
                    (name, lambda n=name, s=seed, sp=split: build_episode(EpisodeSpec(n, s, sp)))
                    for name in FAMILIES
                ]
            for kind, job in jobs:
                try:
                    job()
                    built += 1
                except (LayoutError, VlmbotError, RuntimeError) as exc:
                    failures.append(f"{kind} {seed} {split}: {exc}")
    return built, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--last", type=int, default=10000)
    parser.add_argument("--tasks", action="store_true", help="also every task family's episode")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    built, failures = check(args.first, args.last, args.tasks)
    seconds = time.perf_counter() - start
    kinds = "free scenes and task episodes" if args.tasks else "free scenes"
    print(
        f"seeds {args.first}-{args.last}, {len(SPLITS)} splits, {kinds}: {built} built, "
        f"{len(failures)} failed ({seconds:.0f} s)"
    )
    for failure in failures[:50]:
        print("  FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
