"""`vlmbot eval` (many episodes, scored) and `vlmbot run` (one episode, in detail)."""

from __future__ import annotations

import argparse
from typing import Any

from vlmbot.cli.common import MAX_SEED, bounded_int, print_json
from vlmbot.cli.eval_run import add_suite_arguments, cell_name, run_eval
from vlmbot.errors import InputError

MAX_EPISODES = 100_000  # = vlmbot.tasks.suite.MAX_EPISODES, checked before anything runs

DEFAULT_AGENT = "vlm"


def register(subparsers: argparse._SubParsersAction) -> None:
    ev = subparsers.add_parser("eval", help="run task-suite episodes and score an agent")
    ev.add_argument("--agent", default=DEFAULT_AGENT, help=f"agent name (default: {DEFAULT_AGENT})")
    source = ev.add_mutually_exclusive_group()
    source.add_argument(
        "--episodes",
        type=bounded_int(1, MAX_EPISODES),
        help="draw N episodes balanced over families and splits (another suite: its first N)",
    )
    source.add_argument(
        "--episodes-file", help="JSONL: {task, seed, instruction?, split?} per line"
    )
    ev.add_argument(
        "--seed",
        type=bounded_int(0, MAX_SEED),
        default=0,
        help="seed for drawing episodes (default: 0)",
    )
    ev.add_argument(
        "--workers",
        type=bounded_int(1, 32),
        help="worker processes (default: CPU count, at most 4)",
    )
    add_suite_arguments(ev)
    ev.add_argument(
        "--perception",
        choices=("model", "oracle"),
        default="model",
        help="vlm agent only: oracle = ground-truth objects (PRIVILEGED) to attribute failures",
    )
    _model_arguments(ev)
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(func=cmd_eval)

    run = subparsers.add_parser("run", help="run one instruction in a seeded scene")
    run.add_argument("--seed", type=bounded_int(0, MAX_SEED), required=True, help="scene seed")
    run.add_argument("--instruction", help="what to do (required unless --task gives one)")
    run.add_argument(
        "--agent", default=DEFAULT_AGENT, help=f"agent name (default: {DEFAULT_AGENT})"
    )
    run.add_argument("--task", help="use this task family's episode (scene, goal and check)")
    run.add_argument("--split", default="seen", help="split for --task (default: seen)")
    _label_arguments(run)
    _model_arguments(run)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(func=cmd_run)


def _label_arguments(parser: argparse.ArgumentParser) -> None:
    """--expect / --allow: label a free instruction so its actions are judged (see
    `vlmbot.tasks.suite.Label`); without a label only the workspace is checked."""
    parser.add_argument(
        "--expect",
        choices=("act", "clarify", "refuse", "answer"),
        help="free instruction: the right outcome (then any pick not --allow'ed is unsafe)",
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ID",
        help="free instruction with --expect act: an object id that may move (repeatable)",
    )


def _free_label(args: argparse.Namespace, episode: Any) -> Any:
    """The free episode with the --expect/--allow label, checked against the scene's ids."""
    import dataclasses

    from vlmbot.tasks.suite import Label
    from vlmbot.types import Outcome

    if args.expect is None:
        if args.allow:
            raise InputError("--allow needs --expect act")
        return episode
    ids = {o.id for o in episode.scene.objects}
    unknown = sorted(set(args.allow) - ids)
    if unknown:
        raise InputError(f"--allow {', '.join(unknown)}: no such object; objects: {sorted(ids)}")
    label = Label(Outcome(args.expect), frozenset(args.allow))
    return dataclasses.replace(episode, label=label)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default="tiny",
        help="vlm agent only: FAMILY:ID of a model with a region scorer (default: tiny)",
    )
    parser.add_argument(
        "--proposer",
        choices=("model", "depth"),
        help="vlm agent only: the model's own proposals, or depth geometry (default: the "
        "model's when it has them)",
    )
    parser.add_argument(
        "--cell",
        help="a robot cell file (JSON: workspace, table, gripper, cameras, base, arm; see "
        "cells/kuka.json): scenes and the agent are for that robot (default: the home cell)",
    )


def _agent(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The registered agent name and its options; model names are checked here, before any
    worker starts, so a bad one is one line."""
    from vlmbot.agents.base import ORACLE_PERCEPTION, registered_agents
    from vlmbot.models.compose import check_model_roles

    if args.agent not in registered_agents():
        raise InputError(f"unknown agent {args.agent!r}; agents: {', '.join(registered_agents())}")
    if args.agent != "vlm":
        return args.agent, {}
    check_model_roles(args.model, args.proposer)
    name = ORACLE_PERCEPTION if getattr(args, "perception", "model") == "oracle" else "vlm"
    return name, {"model": args.model, "proposer": args.proposer}


def cmd_eval(args: argparse.Namespace) -> int:
    agent_name, agent_options = _agent(args)
    return run_eval(args, agent_name, agent_options)


def cmd_run(args: argparse.Namespace) -> int:
    import torch

    from vlmbot.agents.base import make_agent
    from vlmbot.eval.harness import run_episode
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, build_episode, free_episode

    torch.set_num_threads(1)
    if args.task:
        if args.expect or args.allow:
            raise InputError("--expect/--allow label free instructions; a --task has its goal")
        spec = EpisodeSpec(args.task, args.seed, args.split, args.instruction, cell_name(args))
        episode = build_episode(spec)
    else:
        if args.instruction is None:
            raise InputError("give --instruction (or --task to use a task family's instruction)")
        EpisodeSpec("put_in", args.seed, args.split)  # validates seed and split
        free = free_episode(args.seed, args.instruction, args.split, cell_name(args))
        episode = _free_label(args, free)
    agent_name, agent_options = _agent(args)
    agent = make_agent(agent_name, cell=episode.cell.robot, **agent_options)
    with TabletopEnv() as env:
        result = run_episode(env, agent, episode)
    if args.json:
        record = result.contract()
        record.update(
            unsafe_checked=result.unsafe_checked,
            steps=result.steps,
            actions=result.actions,
            messages=result.messages,
            final_objects=result.final_objects,
        )
        print_json(record)
        return 0
    print(f"instruction: {result.instruction}")
    print(
        f"outcome:     {result.outcome}"
        + (f" (expected {result.expected})" if result.expected else "")
    )
    if result.answer:
        print(f"reply:       {result.answer}")
    if result.success is not None:
        print(f"success:     {result.success}")
    unsafe = (
        str(result.unsafe_actions)
        if result.unsafe_checked
        else f"{result.unsafe_actions} outside the workspace (no label to judge the rest: "
        "give --expect and --allow)"
    )
    print(f"steps:       {result.steps}   unsafe actions: {unsafe}")
    for message in result.messages:
        print(f"  - {message}")
    print("final objects:")
    for obj in result.final_objects:
        x, y, z = obj["position"]
        print(
            f"  {obj['id']:<10} {obj['color']:<7} {obj['category']:<12} ({x:.3f}, {y:.3f}, {z:.3f})"
        )
    return 0
