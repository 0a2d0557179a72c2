"""Position words without an anchor inside a reference: "on the far left", "furthest to the
right", "at the back", "in the middle", "the left one", "from the left" (with an ordinal).

Each becomes a superlative over the viewer frame (leftmost, rightmost, frontmost, backmost,
middle). A phrase followed by "of" ("to the left of the mug") is a relation, not a position.
"""

from __future__ import annotations

import re

_SIDE = {"left": "leftmost", "right": "rightmost", "front": "frontmost", "back": "backmost"}
_SIDE.update({"rear": "backmost", "middle": "middle", "center": "middle", "centre": "middle"})

#: (pattern, superlative); a pattern's group "side" names the side when the superlative is None.
_PHRASES: tuple[tuple[str, str | None], ...] = (
    (r"(?:that is |which is |that sits |lying )?(?:furthest|farthest|most|the most|all the way)"
     r" (?:to the |on the )?(?P<side>left|right)", None),
    (r"(?:that is |which is )?(?:on|to|at|in) the (?:very |far |extreme )?(?P<side>left|right)"
     r"(?:[- ]hand)?(?: side| end| edge)?(?: of the (?:table|row|line))?", None),
    (r"(?:far|extreme|very) (?P<side>left|right)", None),
    (r"(?:that is |which is )?(?:at|in) the (?:very )?(?P<side>back|rear|front|middle|center"
     r"|centre)(?: of the (?:table|row|line|group))?", None),
    (r"(?:furthest|farthest) (?:back|away)(?: from (?:you|me|the robot))?", "backmost"),
    (r"(?:closest|nearest) to (?:you|me|the robot|the camera)", "frontmost"),
    (r"in front", "frontmost"),
    (r"in the middle", "middle"),
)  # fmt: skip
_NOT_RELATION = r"(?!\s+(?:of|from)\b)"
_DIRECTION = re.compile(r"\bfrom the (?P<side>left|right|front|back)\b")
_ADJECTIVE = re.compile(r"\b(?P<side>left|right|front|back|middle|center|centre)(?:[- ]hand)?\b")


def take_position(text: str) -> tuple[str | None, int | None, str]:
    """(superlative, None, text without the phrase); the ordinal itself stays in text."""
    direction = _DIRECTION.search(text)
    if direction is not None:
        text = _cut(text, direction)
        return _SIDE[direction.group("side")], None, text
    for pattern, superlative in _PHRASES:
        match = re.search(rf"\b{pattern}\b{_NOT_RELATION}", text)
        if match is not None:
            side = superlative or _SIDE[match.group("side")]
            return side, None, _cut(text, match)
    adjective = _ADJECTIVE.search(text)
    if adjective is not None and not re.match(r"\s+(?:of|side)\b", text[adjective.end() :]):
        return _SIDE[adjective.group("side")], None, _cut(text, adjective)
    return None, None, text


def _cut(text: str, match: re.Match[str]) -> str:
    return " ".join((text[: match.start()] + " " + text[match.end() :]).split())
