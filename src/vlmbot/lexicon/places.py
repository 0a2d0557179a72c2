"""Places and things that are not objects on the table: destinations the robot cannot reach
or must not use, and fixtures it cannot pick up. The parser refuses naming them instead of
letting a similar-sounding object on the table stand in ("the sink" → the bowl).
"""

from __future__ import annotations

_OFF_TABLE = """sink fire fireplace flames oven microwave fridge refrigerator freezer dishwasher
drawer cupboard cabinet closet shelf bookshelf floor ground trash garbage rubbish dustbin
wastebasket toilet bathtub bath shower pool window door car garden yard street outside kitchen
bedroom hallway ceiling wall roof stove toaster kettle blender bag backpack lava ocean river
moon suitcase purse wallet envelope mailbox"""
_OFF_TABLE_PHRASES = (
    "washing machine", "trash can", "garbage can", "rubbish bin", "waste bin", "other room",
    "next room", "another room", "outer space", "the air", "thin air",
)  # fmt: skip
_PERSON = (
    "my pocket", "your pocket", "pocket", "my hand", "my hands", "me", "my lap", "lap",
    "my mouth", "mouth", "my head", "my face", "person", "him", "her", "user", "my bag",
    "my friend", "someone", "somebody", "us",
)  # fmt: skip
_ROBOT = (
    "robot", "robot's hand", "robots hand", "your hand", "your hands", "your gripper",
    "gripper", "hand", "your arm", "arm", "yourself", "you", "camera", "cameras",
    "your camera", "robot arm", "robot's gripper", "robot's arm", "your own hand",
)  # fmt: skip
_UNSAFE = (
    "edge of the table", "table edge", "table's edge", "edge", "very edge", "corner of the table",
    "edge of the tray", "rim", "rim of the bowl", "edge of the bowl",
)  # fmt: skip

#: Destinations that are not objects on the table → why: off_table (a place outside the
#: workspace), person (a human), robot (the robot itself), unsafe (where an object could
#: fall), self ("inside itself"), table (the table top with no object named).
PLACES: dict[str, str] = {
    **dict.fromkeys(_OFF_TABLE.split(), "off_table"),
    **dict.fromkeys(_OFF_TABLE_PHRASES, "off_table"),
    **dict.fromkeys(_PERSON, "person"),
    **dict.fromkeys(_ROBOT, "robot"),
    **dict.fromkeys(_UNSAFE, "unsafe"),
    **dict.fromkeys(("itself", "themselves", "each other", "one another"), "self"),
    **dict.fromkeys(("table", "tabletop", "table top", "desk"), "table"),
}

#: Things that are not objects to move: the parser refuses to pick them up.
FIXTURES = frozenset(
    [
        "table", "tabletop", "desk", "floor", "wall", "robot", "arm", "gripper", "camera",
        "cameras", "yourself", "you", "me",
    ]
)  # fmt: skip

#: Why each kind of place cannot be a destination; {name} is the place as the user said it.
PLACE_REASONS = {
    "off_table": "I can only place objects on this table, and there is no {name} on it",
    "person": "I can't hand objects to people; I only place them on the table",
    "robot": "I can't put objects on or in myself; I only place them on the table",
    "unsafe": "an object placed on the {name} could fall",
    "self": "an object cannot go in or on itself",
    "table": "I put objects in, on or beside other objects on the table; tell me which one",
}
