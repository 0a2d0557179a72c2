"""Import pybullet without its C-level "pybullet build time" banner (it would corrupt `--json`
output and clutter every command)."""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any


def _import_quietly() -> tuple[Any, Any]:
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    try:
        with open(os.devnull, "w") as devnull:
            for fd in saved:
                os.dup2(devnull.fileno(), fd)
            import pybullet
            import pybullet_data

            ctypes.CDLL(None).fflush(None)  # the banner sits in C's buffers until flushed
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
    return pybullet, pybullet_data


pb, pybullet_data = _import_quietly()

__all__ = ["pb", "pybullet_data"]
