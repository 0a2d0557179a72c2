"""The robot boundary (lerobot style): a robot observes and executes, and reports the action it
actually executed after clamping it to its cell's limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from vlmbot.cell import RobotCell
from vlmbot.types import Observation, PickPlace


@dataclass(frozen=True)
class ExecutedAction:
    """What a robot did with one PickPlace.

    requested: the action as asked; executed: the action it ran, clamped to the cell's
    workspace (world frame); clamped_by: metres the farther pose moved in clamping (0: as asked);
    grasped: the gripper closed on something; completed: the object was released at the place
    pose; message: a short human-readable report.
    """

    requested: PickPlace
    executed: PickPlace
    clamped_by: float
    grasped: bool
    completed: bool
    message: str = ""

    @property
    def clamped(self) -> bool:
        return self.clamped_by > 1e-9

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.executed.to_dict(),
            "clamped_by": round(self.clamped_by, 6),
            "grasped": self.grasped,
            "completed": self.completed,
            "message": self.message,
        }


@runtime_checkable
class Robot(Protocol):
    """A robot in its cell: the simulator implements it, so does a driver for real hardware.

    `execute` must clamp the action to `cell`'s limits before moving and report what it ran."""

    cell: RobotCell

    def observe(self) -> Observation:
        """Calibrated RGB-D frames from the cell's cameras, plus proprioception."""
        ...

    def execute(self, action: PickPlace) -> ExecutedAction:
        """Run one top-down pick-and-place (world frame) and report it."""
        ...
