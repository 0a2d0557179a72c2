"""`vlmbot detect | classify | ask | describe | models`: run vision-language models on images.

Models are named like everywhere else (`tiny`, `family:hub-id`, `family:PATH`; see
`vlmbot models`). Heavy imports happen inside the commands, after the arguments are checked.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

from vlmbot.cli.common import (
    MAX_SEED,
    atomic_output,
    bounded_int,
    check_not_input,
    ensure_out_dir,
    finite_float,
    print_json,
    read_camera,
    read_depth,
    read_image,
)
from vlmbot.errors import InputError, ModelNotAvailableError, VlmbotError
from vlmbot.types import Detections

DEFAULT_MODEL = "tiny"
TASK_WORDS = {
    "detect": "detection",
    "classify": "classification",
    "caption": "captioning",
    "vqa": "visual question answering",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    det = subparsers.add_parser("detect", help="find objects named by text queries in an image")
    det.add_argument("image", help="RGB image file")
    det.add_argument("--query", action="append", required=True, help="what to find (repeatable)")
    det.add_argument("--model", default=DEFAULT_MODEL, help="model name (default: tiny)")
    det.add_argument(
        "--threshold", type=finite_float, default=0.1, help="minimum score (default 0.1)"
    )
    det.add_argument("--depth", help="depth .npy (metres) or 16-bit PNG (mm), for 3D positions")
    add_depth_scale(det)
    det.add_argument("--camera", help="camera JSON (K, T_world_cam, width, height)")
    det.add_argument("--json", action="store_true", help="print one JSON object")
    det.add_argument("--out", help="write the image with boxes, labels and scores here")
    det.set_defaults(func=cmd_detect)

    cls = subparsers.add_parser("classify", help="zero-shot classify an image over labels")
    cls.add_argument("image", help="RGB image file")
    cls.add_argument("--label", action="append", required=True, help="a class label (repeatable)")
    cls.add_argument("--model", default=DEFAULT_MODEL, help="model name (default: tiny)")
    cls.add_argument("--json", action="store_true", help="print one JSON object")
    cls.set_defaults(func=cmd_classify)

    ask = subparsers.add_parser("ask", help="answer a question about an image or a scene")
    ask.add_argument("question", help="the question")
    _add_scene_arguments(ask)
    ask.set_defaults(func=cmd_ask)

    describe = subparsers.add_parser("describe", help="describe an image or a scene")
    _add_scene_arguments(describe)
    describe.set_defaults(func=cmd_describe)

    models = subparsers.add_parser("models", help="list model families, their tasks and ids")
    models.add_argument("--json", action="store_true", help="print one JSON object")
    models.set_defaults(func=cmd_models)


def _add_scene_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--image", help="RGB image file (with --model)")
    parser.add_argument(
        "--model",
        help="with --image alone: a captioning / VQA model (e.g. blip:Salesforce/blip-vqa-base);"
        " for the scene-graph agent: a model with a region scorer (default: tiny)",
    )
    parser.add_argument(
        "--proposer", choices=("model", "depth"), help="scene-graph agent: proposals from"
    )
    parser.add_argument("--cell", help="scene-graph agent: a robot cell file (JSON)")
    parser.add_argument(
        "--seed", type=bounded_int(0, MAX_SEED), help="a simulated scene seed (scene-graph agent)"
    )
    parser.add_argument("--depth", help="depth file for the scene-graph agent")
    add_depth_scale(parser)
    parser.add_argument("--camera", help="camera JSON for the scene-graph agent")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_depth_scale(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--depth-scale",
        type=finite_float,
        help="metres per depth unit (default: 1 for .npy, 0.001 for 16-bit PNG); e.g. 0.001 "
        "for a .npy in millimetres",
    )


def load_for_task(name: str, task: str) -> Any:
    """Load a model by name and check that it can do `task` (else a one-line InputError)."""
    from vlmbot.models import families, load_model

    try:
        model = load_model(name)
    except VlmbotError:
        raise
    except ImportError as exc:
        raise ModelNotAvailableError(f"model {name!r} cannot be loaded here: {exc}") from None
    if task not in model.tasks:
        able = sorted(f.name for f in families().values() if task in f.tasks)
        raise InputError(
            f"model {name!r} does not do {TASK_WORDS.get(task, task)} (it does "
            f"{', '.join(sorted(model.tasks))}); families that do: {', '.join(able)}"
        )
    return model


def _check_queries(queries: list[str], what: str) -> list[str]:
    items = [q.strip() for q in queries]
    if not items or any(not q for q in items):
        raise InputError(f"every --{what} needs some text")
    if len(set(items)) != len(items):
        raise InputError(f"repeated --{what}: {', '.join(items)}")
    return items


def cmd_detect(args: argparse.Namespace) -> int:
    queries = _check_queries(args.query, "query")
    if not 0.0 <= args.threshold <= 1.0:
        raise InputError(f"--threshold must be in [0, 1], got {args.threshold}")
    if (args.depth is None) != (args.camera is None):
        raise InputError("3D positions need both --depth and --camera")
    if args.out:
        check_not_input(args.out, [args.image, args.depth, args.camera])
        check_image_suffix(args.out)
        ensure_out_dir(Path(args.out).parent)
    image = read_image(args.image)
    depth, camera = None, None
    if args.depth:
        depth, camera = checked_depth_camera(image, args.depth, args.camera, args.depth_scale)
    model = load_for_task(args.model, "detect")
    found = model.detect(image, queries, threshold=args.threshold, depth=depth, camera=camera)
    rows = detection_rows(found, queries)
    if args.out:
        draw_detections(image, rows, args.out)
    if args.json:
        print_json({"detections": rows})
    else:
        for row in rows:
            where = "" if row["position"] is None else f"  at {_fmt(row['position'])} m"
            print(f"{row['query']}  {row['score']:.3f}  box {_fmt(row['xyxy'])}{where}")
        if not rows:
            print(f"nothing found above {args.threshold}", file=sys.stderr)
    return 0


def checked_depth_camera(
    image: np.ndarray, depth_path: str, camera_path: str, scale: float | None
) -> tuple[np.ndarray, Any]:
    """Depth (H, W) metres and its camera, read and validated against the image (intrinsics,
    range, scale; any scene): a bad frame is one SensorError line, never 3D positions."""
    from vlmbot.cell import HOME_CELL
    from vlmbot.perception.validation import validate_frame
    from vlmbot.types import RGBDFrame

    camera = read_camera(camera_path)
    frame = RGBDFrame(image, read_depth(depth_path, scale), camera)
    frame = validate_frame(camera.name, frame, HOME_CELL, scene_checks=False)
    assert frame.depth is not None
    return frame.depth, camera


def check_image_suffix(path: str) -> None:
    """InputError unless PIL can write an image with this file name's extension."""
    from PIL import Image

    Image.init()
    if Path(path).suffix.lower() not in Image.EXTENSION:
        raise InputError(f"--out {path}: give an image file name (.png, .jpg, ...)")


