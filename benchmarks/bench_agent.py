"""The vlm agent's decision latency (perception + grounding + planning, no simulation), one
torch thread, one run.

- `decision_ms`: per camera rig, the median time of `agent.decide` on rendered observations of
  seeded home-cell scenes: the home cell's two 224x224 cameras (`2x224x224`), three 640x480
  cameras around the table (`3x640x480`) and one 1280x720 camera (`1x1280x720`). Beside them,
  OWL-ViT B/32 (default config, random weights: the real compute, no download) detecting with
  10 cached queries on the same 640x480 frames (`owlvit_b32_ms`: per frame, and per 3-camera
  observation).
- `decision_ms_median` / `decision_ms_p90`: every step of a fixed set of closed-loop home-cell
  episodes (two 224x224 cameras).

    python -m benchmarks.bench_agent [--json] [--episodes N] [--scenes N] [--owl-frames N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from vlmbot.cell import HOME_CELL, CellCamera, RobotCell

#: Table centre the benchmark cameras look at (world, metres): the home workspace's centre.
TARGET = (0.52, 0.0, 0.0)
#: Three 640x480 cameras around the table (never behind the arm): front, left, right.
RING = (
    ("front", (1.15, 0.0, 0.75)),
    ("left", (0.70, 0.62, 0.70)),
    ("right", (0.70, -0.62, 0.70)),
)


def rig_cameras(rig: str) -> tuple[CellCamera, ...]:
    """The cameras of a benchmark rig, named "{count}x{width}x{height}"."""
    if rig == "2x224x224":
        return HOME_CELL.cameras
    if rig == "3x640x480":
        return tuple(
            CellCamera.looking_at(name, eye, TARGET, 55.0, (640, 480)) for name, eye in RING
        )
    if rig == "1x1280x720":
        return (CellCamera.looking_at("wide", (1.10, 0.0, 0.85), TARGET, 55.0, (1280, 720)),)
    raise ValueError(f"unknown rig {rig!r}; rigs: {', '.join(RIGS)}")


RIGS = ("2x224x224", "3x640x480", "1x1280x720")


def rig_cell(rig: str) -> RobotCell:
    """The home cell (table, arm, workspace, vocabulary) seen through a rig's cameras."""
    return replace(HOME_CELL, name=f"bench-{rig}", cameras=rig_cameras(rig))


def rig_observations(rig: str, scenes: int, seed: int) -> list[tuple[Any, str]]:
    """(observation, instruction) of `scenes` seeded home-cell episodes through a rig."""
    from vlmbot.sim.cells import SimCell
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import build_episode, sample_specs

    out = []
    with TabletopEnv(cell=SimCell(rig_cell(rig))) as env:
        for spec in sample_specs(scenes, seed):
            episode = build_episode(spec)
            env.reset(replace(episode.scene, cameras=None))
            out.append((env.observe(), episode.instruction))
    return out


def time_decisions(agent: Any, observations: Sequence[tuple[Any, str]]) -> list[float]:
    """Milliseconds of each first decision (after one untimed warm-up decision)."""
    agent.reset()
    agent.decide(*observations[0])
    times = []
    for observation, instruction in observations:
        agent.reset()
        start = time.perf_counter()
        agent.decide(observation, instruction)
        times.append((time.perf_counter() - start) * 1000)
    return times


def owl_times(frames: Sequence[Any]) -> list[float]:
    """Milliseconds per frame of OWL-ViT B/32 detection + 3D lifting (after a warm-up)."""
    from vlmbot.eval.tiny_bench import _timed, owlvit_b32_random

    owl, queries = owlvit_b32_random()
    first = frames[0]
    owl.detect(first.rgb, queries, depth=first.depth, camera=first.camera)
    return [_timed(owl.detect, f.rgb, queries, depth=f.depth, camera=f.camera) for f in frames]


def run_rigs(
    scenes: int = 12, seed: int = 3, owl_frames: int = 6, rigs: Sequence[str] = RIGS
) -> dict[str, Any]:
    """{"decision_ms": {rig: median}, "decision_p90_ms": {rig: p90}, "owlvit_b32_ms": {...}}."""
    from vlmbot.agents.vlm import VLMAgent
    from vlmbot.models.compose import build_stages

    stages = build_stages("tiny", None)
    medians, p90s, big_frames = {}, {}, []
    for rig in rigs:
        observations = rig_observations(rig, scenes, seed)
        times = time_decisions(VLMAgent(stages, cell=rig_cell(rig)), observations)
        medians[rig] = round(float(np.median(times)), 1)
        p90s[rig] = round(float(np.percentile(times, 90)), 1)
        if rig == "3x640x480":
            big_frames = [f for obs, _ in observations for f in obs.frames.values()]
    result: dict[str, Any] = {"decision_ms": medians, "decision_p90_ms": p90s, "scenes": scenes}
    if owl_frames and big_frames:
        per_frame = owl_times(big_frames[:owl_frames])
        per_obs = [sum(per_frame[i : i + 3]) for i in range(0, len(per_frame) - 2, 3)]
        result["owlvit_b32_ms"] = {
            "640x480": round(float(np.median(per_frame)), 1),
            "3x640x480": round(float(np.median(per_obs)), 1) if per_obs else None,
            "frames": len(per_frame),
            "note": "detection + 3D lifting only (no grounding or planning), 10 cached queries",
        }
    return result


def run_episodes(episodes: int = 18, seed: int = 1) -> dict[str, Any]:
    """Every decision of closed-loop home-cell episodes: median and p90 milliseconds."""
    from vlmbot.agents.vlm import VLMAgent
    from vlmbot.eval.harness import Recorder, run_episode
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import build_episode, sample_specs

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
        "cameras": 2,
    }


def run(episodes: int = 18, scenes: int = 12, owl_frames: int = 6) -> dict[str, Any]:
    """Both measurements, one torch thread (and one BLAS thread for numpy where threadpoolctl
    is installed: `blas_threads` says which)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    blas, blas_threads = _one_blas_thread()
    try:
        with blas:
            result = run_episodes(episodes) if episodes else {}
            result.update(run_rigs(scenes, owl_frames=owl_frames))
    finally:
        torch.set_num_threads(threads)
    return {**result, "threads": 1, "blas_threads": blas_threads}


def _one_blas_thread() -> tuple[contextlib.AbstractContextManager[Any], int | str]:
    """A context limiting numpy's BLAS to one thread, and the count it sets ("default" when
    threadpoolctl is not installed)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext(), "default"
    return threadpool_limits(limits=1, user_api="blas"), 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--episodes", type=int, default=18)
    parser.add_argument("--scenes", type=int, default=12)
    parser.add_argument("--owl-frames", type=int, default=6)
    args = parser.parse_args(argv)
    result = run(args.episodes, args.scenes, args.owl_frames)
    if args.json:
        print(json.dumps(result))
        return 0
    if "decision_ms_median" in result:
        print(
            f"closed loop, 2 cameras: median {result['decision_ms_median']} ms, "
            f"p90 {result['decision_ms_p90']} ms over {result['decisions']} decisions"
        )
    for rig, ms in result["decision_ms"].items():
        print(f"decision {rig:>11}: median {ms:8.1f} ms over {result['scenes']} scenes, 1 thread")
    owl = result.get("owlvit_b32_ms")
    if owl:
        print(
            f"OWL-ViT B/32 same 640x480 frames: {owl['640x480']} ms/frame, "
            f"{owl['3x640x480']} ms per 3 frames ({owl['note']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
