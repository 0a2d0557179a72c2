"""`vlmbot` entry point: one sub-command module per area, each with a `register` function.

Every user mistake is one line on stderr, `vlmbot: error: ...`, with exit status 2: argparse's
own errors, InputError from any command, text arguments that are not valid UTF-8. SIGTERM is
handled like Ctrl-C (commands clean up their worker processes), with status 143.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from vlmbot.errors import VlmbotError

# Modules that add sub-commands; each exposes register(subparsers).
COMMAND_MODULES = (
    "vlmbot.cli.sim_cmds",
    "vlmbot.cli.eval_cmds",
    "vlmbot.cli.model_cmds",
    "vlmbot.cli.tiny_cmds",
    "vlmbot.cli.config_cmds",
)


class UsageError(VlmbotError):
    """A command line argparse rejected."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that commands unwind like on Ctrl-C."""


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors raised as UsageError (printed as one line, exit 2) instead of
    the usage block plus the error; sub-parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="vlmbot",
        description="Vision-language understanding for robots: perception, plans, safe actions.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def check_text_arguments(args: argparse.Namespace) -> None:
    """UsageError for a text argument that is not valid UTF-8 (undecodable bytes in argv
    arrive as lone surrogates and would break every later print)."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and not _encodes(item):
                flag = "--" + name.replace("_", "-")
                raise UsageError(f"{flag} is not valid UTF-8 text")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    if threading.current_thread() is not threading.main_thread():
        return _run(argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        check_text_arguments(args)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except VlmbotError as exc:
        _error(str(exc))
        return 2
    except Terminated:
        print("vlmbot: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("vlmbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        _error("out of memory (try fewer episodes, workers or smaller images)")
        return 2
    except UnicodeEncodeError as exc:
        _error(f"cannot print the output in this terminal's encoding ({exc.encoding})")
        return 2


def _error(message: str) -> None:
    line = " ".join(message.split()) or "unknown error"
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    safe = line.encode(encoding, "backslashreplace").decode(encoding, "replace")
    print(f"vlmbot: error: {safe}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