def detection_rows(found: Detections, queries: list[str]) -> list[dict[str, Any]]:
    """Detections → JSON rows grouped by query (in the order asked), best first in each."""
    rows = []
    for query in queries:
        mine = np.flatnonzero(found.labels == query)
        for i in mine[np.argsort(-found.scores[mine], kind="stable")]:
            position = None
            if found.positions is not None and np.all(np.isfinite(found.positions[i])):
                position = [round(float(v), 4) for v in found.positions[i]]
            rows.append(
                {
                    "query": query,
                    "score": round(float(found.scores[i]), 4),
                    "xyxy": [round(float(v), 1) for v in found.xyxy[i]],
                    "position": position,
                }
            )
    return rows


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def draw_detections(image: np.ndarray, rows: list[dict[str, Any]], path: str) -> None:
    """Write the image with each row's box, query and score drawn on it."""
    from vlmbot.report.annotate import draw_boxes

    labels = [f"{row['query']} {row['score']:.2f}" for row in rows]
    keys = [row["query"] for row in rows]
    canvas = draw_boxes(image, [row["xyxy"] for row in rows], labels, scale=1, color_keys=keys)
    image_format = image_format_for(path)
    with atomic_output(path) as temp:
        try:
            canvas.save(temp, format=image_format)
        except ValueError as exc:
            raise InputError(f"cannot write {path}: {exc}") from None


