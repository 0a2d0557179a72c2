"""`vlmbot eval` beyond argument parsing: which jobs (suite, episodes, resume), streaming each
finished episode as one JSON line (`--jsonl FILE`), and what an interrupt leaves behind.

Streaming: every finished episode is appended to the JSONL file and flushed at once, with its
job `key`; `--resume FILE` reads that file (a torn last line is ignored), skips the jobs it
holds, appends the rest to it and summarises all of them. An interrupt (Ctrl-C or SIGTERM)
stops the workers; with `--json` the episodes finished so far are still printed, as one JSON
object with `"interrupted": true`, so `eval --json > f` never leaves an empty file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from vlmbot.cli.common import MAX_JSON_BYTES, print_json
from vlmbot.errors import InputError

MAX_RESUME_BYTES = 512 * MAX_JSON_BYTES


def add_suite_arguments(parser: argparse.ArgumentParser) -> None:
    """--suite, --jsonl and --resume (the episode source group lives in eval_cmds)."""
    parser.add_argument(
        "--suite",
        choices=("tasks", "safety", "sensor-faults"),
        default="tasks",
        help="tasks: the task suite (default); safety: labelled hazardous, ambiguous and safe "
        "free instructions; sensor-faults: depth and camera faults (every one must be refused)",
    )
    parser.add_argument(
        "--cells",
        choices=("home", "heldout"),
        default="home",
        help="tasks suite: the home cell (default) or the held-out robot cells (other arms, "
        "cameras, lights and objects, never used in training)",
    )
    parser.add_argument(
        "--jsonl", help="append each finished episode to this file as one JSON line"
    )
    parser.add_argument(
        "--resume",
        help="a --jsonl file of an interrupted run: skip its episodes, append the rest to it",
    )


def cell_name(args: argparse.Namespace) -> str:
    """The episode cell from --cell (checked now: a bad file is one line)."""
    from vlmbot.sim.cells import resolve_cell

    path = getattr(args, "cell", None)
    if not path:
        return "home"
    resolve_cell(path)
    return path


def select_jobs(args: argparse.Namespace) -> list[Any]:
    """The jobs of the chosen suite (first --episodes of a fixed suite, if given)."""
    from vlmbot.eval.suites import suite_jobs
    from vlmbot.tasks.suite import read_episodes_file, sample_specs

    if args.suite == "tasks":
        if args.episodes_file:
            return list(read_episodes_file(args.episodes_file))
        if args.episodes is None:
            raise InputError("give --episodes N or --episodes-file FILE (or another --suite)")
        specs = sample_specs(args.episodes, args.seed, getattr(args, "cells", "home"))
        cell = getattr(args, "cell", None)
        if cell:
            if getattr(args, "cells", "home") != "home":
                raise InputError("give --cell FILE or --cells heldout, not both")
            name = cell_name(args)
            specs = [dataclasses.replace(s, cell=name) for s in specs]
        return list(specs)
    if args.episodes_file:
        raise InputError(f"--episodes-file is for the tasks suite, not --suite {args.suite}")
    jobs = suite_jobs(args.suite)
    return jobs[: args.episodes] if args.episodes else jobs


def read_finished(path: str) -> dict[str, dict[str, Any]]:
    """key → episode record of a --jsonl file; a torn last line (an interrupt mid-write) is
    skipped, any other bad line is an InputError."""
    file = Path(path)
    if not file.exists():
        return {}
    if not file.is_file() or file.stat().st_size > MAX_RESUME_BYTES:
        raise InputError(f"--resume {path} is not a JSONL file of at most {MAX_RESUME_BYTES} B")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read --resume {path}: {exc}") from None
    finished = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if number == len(lines):
                break
            raise InputError(f"{path}:{number}: not a JSON line") from None
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            raise InputError(f"{path}:{number}: not an episode record of vlmbot eval --jsonl")
        finished[record["key"]] = record
    return finished


class Stream:
    """Appends finished episodes to a JSONL file, one flushed line each."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.handle: TextIO | None = None
        if path:
            try:
                self.handle = Path(path).open("a", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None

    def write(self, key: str, record: dict[str, Any]) -> None:
        if self.handle is None:
            return
        try:
            self.handle.write(json.dumps({"key": key, **record}) + "\n")
            self.handle.flush()
        except OSError as exc:
            raise InputError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def run_eval(args: argparse.Namespace, agent_name: str, agent_options: dict[str, Any]) -> int:
    from vlmbot.eval.harness import EpisodeResult
    from vlmbot.eval.runner import format_table, print_progress, run_specs, summarize
    from vlmbot.eval.suites import job_key

    jobs = select_jobs(args)
    stream_path = args.jsonl or args.resume
    if args.jsonl and args.resume and Path(args.jsonl).resolve() != Path(args.resume).resolve():
        raise InputError("--resume appends to its own file; give --jsonl the same file or none")
    finished = read_finished(args.resume) if args.resume else {}
    done = [EpisodeResult.from_record(finished[job_key(j)]) for j in jobs if job_key(j) in finished]
    todo = [j for j in jobs if job_key(j) not in finished]
    print(
        f"running {len(todo)} episodes with agent {args.agent!r}"
        + (f" ({len(done)} already done in {args.resume})" if done else ""),
        file=sys.stderr,
    )
    stream, new = Stream(stream_path), []

    def on_result(index: int, result: EpisodeResult) -> None:
        new.append(result)
        stream.write(job_key(todo[index]), {**result.contract(), "steps": result.steps})

    try:
        results = run_specs(
            todo, agent_name, agent_options, args.workers, print_progress, on_result
        )
    except KeyboardInterrupt:
        if args.json:
            partial = [*done, *new]
            _print(partial, summarize, interrupted=True)
        raise
    finally:
        stream.close()
    fresh = iter(results)  # in the order of `todo`, which keeps the order of `jobs`
    all_results = [
        EpisodeResult.from_record(finished[job_key(j)]) if job_key(j) in finished else next(fresh)
        for j in jobs
    ]
    if args.json:
        _print(all_results, summarize, interrupted=False)
    else:
        print(format_table(summarize(all_results)))
    return 0


def _print(results: list[Any], summarize: Any, interrupted: bool) -> None:
    record: dict[str, Any] = {
        "summary": summarize(results),
        "episodes": [r.contract() for r in results],
    }
    if interrupted:
        record["interrupted"] = True
    print_json(record)
