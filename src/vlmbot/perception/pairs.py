"""Candidate pairs for fusion by spatial hashing: a uniform grid over the table (world xy,
metres) holding each object's box, so an object is compared only with objects whose boxes come
near its own. Near-linear in the number of objects when objects are bounded in size."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from vlmbot.errors import InputError

#: The most grid cells a box may cover along an axis; a larger (or non-finite) box is kept in
#: a list every query checks, and a larger query box checks every key.
MAX_CELLS_PER_AXIS = 32


class PairGrid:
    """Boxes [x0, y0, x1, y1] (world xy, metres) under integer keys, in a grid of `cell` metres.

    `near(box)` returns every key whose box intersects `box` (closed intervals), never a key
    whose box does not."""

    def __init__(self, cell: float) -> None:
        if not cell > 0:
            raise InputError(f"pair grid cell must be positive metres, got {cell}")
        self.cell = float(cell)
        self._boxes: dict[int, np.ndarray] = {}
        self._cells: dict[int, list[tuple[int, int]] | None] = {}
        self._grid: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
        self._large: set[int] = set()

    def __len__(self) -> int:
        return len(self._boxes)

    def __contains__(self, key: int) -> bool:
        return key in self._boxes

    def add(self, key: int, box: np.ndarray) -> None:
        """Insert (or move) key with box (4,) [x0, y0, x1, y1]."""
        if key in self._boxes:
            self.remove(key)
        box = np.asarray(box, dtype=float).reshape(4)
        cells = self._covered(box)
        self._boxes[key], self._cells[key] = box, cells
        if cells is None:
            self._large.add(key)
            return
        for c in cells:
            self._grid[c].add(key)

    def remove(self, key: int) -> None:
        cells = self._cells.pop(key)
        del self._boxes[key]
        if cells is None:
            self._large.discard(key)
            return
        for c in cells:
            bucket = self._grid[c]
            bucket.discard(key)
            if not bucket:
                del self._grid[c]

    def near(self, box: np.ndarray) -> list[int]:
        """Sorted keys whose boxes intersect box (4,) [x0, y0, x1, y1]."""
        box = np.asarray(box, dtype=float).reshape(4)
        cells = self._covered(box)
        if cells is None:
            found = set(self._boxes)
        else:
            found = set(self._large)
            for c in cells:
                found |= self._grid.get(c, set())
        return sorted(k for k in found if _intersect(self._boxes[k], box))

    def _covered(self, box: np.ndarray) -> list[tuple[int, int]] | None:
        """Grid cells (i, j) a box touches; None for a box too large (or not finite)."""
        if not np.isfinite(box).all():
            return None
        low = np.floor(box[:2] / self.cell)
        high = np.floor(box[2:] / self.cell)
        if ((high - low) >= MAX_CELLS_PER_AXIS).any():
            return None
        return [
            (i, j)
            for i in range(int(low[0]), int(high[0]) + 1)
            for j in range(int(low[1]), int(high[1]) + 1)
        ]


def _intersect(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])
