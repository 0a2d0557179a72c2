"""The agent behind `vlmbot ask` / `vlmbot describe`: a simulated scene (--seed) or your own
calibrated RGB-D frame (--image, --depth, --camera) → scene graph → answer with evidence."""

from __future__ import annotations

import argparse

from vlmbot.cli.common import print_json, read_camera, read_depth, read_image
from vlmbot.errors import InputError
from vlmbot.types import Observation, Outcome, RGBDFrame


def observation_from_files(
    image: str, depth: str | None, camera: str | None, depth_scale: float | None = None
) -> Observation:
    """One calibrated RGB-D frame from files, validated against the home cell (intrinsics, view
    of the workspace, colour, depth range and scale, table height): a bad frame is one
    SensorError line here, before any model runs."""
    from vlmbot.cell import HOME_CELL
    from vlmbot.perception.validation import validate_observation

    if not depth or not camera:
        raise InputError(
            "the agent needs --image, --depth and --camera together (calibrated RGB-D)"
        )
    rgb = read_image(image)
    frame = RGBDFrame(rgb, read_depth(depth, depth_scale), read_camera(camera))
    observation = Observation(frames={frame.camera.name: frame})
    validate_observation(observation, HOME_CELL)
    return observation


def observation_from_seed(seed: int) -> Observation:
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import EpisodeSpec, free_episode

    EpisodeSpec("put_in", seed)  # validates the seed
    with TabletopEnv() as env:
        env.reset(free_episode(seed, "").scene)
        return env.observe()


def ask_with_agent(args: argparse.Namespace) -> int:
    import torch

    from vlmbot.agents.vlm import VLMAgent

    torch.set_num_threads(1)
    question = getattr(args, "question", None) or "describe the scene"
    if args.seed is not None:
        observation = observation_from_seed(args.seed)
    elif args.image:
        observation = observation_from_files(
            args.image, args.depth, args.camera, getattr(args, "depth_scale", None)
        )
    else:
        raise InputError("give --seed N, or --image with --depth and --camera")
    agent = VLMAgent(model=args.model or "tiny", proposer=getattr(args, "proposer", None))
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
