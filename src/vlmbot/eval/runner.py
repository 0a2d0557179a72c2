"""Run many episodes in worker processes, with progress, and summarise them.

Workers die with their parent: each asks the kernel for SIGTERM when the parent goes
(PR_SET_PDEATHSIG on Linux) and also watches its parent id, ignores Ctrl-C (the parent handles
it), and the parent terminates them when it is interrupted. A worker that cannot build its agent
(a model that does not load) reports that error as one InputError, not a broken pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from vlmbot.cell import RobotCell
from vlmbot.errors import InputError, VlmbotError
from vlmbot.eval.harness import EpisodeResult, run_episode
from vlmbot.eval.suites import Job, build_job
from vlmbot.eval.summary import format_table, summarize

__all__ = ["default_workers", "format_table", "print_progress", "run_specs", "summarize"]

Progress = Callable[[int, int, EpisodeResult], None]
OnResult = Callable[[int, EpisodeResult], None]
MAX_WORKERS = 32

_worker: dict[str, Any] = {}


def _die_with_parent(parent: int) -> None:
    """Ask for SIGTERM when the parent dies; poll its id as a fallback (other systems)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(agent_name: str, agent_options: dict[str, Any], parent: int | None) -> None:
    if parent is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(parent)
    import torch

    torch.set_num_threads(1)
    from vlmbot.agents.base import make_agent
    from vlmbot.sim.env import TabletopEnv

    try:
        _worker["agent"] = make_agent(agent_name, **agent_options)
    except VlmbotError as exc:
        _worker["error"] = InputError(str(exc))
        return
    _worker["env"] = TabletopEnv()
    _worker["agents"] = {"home": _worker["agent"]}  # make_agent builds for the home cell
    _worker["make"] = lambda cell: make_agent(agent_name, cell=cell, **agent_options)


def _agent_for(cell: RobotCell) -> Any:
    """One agent per robot cell (it plans for that cell's gripper, reach and cameras)."""
    agents: dict[str, Any] = _worker["agents"]
    if cell.name not in agents:
        agents[cell.name] = _worker["make"](cell)
    return agents[cell.name]


def _run_one(index: int, job: Job) -> tuple[int, EpisodeResult]:
    if "error" in _worker:
        raise _worker["error"]
    episode = build_job(job)
    return index, run_episode(_worker["env"], _agent_for(episode.cell.robot), episode)


def default_workers(n_episodes: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_episodes, 4))


def run_specs(
    specs: Sequence[Job],
    agent_name: str,
    agent_options: dict[str, Any] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    on_result: OnResult | None = None,
) -> list[EpisodeResult]:
    """Results in the order of `specs` (EpisodeSpec, SafetyCase or FaultCase jobs); progress
    and on_result (with the job's index) see each result as it finishes. workers=1 runs in
    this process."""
    options = agent_options or {}
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"workers must be in [1, {MAX_WORKERS}], got {workers}")
    workers = workers or default_workers(len(specs))
    if not specs:
        return []

    def report(done: int, index: int, result: EpisodeResult) -> None:
        if on_result:
            on_result(index, result)
        if progress:
            progress(done, len(specs), result)

    if workers == 1:
        return _run_here(specs, agent_name, options, report)
    results: list[EpisodeResult | None] = [None] * len(specs)
    context = mp.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, _init_worker, (agent_name, options, os.getpid()))
    try:
        futures = [pool.submit(_run_one, i, spec) for i, spec in enumerate(specs)]
        for done, future in enumerate(as_completed(futures), 1):
            index, result = future.result()
            results[index] = result
            report(done, index, result)
    except BrokenProcessPool:
        _stop(pool)
        raise InputError("an eval worker process died (out of memory?); see its output") from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return results  # type: ignore[return-value]


def _run_here(
    specs: Sequence[Job],
    agent_name: str,
    options: dict[str, Any],
    report: Callable[[int, int, EpisodeResult], None],
) -> list[EpisodeResult]:
    _worker.clear()
    _init_worker(agent_name, options, None)
    results = []
    try:
        for i, spec in enumerate(specs):
            results.append(_run_one(i, spec)[1])
            report(i + 1, i, results[-1])
    finally:
        if "env" in _worker:
            _worker["env"].close()
        _worker.clear()
    return results


def _stop(pool: ProcessPoolExecutor, grace: float = 3.0) -> None:
    """Terminate every worker now (then kill what is left after `grace` seconds)."""
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def print_progress(done: int, total: int, result: EpisodeResult) -> None:
    mark = "ok " if result.success else "FAIL"
    print(
        f"[{done:>4}/{total}] {mark} {result.task:<18} {result.split:<18} "
        f"{result.outcome:<8} {result.instruction[:60]}",
        file=sys.stderr,
        flush=True,
    )
