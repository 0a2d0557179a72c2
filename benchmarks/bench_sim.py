"""Simulator throughput: render ms per frame (per camera, with and without the robot), physics
steps per second, and episode wall time with the oracle. Medians over repeats.

    python -m benchmarks.bench_sim [--json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np


def _median_ms(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def run(quick: bool = False) -> dict[str, Any]:
    from vlmbot.eval.harness import run_episode
    from vlmbot.eval.oracle import OracleAgent
    from vlmbot.sim._pybullet import pb
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, build_episode

    repeats = 5 if quick else 20
    scene = build_episode(EpisodeSpec("put_in", 1)).scene
    results: dict[str, Any] = {"render_ms": {}}
    for with_robot in (True, False):
        with TabletopEnv(with_robot=with_robot) as env:
            env.reset(scene)
            for name, camera in env.cameras.items():
                key = (
                    f"{name}_{camera.width}x{camera.height}_{'robot' if with_robot else 'no_robot'}"
                )
                results["render_ms"][key] = _median_ms(lambda n=name: env.render(n), repeats)
            if with_robot:
                steps = 240 if quick else 2400
                start = time.perf_counter()
                for _ in range(steps):
                    pb.stepSimulation(physicsClientId=env.client)
                results["sim_steps_per_second"] = round(steps / (time.perf_counter() - start), 1)
    episode_s: dict[str, list[float]] = {}
    with TabletopEnv() as env:
        for task in ("put_in", "stack", "multi_step", "question"):
            for seed in range(1 if quick else 3):
                episode = build_episode(EpisodeSpec(task, seed))
                start = time.perf_counter()
                run_episode(env, OracleAgent(), episode)
                episode_s.setdefault(task, []).append(time.perf_counter() - start)
    results["episode_wall_s_median"] = {
        k: round(float(np.median(v)), 2) for k, v in episode_s.items()
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    results = run(args.quick)
    if args.json:
        print(json.dumps(results))
    else:
        print("simulator (PyBullet DIRECT, TinyRenderer, shadows off)")
        for key, value in results["render_ms"].items():
            print(f"  render {key:<32} {value:8.2f} ms/frame (median)")
        print(f"  physics steps per second            {results['sim_steps_per_second']:8.1f}")
        for task, seconds in results["episode_wall_s_median"].items():
            print(f"  episode wall time, oracle, {task:<10} {seconds:8.2f} s (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
