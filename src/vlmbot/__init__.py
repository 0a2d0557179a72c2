"""vlmbot: vision-language understanding for robots.

Calibrated RGB-D frames + a natural-language instruction or question in; grounded
perception, plans, safe world-frame actions and answers out.
"""

from __future__ import annotations

from vlmbot.errors import InputError, ModelNotAvailableError, VlmbotError
from vlmbot.types import (
    Camera,
    Decision,
    Detections,
    Done,
    Observation,
    Outcome,
    PickPlace,
    Pose,
    RGBDFrame,
    SceneObject,
)

__version__ = "0.1.0"

__all__ = [
    "Camera",
    "Decision",
    "Detections",
    "Done",
    "InputError",
    "ModelNotAvailableError",
    "Observation",
    "Outcome",
    "PickPlace",
    "Pose",
    "RGBDFrame",
    "SceneObject",
    "VlmbotError",
    "__version__",
]