def image_format_for(path: str) -> str:
    """The PIL format name for an output file's extension."""
    from PIL import Image

    Image.init()
    return Image.EXTENSION[Path(path).suffix.lower()]


def cmd_classify(args: argparse.Namespace) -> int:
    labels = _check_queries(args.label, "label")
    if len(labels) < 2:
        raise InputError("give at least two --label values to choose between")
    image = read_image(args.image)
    model = load_for_task(args.model, "classify")
    probs = model.classify([image], labels).probs[0]
    order = np.argsort(-probs, kind="stable")
    if args.json:
        print_json(
            {
                "top": labels[int(order[0])],
                "labels": [{"label": labels[i], "prob": round(float(probs[i]), 4)} for i in order],
            }
        )
    else:
        for i in order:
            print(f"{probs[i]:.3f}  {labels[i]}")
    return 0


def _uses_agent(args: argparse.Namespace) -> bool:
    if args.seed is not None or args.depth or args.camera:
        return True
    if not args.image:
        raise InputError("give --image FILE --model NAME, or --seed N for a simulated scene")
    if not args.model:
        raise InputError(
            "--image needs --model NAME (a captioning/VQA family: blip, idefics, "
            "paligemma; see `vlmbot models`)"
        )
    return False


def _ask_with_agent(args: argparse.Namespace) -> int:
    """Scene-graph agent path of `ask` / `describe` (--seed, or --image with --depth/--camera)."""
    from vlmbot.cli.agent_cmds import ask_with_agent

    return ask_with_agent(args)


def cmd_ask(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise InputError("the question is empty")
    if _uses_agent(args):
        return _ask_with_agent(args)
    image = read_image(args.image)
    answer = load_for_task(args.model, "vqa").answer(image, args.question.strip())
    if args.json:
        print_json({"question": args.question.strip(), "answer": answer, "model": args.model})
    else:
        print(answer)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    if _uses_agent(args):
        return _ask_with_agent(args)
    image = read_image(args.image)
    caption = load_for_task(args.model, "caption").caption(image)
    if args.json:
        print_json({"description": caption, "model": args.model})
    else:
        print(caption)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from vlmbot.models import families

    rows: list[dict[str, Any]] = [
        {
            "family": family.name,
            "tasks": sorted(family.tasks),
            "roles": sorted(family.roles),
            "example_ids": list(family.example_ids),
            "default": family.default_source,
            "description": family.description,
        }
        for family in sorted(families().values(), key=lambda f: (f.name != "tiny", f.name))
    ]
    embedded = _embedded_model()
    if args.json:
        print_json({"families": rows, "embedded": embedded})
        return 0
    for row in rows:
        roles = f"  [agent roles: {', '.join(row['roles'])}]" if row["roles"] else ""
        print(f"{row['family']:<10} {', '.join(row['tasks'])}{roles}")
        print(f"{'':<10} {row['description']}")
        print(f"{'':<10} e.g. {', '.join(row['example_ids'])}")
    state = "installed" if embedded["available"] else "not built into this install yet"
    print(
        f"\nembedded model: {embedded['name']} ({state}); name others as family:HUB_ID or "
        "family:PATH"
    )
    return 0


def _embedded_model() -> dict[str, Any]:
    """The embedded default model and whether its code ships in this install."""
    from vlmbot.models import families

    tiny = families().get("tiny")
    if tiny is None:
        return {"name": None, "available": False, "tasks": []}
    module = tiny.loader.split(":")[0]
    try:
        available = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        available = False
    return {"name": tiny.name, "available": available, "tasks": sorted(tiny.tasks)}
