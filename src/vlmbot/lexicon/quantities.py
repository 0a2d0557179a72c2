"""Number words, ordinals and quantifiers: how many objects an instruction is about."""

from __future__ import annotations

#: Cardinal numbers as words (and digits, handled by the parser) → value.
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "both": 2,
}  # fmt: skip
#: Ordinal words → rank (−1: the last).
ORDINAL_WORDS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "last": -1,
}  # fmt: skip
#: Determiners that let the planner choose one ("a bowl", "any bowl", "one of the bowls").
INDEFINITE = ("a", "an", "any", "some", "one of the", "one of", "any one of the", "either")
#: Quantifiers over a whole set.
UNIVERSAL = ("all the", "all of the", "all", "every", "each", "each of the", "every single")
#: Quantities too vague to act on ("a few", "several"): the robot asks how many.
VAGUE_QUANTITIES = ("a few", "several", "some of the", "a bunch of", "a handful of", "many", "most")
