"""Regenerate vlmbot-tiny from a seed: render data, train, fit colours, export, fit the
agent's shape prior, evaluate.

python -m training --out training/runs/latest [--install]      (make train)
python -m training --smoke --out /tmp/tiny-smoke                 (CI: a few steps)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from benchmarks.eval_cells import run as eval_cells

from training.data import Frames, extract_crops, load_frames, render
from training.dataset import training_categories
from training.model_card import model_params, write_model_card
from training.prompts import prompt_bank
from training.shapes import EPISODES, fit_shape_prior
from training.train_colors import color_samples, train_color_head
from training.train_detector import train_detector
from training.train_regions import train_regions
from vlmbot.lexicon.colors import BASIC_COLORS
from vlmbot.models.sentences import MiniLMEncoder
from vlmbot.models.tiny.color_head import LearnedColorNamer
from vlmbot.models.tiny.configuration import TinyConfig
from vlmbot.models.tiny.modeling import ProposalNet, TinyVLMModules
from vlmbot.models.tiny.weights import embedded_weights_path, save_tiny


def fit_color_prototypes(colors: list[str], labs: np.ndarray) -> dict[str, np.ndarray]:
    """Median measured Lab colour (the colour head's estimate) of each palette colour."""
    prototypes = {}
    names = np.asarray(colors)
    for word in BASIC_COLORS:
        rows = labs[(names == word) & ~np.isnan(labs).any(axis=1)]
        if len(rows) >= 5:
            prototypes[word] = np.median(rows, axis=0)
    return prototypes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="training/runs/latest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scenes", type=int, default=4000, help="rendered scenes (1-3 frames each)"
    )
    parser.add_argument("--detector-epochs", type=float, default=12.0)
    parser.add_argument("--region-epochs", type=float, default=7.0)
    parser.add_argument("--color-epochs", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="render processes")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for training")
    parser.add_argument("--install", action="store_true", help="copy the weights into the package")
    parser.add_argument("--smoke", action="store_true", help="a few steps on a few scenes (CI)")
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument(
        "--cell-scenes", type=int, default=4, help="scenes per cell for the model card's cell table"
    )
    parser.add_argument(
        "--reuse-detector",
        action="store_true",
        help="reuse the proposal net saved by a run in --out",
    )
    return parser.parse_args(argv)


def proposal_net(
    args: argparse.Namespace, frames: Frames, config: TinyConfig, out: Path
) -> tuple[ProposalNet, dict[str, Any]]:
    """Train the proposal net (saving a checkpoint), or reuse an earlier run's checkpoint."""
    from safetensors.torch import load_file, save_file

    path, record = out / "detector.safetensors", out / "detector.json"
    if args.reuse_detector and path.is_file() and record.is_file():
        detector = ProposalNet(config)
        detector.load_state_dict(load_file(str(path)))
        print(f"training: reusing the proposal net in {path}", file=sys.stderr)
        return detector.eval(), dict(json.loads(record.read_text()))
    detector, stats = train_detector(
        frames, config, args.detector_epochs, args.seed, batch_size=4 if args.smoke else 32,
        max_steps=3 if args.smoke else None,
    )  # fmt: skip
    stats["threads"] = args.threads
    save_file(detector.state_dict(), str(path))
    record.write_text(json.dumps(stats))
    return detector, stats


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    scenes = 6 if args.smoke else args.scenes
    data_reused = (out / "data" / "stats.json").is_file()
    data_stats = render(out / "data", scenes, args.seed, 1 if args.smoke else args.workers)
    frames = load_frames(out / "data")
    config = TinyConfig(color_head=True)
    categories = training_categories("seen")
    detector, det_stats = proposal_net(args, frames, config, out)
    crops = extract_crops(frames, categories, config, args.seed)
    phrases, labels = prompt_bank(categories)
    phrase_embeddings = MiniLMEncoder()(phrases)
    encoder, projection, reg_stats = train_regions(
        crops, phrase_embeddings, labels, config, args.region_epochs, args.seed,
        batch_size=16 if args.smoke else 256, max_steps=3 if args.smoke else None,
    )  # fmt: skip
    features, target_lab, color_names = color_samples(frames, args.seed)
    head, color_stats = train_color_head(
        features, target_lab, args.color_epochs, args.seed, max_steps=20 if args.smoke else None
    )
    modules = TinyVLMModules(config)
    modules.proposals, modules.regions, modules.text = detector, encoder, projection
    modules.color = head
    with torch.inference_mode():
        estimated = LearnedColorNamer(head).estimate(features)
    colors = LearnedColorNamer(head, fit_color_prototypes(color_names, estimated))
    record: dict[str, Any] = {
        "seed": args.seed,
        "scenes": scenes,
        "frames": len(frames),
        "crops": len(crops.category),
        "categories": categories,
        "phrases": len(phrases),
        "render": data_stats,
        "detector": det_stats,
        "regions": reg_stats,
        "colors": color_stats,
        "train_seconds": round(time.perf_counter() - started, 1),
        "threads": args.threads,
    }
    weights = save_tiny(modules, colors, {"training": record}, out / "tiny.safetensors")
    print(f"training: wrote {weights} ({weights.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    # The agent's shape prior: this model's detections measured in 3D on seen-split scenes.
    torch.set_num_threads(1)
    record["shapes"] = fit_shape_prior(
        str(weights), 3 if args.smoke else EPISODES, args.seed, out / "shapes.json"
    )
    torch.set_num_threads(args.threads)
    if not args.skip_eval and not args.smoke:
        from vlmbot.eval.tiny_eval import evaluate_model
        from vlmbot.models.tiny.weights import load_tiny

        record["metrics"] = evaluate_model(load_tiny(str(weights)))
        (out / "metrics.json").write_text(json.dumps(record["metrics"], indent=2))
        torch.set_num_threads(1)
        record["cells"] = eval_cells(
            ["home", "heldout"], args.cell_scenes, str(weights), str(out / "shapes.json")
        )
        torch.set_num_threads(args.threads)
        (out / "cells.json").write_text(json.dumps(record["cells"], indent=2))
    # Stages reused from an earlier process (rendering, the proposal net) count with the
    # time they took there, so the total is the whole pipeline's.
    elapsed = time.perf_counter() - started
    reused = (
        float(data_stats["seconds"]) * data_reused
        + float(det_stats["seconds"]) * args.reuse_detector
    )
    record["total_seconds"] = round(elapsed + reused, 1)
    (out / "training.json").write_text(json.dumps(record, indent=2, default=str))
    params = model_params(modules)
    card = out / "MODEL_CARD.md"
    if "metrics" in record:
        write_model_card(card, record, params, weights.stat().st_size / 1e6)
    if args.install:
        target = embedded_weights_path()
        shutil.copy(weights, target)
        shutil.copy(out / "shapes.json", target.parent / "shapes.json")
        if card.is_file():
            shutil.copy(card, target.parent / "MODEL_CARD.md")
        print(f"training: installed {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
