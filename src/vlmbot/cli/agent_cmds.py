"""The agent behind `vlmbot ask` / `vlmbot describe`: a simulated scene (--seed) or your own
calibrated RGB-D frame (--image, --depth, --camera) → scene graph → answer with evidence."""

from __future__ import annotations

import argparse

from vlmbot.cell import HOME_CELL, RobotCell
from vlmbot.cli.common import print_json, read_camera, read_depth, read_image
from vlmbot.errors import InputError
from vlmbot.types import Observation, Outcome, RGBDFrame


def observation_from_files(
    image: str,
    depth: str | None,
    camera: str | None,
    depth_scale: float | None = None,
    cell: RobotCell = HOME_CELL,
) -> Observation:
    """One calibrated RGB-D frame from files, validated against the robot cell (intrinsics,
    view of the workspace, colour, depth range and scale, table height): a bad frame is one
    SensorError line here, before any model runs."""
    from vlmbot.perception.validation import validate_observation

    if not depth or not camera:
        raise InputError(
            "the agent needs --image, --depth and --camera together (calibrated RGB-D)"
        )
    rgb = read_image(image)
    frame = RGBDFrame(rgb, read_depth(depth, depth_scale), read_camera(camera))
    observation = Observation(frames={frame.camera.name: frame})
    validate_observation(observation, cell)
    return observation


def observation_from_seed(seed: int, cell: str = "home") -> Observation:
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, free_episode

    EpisodeSpec("put_in", seed)  # validates the seed
    episode = free_episode(seed, "", cell=cell)
    with TabletopEnv(cell=episode.cell) as env:
        env.reset(episode.scene)
        return env.observe()


def ask_with_agent(args: argparse.Namespace) -> int:
    import torch

    from vlmbot.agents.vlm import VLMAgent

    torch.set_num_threads(1)
    from vlmbot.sim.cells import resolve_cell

    question = getattr(args, "question", None) or "describe the scene"
    cell = getattr(args, "cell", None) or "home"
    robot_cell = resolve_cell(cell).robot
    if args.seed is not None:
        observation = observation_from_seed(args.seed, cell)
    elif args.image:
        observation = observation_from_files(
            args.image, args.depth, args.camera, getattr(args, "depth_scale", None), robot_cell
        )
    else:
        raise InputError("give --seed N, or --image with --depth and --camera")
    agent = VLMAgent(
        model=args.model or "tiny", proposer=getattr(args, "proposer", None), cell=robot_cell
    )
    decision = agent.decide(observation, question)
    text = decision.text
    if decision.outcome is Outcome.ACT:
        text = "That is an instruction, not a question: use `vlmbot run` to act on it."
    if args.json:
        print_json(
            {
                "question": question,
                "outcome": decision.outcome.value,
                "answer": text,
                "evidence": list(decision.evidence),
                "objects": decision.info.get("objects", []),
            }
        )
    else:
        print(text)
    return 0
