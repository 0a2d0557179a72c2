"""`vlmbot` entry point: one sub-command module per area, each with a `register` function."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from vlmbot.errors import VlmbotError

# Modules that add sub-commands; each exposes register(subparsers).
COMMAND_MODULES = (
    "vlmbot.cli.sim_cmds",
    "vlmbot.cli.eval_cmds",
    "vlmbot.cli.model_cmds",
    "vlmbot.cli.tiny_cmds",
    "vlmbot.cli.config_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vlmbot",
        description="Vision-language understanding for robots: perception, plans, safe actions.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except VlmbotError as exc:
        print(f"vlmbot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vlmbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
