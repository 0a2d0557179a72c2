"""Measured moves: "move the red block 5 cm to the left", "slide the ball three centimetres
forward", "move the cube one kilometre to the right" (parsed; the gate refuses what leaves the
workspace). Angles ("by 90 degrees") are refused by name: the robot does not turn objects.
"""

from __future__ import annotations

import re

from vlmbot.language.commands import NotUnderstood, ShiftCommand
from vlmbot.language.reference import parse_reference

#: Length units → metres.
UNITS = {
    "mm": 0.001, "millimetre": 0.001, "millimeter": 0.001, "cm": 0.01, "centimetre": 0.01,
    "centimeter": 0.01, "m": 1.0, "metre": 1.0, "meter": 1.0, "km": 1000.0, "kilometre": 1000.0,
    "kilometer": 1000.0, "inch": 0.0254, "foot": 0.3048, "feet": 0.3048,
    "ft": 0.3048,
}  # fmt: skip
NUMBERS = {
    "a": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
    "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "fifteen": 15.0, "twenty": 20.0,
    "half a": 0.5,
}  # fmt: skip
#: Direction words → direction (viewer frame).
DIRECTIONS = {
    "left": "left", "to the left": "left", "right": "right", "to the right": "right",
    "forward": "forward", "forwards": "forward", "away": "forward", "further away": "forward",
    "away from me": "forward", "back": "back", "backward": "back", "backwards": "back",
    "towards me": "back", "toward me": "back", "closer": "back", "nearer": "back",
}  # fmt: skip
_NUMBER = r"(?P<number>\d+(?:\.\d+)?|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"(?P<unit>mm|cm|km|m|ft|inch(?:es)?|foot|feet|(?:milli|centi|kilo)?met(?:er|re)s?)"
_DIRECTION = "|".join(re.escape(d) for d in sorted(DIRECTIONS, key=len, reverse=True))
_SHIFT = re.compile(
    rf"^(?P<target>.+?)\s+(?:by\s+)?{_NUMBER}\s*-?\s*{_UNIT}\s+(?:further\s+|more\s+)?"
    rf"(?P<direction>{_DIRECTION})$"
)
_ANGLE = re.compile(rf"\b{_NUMBER}\s*-?\s*(?:degrees?|deg|radians?)\b")
#: A measured move beyond this is refused before planning: no tabletop is that big.
MAX_SHIFT_M = 2.0


#: Any measure in a clause: a length or an angle ("10 cm", "two metres", "90 degrees").
MEASURE = re.compile(rf"\b{_NUMBER}\s*-?\s*(?:{_UNIT}|degrees?|deg|radians?)\b")


def _metres_per(unit: str) -> float:
    """Metres in one unit as written ("cm", "centimetres", "inches", "feet")."""
    if unit in UNITS:
        return UNITS[unit]
    for suffix in ("es", "s"):
        if unit.endswith(suffix) and unit[: -len(suffix)] in UNITS:
            return UNITS[unit[: -len(suffix)]]
    return 0.0


def parse_shift(rest: str) -> ShiftCommand | NotUnderstood | None:
    """The words after a move verb as a measured move, a refusal, or None (not one)."""
    angle = _ANGLE.search(rest)
    if angle is not None:
        return NotUnderstood(
            f"I can't turn objects by an angle ('{angle.group(0)}'); I only pick and place them",
            "unsupported", "refuse", angle.group(0),
        )  # fmt: skip
    match = _SHIFT.match(rest)
    if match is None:
        return None
    number = match.group("number")
    value = float(number) if number[0].isdigit() else NUMBERS[number]
    metres = value * _metres_per(match.group("unit"))
    if not 0.0 < metres <= MAX_SHIFT_M:
        return NotUnderstood(
            f"I can't move anything {number} {match.group('unit')}: my table is not that big",
            "unsupported", "refuse", f"{number} {match.group('unit')}",
        )  # fmt: skip
    target = parse_reference(match.group("target"))
    return ShiftCommand(target, DIRECTIONS[match.group("direction")], round(metres, 4))
