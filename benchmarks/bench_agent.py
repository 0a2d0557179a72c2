"""The vlm agent's decision latency (perception + grounding + planning, no simulation) per
step, median and p90 over the steps of a fixed set of episodes, one torch thread.

    python -m benchmarks.bench_agent [--json] [--episodes N]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np


def run(episodes: int = 18, seed: int = 1) -> dict[str, Any]:
    import torch

    from vlmbot.agents.vlm import VLMAgent
    from vlmbot.eval.harness import Recorder, run_episode
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import build_episode, sample_specs

    torch.set_num_threads(1)
    agent = VLMAgent()
    times: list[float] = []

    class Timer(Recorder):
        def observation(self, observation: Any) -> None:
            self.start = time.perf_counter()

        def decision(self, decision: Any) -> None:
            times.append((time.perf_counter() - self.start) * 1000)

    with TabletopEnv() as env:
        for spec in sample_specs(episodes, seed):
            run_episode(env, agent, build_episode(spec), recorder=Timer())
    return {
        "decision_ms_median": round(float(np.median(times)), 1),
        "decision_ms_p90": round(float(np.percentile(times, 90)), 1),
        "decisions": len(times),
        "episodes": episodes,
        "threads": 1,
        "cameras": 2,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--episodes", type=int, default=18)
    args = parser.parse_args(argv)
    result = run(args.episodes)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"vlm agent decision latency: median {result['decision_ms_median']} ms, "
            f"p90 {result['decision_ms_p90']} ms over {result['decisions']} decisions "
            f"({result['cameras']} RGB-D cameras, 1 thread)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
