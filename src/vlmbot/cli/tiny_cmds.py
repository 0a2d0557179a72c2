"""`vlmbot model eval` (the embedded model's metrics per split) and `vlmbot bench` (its speed
against the OWL-ViT B/32 architecture, side by side)."""

from __future__ import annotations

import argparse
import sys

from vlmbot.cli.common import print_json
from vlmbot.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    model = subparsers.add_parser("model", help="the embedded model: evaluate it")
    model_sub = model.add_subparsers(dest="model_command", metavar="MODEL_COMMAND")
    ev = model_sub.add_parser("eval", help="AP50, grounding and classification per split")
    ev.add_argument("--model", default="tiny", help="tiny, or a path to tiny weights")
    ev.add_argument("--scenes", type=int, default=40, help="rendered scenes per split (default 40)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(func=cmd_model_eval)
    model.set_defaults(func=lambda args: model.print_help() or 2)

    bench = subparsers.add_parser("bench", help="vlmbot-tiny vs OWL-ViT B/32 speed, same frames")
    bench.add_argument("--frames", type=int, default=6, help="frames to time (default 6)")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(func=cmd_bench)


def cmd_model_eval(args: argparse.Namespace) -> int:
    from vlmbot.eval.tiny_eval import evaluate_model
    from vlmbot.models.registry import load_model

    if args.scenes < 1:
        raise InputError("--scenes must be at least 1")
    model = load_model(args.model)
    if getattr(model, "name", None) != "tiny":
        raise InputError("model eval measures vlmbot-tiny weights (tiny or a path to them)")
    result = evaluate_model(model, args.scenes)
    if args.json:
        print_json(result)
        return 0
    print(f"{'split':<24}{'AP50':>8}{'ground@1':>10}{'classify':>10}{'n':>6}{'chance':>8}")
    for split, row in result["splits"].items():
        chance = row.get("chance")
        print(
            f"{split:<24}{_fmt(row['ap50']):>8}{_fmt(row['grounding_top1']):>10}"
            f"{_fmt(row['classification']):>10}{row['n']:>6}"
            f"{_fmt(chance) if chance is not None else '':>8}"
        )
    latency = result["latency_ms"]
    print(
        "latency (detect + 3D, 10 cached queries, 1 thread): "
        f"median {latency['median']} ms, p90 {latency['p90']} ms"
    )
    return 0


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def cmd_bench(args: argparse.Namespace) -> int:
    from vlmbot.eval.tiny_bench import run

    if args.frames < 1:
        raise InputError("--frames must be at least 1")
    print(
        "timing vlmbot-tiny and OWL-ViT B/32 (random weights) on the same frames...",
        file=sys.stderr,
    )
    result = run(args.frames)
    if args.json:
        print_json({k: result[k] for k in ("tiny_ms", "owlvit_b32_ms", "ratio")})
        return 0
    print(
        f"vlmbot-tiny   median {result['tiny_ms']:8.2f} ms/frame (p90 {result['tiny_p90_ms']} ms)"
    )
    print(f"OWL-ViT B/32  median {result['owlvit_b32_ms']:8.2f} ms/frame")
    print(
        f"speed ratio   {result['ratio']}x  "
        f"({result['input']}, {result['queries']} cached queries, 1 thread)"
    )
    return 0
