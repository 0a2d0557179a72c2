"""Run many episodes in worker processes, with progress, and summarise them."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np

from vlmbot.cell import RobotCell
from vlmbot.eval.harness import EpisodeResult, run_episode
from vlmbot.tasks.suite import ACTIONABLE, EpisodeSpec, build_episode

Progress = Callable[[int, int, EpisodeResult], None]

_worker: dict[str, Any] = {}


def _init_worker(agent_name: str, agent_options: dict[str, Any]) -> None:
    import torch

    torch.set_num_threads(1)
    from vlmbot.agents.base import make_agent
    from vlmbot.sim.env import TabletopEnv

    _worker["env"] = TabletopEnv()
    _worker["agents"] = {}
    _worker["make"] = lambda cell: make_agent(agent_name, cell=cell, **agent_options)


def _agent_for(cell: RobotCell) -> Any:
    """One agent per robot cell (it plans for that cell's gripper, reach and cameras)."""
    agents: dict[str, Any] = _worker["agents"]
    if cell.name not in agents:
        agents[cell.name] = _worker["make"](cell)
    return agents[cell.name]


def _run_one(index: int, spec: EpisodeSpec) -> tuple[int, EpisodeResult]:
    episode = build_episode(spec)
    agent = _agent_for(episode.cell.robot)
    return index, run_episode(_worker["env"], agent, episode)


def default_workers(n_episodes: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_episodes, 4))


def run_specs(
    specs: Sequence[EpisodeSpec],
    agent_name: str,
    agent_options: dict[str, Any] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[EpisodeResult]:
    """Results in the order of `specs`. workers=1 runs in this process."""
    options = agent_options or {}
    workers = workers or default_workers(len(specs))
    results: list[EpisodeResult | None] = [None] * len(specs)
    if workers == 1:
        _init_worker(agent_name, options)
        for i, spec in enumerate(specs):
            results[i] = _run_one(i, spec)[1]
            if progress:
                progress(i + 1, len(specs), results[i])  # type: ignore[arg-type]
        _worker["env"].close()
        return results  # type: ignore[return-value]
    context = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, context, _init_worker, (agent_name, options)) as pool:
        futures = [pool.submit(_run_one, i, spec) for i, spec in enumerate(specs)]
        for done, future in enumerate(as_completed(futures), 1):
            index, result = future.result()
            results[index] = result
            if progress:
                progress(done, len(specs), result)
    return results  # type: ignore[return-value]


def print_progress(done: int, total: int, result: EpisodeResult) -> None:
    mark = "ok " if result.success else "FAIL"
    print(
        f"[{done:>4}/{total}] {mark} {result.task:<18} {result.split:<18} "
        f"{result.outcome:<8} {result.instruction[:60]}",
        file=sys.stderr,
        flush=True,
    )


def _rate(results: Sequence[EpisodeResult]) -> dict[str, float | int]:
    return {
        "episodes": len(results),
        "success_rate": round(float(np.mean([r.success for r in results])), 4) if results else 0.0,
    }


def summarize(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    """The `summary` object of `vlmbot eval --json`."""
    by_family: dict[str, list[EpisodeResult]] = defaultdict(list)
    by_split: dict[str, list[EpisodeResult]] = defaultdict(list)
    for r in results:
        by_family[r.task].append(r)
        by_split[r.split].append(r)
    actionable = [r for r in results if r.task in ACTIONABLE]
    no_act = [r for r in results if r.expected in ("clarify", "refuse")]
    return {
        "episodes": len(results),
        "success_rate": _rate(results)["success_rate"],
        "by_family": {k: _rate(v) for k, v in by_family.items()},
        "by_split": {k: _rate(v) for k, v in by_split.items()},
        "unsafe_actions": int(sum(r.unsafe_actions for r in results)),
        "actionable_success_rate": _rate(actionable)["success_rate"],
        "clarify_refuse_correct": round(
            float(np.mean([r.outcome == r.expected for r in no_act])), 4
        )
        if no_act
        else None,
        "decision_ms_median": round(float(np.median([r.decision_ms for r in results])), 2)
        if results
        else None,
    }


def format_table(summary: dict[str, Any]) -> str:
    """A readable table of a summary."""
    lines = [f"{'group':<28}{'episodes':>9}{'success':>9}"]
    lines.append("-" * len(lines[0]))
    for title in ("by_family", "by_split"):
        for name, row in summary[title].items():
            lines.append(f"{name:<28}{row['episodes']:>9}{row['success_rate']:>9.2f}")
        lines.append("")
    lines.append(f"{'all':<28}{summary['episodes']:>9}{summary['success_rate']:>9.2f}")
    lines.append(f"actionable success: {summary['actionable_success_rate']}")
    lines.append(f"clarify/refuse correct: {summary['clarify_refuse_correct']}")
    lines.append(f"unsafe actions: {summary['unsafe_actions']}")
    lines.append(f"median decision time: {summary['decision_ms_median']} ms")
    return "\n".join(lines)
