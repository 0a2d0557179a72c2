"""One command clause → a step: "put the red block in a bowl", "the cube should be on the
plate", "on top of the jenga block, put the cylinder", "sort the lego bricks by colour", "clear
the table into the tray", "pick up the duck".

Every clause is accounted for: a verb with no skill, a destination that is not on the table, a
fixture to pick up or words left over become a NotUnderstood naming them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vlmbot.language.commands import (
    ClearCommand,
    NotUnderstood,
    PickCommand,
    PlaceCommand,
    ShiftCommand,
    SortCommand,
    Step,
)
from vlmbot.language.measures import MEASURE, parse_shift
from vlmbot.language.reference import Reference, parse_reference
from vlmbot.language.text import closest, gerunds
from vlmbot.lexicon.places import FIXTURES, PLACE_REASONS, PLACES
from vlmbot.lexicon.verbs import (
    ACTION_VERBS,
    CLEAR_VERBS,
    PICK_VERBS,
    SORT_VERBS,
    UNSUPPORTED_VERBS,
)

#: Destination phrases → placement relation ("in"/"on": into or onto, decided by the scene).
DESTINATIONS: dict[str, str] = {
    "on top of": "on", "onto": "on", "on to": "on", "on": "on", "up on": "on", "down on": "on",
    "atop": "on", "into": "in", "inside": "in", "inside of": "in", "in": "in", "down in": "in",
    "to": "in", "over to": "in",
    "to the left of": "left_of", "left of": "left_of", "on the left of": "left_of",
    "on the left side of": "left_of", "to the left side of": "left_of",
    "to the right of": "right_of", "right of": "right_of", "on the right of": "right_of",
    "on the right side of": "right_of", "to the right side of": "right_of",
    "in front of": "in_front_of", "just in front of": "in_front_of", "before": "in_front_of",
    "behind": "behind", "at the back of": "behind", "in back of": "behind",
    "next to": "next_to", "beside": "next_to", "besides": "next_to", "alongside": "next_to",
    "close to": "next_to", "near": "next_to", "by": "next_to", "right next to": "next_to",
    "close by": "next_to", "nearby": "next_to", "up against": "next_to", "against": "next_to",
}  # fmt: skip
#: Placements the robot has no skill for: refused by name.
UNSUPPORTED_PLACES = (
    "under", "underneath", "below", "beneath", "above", "over", "between", "in between",
    "around", "across from", "opposite", "towards", "toward", "through", "out of", "away from",
    "upside down", "on its side",
)  # fmt: skip
#: Phrases that belong to references ("the block closest to the bowl"), never destinations.
REFERENCE_ONLY = (
    "closest to",
    "nearest to",
    "farthest from",
    "furthest from",
    "the nearest",
    "out of",
    "from",
)
_POSITION_AFTER = re.compile(
    r"^(?:the\s+)?(?:very\s+|far\s+|extreme\s+)?(?:left|right|front|back|middle|center|centre"
    r"|rear)(?:[- ]hand)?(?:\s+(?:side|end))?\b(?!\s+(?:of|side of)\b)"
)
_PARTICLES = ("up", "down", "away", "back", "over", "out", "off", "aside")
#: Words a noun phrase may start with: determiners, numerals, indefinite pronouns.
DETERMINERS = (
    r"the|a|an|all|every|each|both|any|some|my|this|that|something|somewhere|anything"
    r"|everything|\d+"
)
_DETERMINER_START = re.compile(rf"^(?:{DETERMINERS})\b")
_FUNCTION_WORDS = frozenset(
    [
        "and", "then", "or", "but", "if", "when", "while", "because", "so", "until", "after",
        "before", "again", "twice", "it", "them", "too", "also", "not", "without", "with", "please",
        "the", "a", "an",
    ]
)  # fmt: skip
_RELATIVE_HEAD = re.compile(r"^(?:something|anything|thing|one|object|somewhere)\b")


def find_destination(text: str) -> tuple[int, int, str] | None:
    """The last destination phrase in text: (start, end, phrase)."""
    spans = []
    for phrase in (*DESTINATIONS, *REFERENCE_ONLY):
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            spans.append((m.start(), m.end(), phrase))
    outer = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    candidates = [
        s
        for s in outer
        if s[2] in DESTINATIONS
        and text[s[1] :].strip()
        and not _POSITION_AFTER.match(text[s[1] :].strip())
    ]
    # A destination is a noun phrase: prefer prepositions followed by a determiner, so that
    # "put the duck in something to put things in" keeps "to put things in" inside it.
    determined = [s for s in candidates if _DETERMINER_START.match(text[s[1] :].strip())]
    candidates = determined or candidates
    return max(candidates, key=lambda s: s[0]) if candidates else None


def unsupported_place(text: str) -> str | None:
    """The first placement word the robot has no skill for, or None."""
    for phrase in UNSUPPORTED_PLACES:
        if re.search(rf"\b{re.escape(phrase)}\b(?!\s+(?:the\s+)?(?:table|way))", text):
            return phrase
    return None


def split_verb(clause: str) -> tuple[str | None, str]:
    """(verb, rest) for a clause that starts with a verb, a gerund or a verb typo."""
    words = clause.split()
    if not words:
        return None, ""
    first = gerunds().get(words[0], words[0])
    if first in ACTION_VERBS or first in UNSUPPORTED_VERBS:
        return first, " ".join(words[1:])
    guess = closest(first, ACTION_VERBS) if len(first) >= 3 else None
    if guess is not None and len(words) > 1 and _DETERMINER_START.match(words[1]):
        return guess, " ".join(words[1:])
    return None, clause


def parse_step(clause: str, antecedent: Reference | None) -> Step | NotUnderstood:
    """A command clause (normalised, without filler) → a step, or why not."""
    verb, rest = split_verb(clause)
    if verb is None and _has_noun_start(clause) and find_destination(clause) is not None:
        verb, rest = "put", clause  # verbless: "the red block in the bowl"
    if verb is None:
        return NotUnderstood(f"I don't understand '{clause}'", "unparsed", "refuse", clause)
    if verb in UNSUPPORTED_VERBS:
        return NotUnderstood(
            f"I can only pick up and place objects; I cannot {verb} things",
            "unsupported_verb", "refuse", verb,
        )  # fmt: skip
    measured = MEASURE.search(rest)
    if measured is not None:
        shift = parse_shift(rest) if verb in SHIFT_VERBS else None
        if shift is not None:
            return shift if isinstance(shift, NotUnderstood) else _checked_shift(shift)
        return NotUnderstood(
            f"I can't place objects at a measured distance ('{measured.group(0)}') from "
            "another; I can move one a measured distance left, right, forward or back",
            "unsupported", "refuse", measured.group(0),
        )  # fmt: skip
    if verb in SORT_VERBS or is_sort(f"{verb} {rest}"):
        return parse_sort(clause)
    if verb in CLEAR_VERBS or _is_everything(rest):
        return _clear(verb, rest)
    return _place_or_pick(verb, rest, antecedent)


#: Verbs that can move an object a measured distance.
SHIFT_VERBS = frozenset(
    {"move", "shift", "slide", "nudge", "carry", "relocate", "put", "place", "set"}
)


def _checked_shift(shift: ShiftCommand) -> ShiftCommand | NotUnderstood:
    target = check_target(shift.target)
    return target if isinstance(target, NotUnderstood) else shift


def _place_or_pick(verb: str, rest: str, antecedent: Reference | None) -> Step | NotUnderstood:
    rest = _drop_particles(rest)
    blocked = unsupported_place(rest)
    destination = find_destination(rest)
    if blocked is not None and (destination is None or rest.find(blocked) > destination[0]):
        return NotUnderstood(
            f"I can't place things '{blocked}' something; I can put them in, on, left of, "
            "right of, in front of, behind or next to an object",
            "unsupported", "refuse", blocked,
        )  # fmt: skip
    if destination is None:
        target = _target(rest, antecedent)
        if isinstance(target, NotUnderstood):
            return target
        if verb in PICK_VERBS or verb == "get":
            return PickCommand(target)
        return NotUnderstood(
            f"where should the {target.head or 'objects'} go?", "no_destination", "clarify"
        )
    start, end, phrase = destination
    target = _target(rest[:start], antecedent)
    if isinstance(target, NotUnderstood):
        return target
    place = check_destination(rest[end:], target)
    if isinstance(place, NotUnderstood):
        return place
    if target.everything:
        return ClearCommand(place, target.exclude)  # "put all but the red block in the tray"
    relation = DESTINATIONS[phrase]
    if verb in ("stack", "pile", "balance", "nest") and relation == "in":
        relation = "on"
    return PlaceCommand(target, relation, place, verb)


def _drop_particles(rest: str) -> str:
    words = rest.split()
    words = [w for i, w in enumerate(words) if not (w in _PARTICLES and _is_particle(words, i))]
    return " ".join(words)


def _is_particle(words: list[str], i: int) -> bool:
    """ "pick up the duck", "put the duck down in the bowl": a particle at the start or after
    the object, not a preposition of the destination ("over to the bowl")."""
    after = words[i + 1] if i + 1 < len(words) else ""
    if i > 0 and words[i - 1] in ("the", "a", "an", "at", "in", "on", "very", "far"):
        return False  # "at the back", "on the far side": a noun, not a particle
    return (
        i == 0
        or after in ("in", "into", "on", "onto", "next", "beside", "by", "")
        or (after in ("to",) and words[i] != "over")
    )


def _target(text: str, antecedent: Reference | None) -> Reference | NotUnderstood:
    text = re.sub(r"\b(?:up|down|away|back)$", "", text).strip()
    text = re.sub(r"^(?:up|down)\s+", "", text).strip()
    if text in ("it", "them", "that", "this", "those", "these", "that one", "this one", "both"):
        if antecedent is None:
            return NotUnderstood(f"which object do you mean by '{text}'?", "no_target", "clarify")
        return antecedent
    if not text:
        return NotUnderstood("which object should I move?", "no_target", "clarify")
    reference = parse_reference(text)
    return check_target(reference)


def check_target(reference: Reference) -> Reference | NotUnderstood:
    """A reference to something to pick up, or why it cannot be one."""
    for part in (reference, *reference.members):
        if part.head in FIXTURES or part.head.removeprefix("the ") in FIXTURES:
            return NotUnderstood(
                f"the {part.head} is not something I can pick up", "fixture", "refuse", part.head
            )
    problem = unparsed_words(reference)
    if problem is not None:
        return NotUnderstood(f"I don't understand '{problem}'", "unparsed", "refuse", problem)
    if reference.mode == "vague":
        return NotUnderstood(
            f"how many {reference.head or 'objects'} should I move?", "vague_quantity", "clarify"
        )
    return reference


def check_destination(text: str, target: Reference) -> Reference | NotUnderstood:
    """A reference to a destination on the table, or why it cannot be one."""
    text = text.strip()
    reference = parse_reference(text)
    head = reference.head.removeprefix("the ")
    keys = [text.removeprefix("the "), head]
    if reference.relation is None:
        keys += _last_words(head)
    place = next((key for key in keys if key in PLACES), None)
    if place is not None:
        kind = PLACES[place]
        reason = PLACE_REASONS[kind].format(name=place)
        outcome = "clarify" if kind == "table" else "refuse"
        return NotUnderstood(reason, "place", outcome, place)
    if re.match(r"^(?:each|every|all)\b", text):
        return NotUnderstood(
            f"one {target.head or 'object'} in each {head}? I can only put objects into one "
            "container per step: say which", "unsupported", "clarify", text,
        )  # fmt: skip
    if reference.mode == "all" and not reference.members and reference.head:
        reference = replace(reference, determiner="a", plural=False)  # "in the bowls": any
    problem = unparsed_words(reference)
    if problem is not None:
        return NotUnderstood(f"I don't understand '{problem}'", "unparsed", "refuse", problem)
    return reference


def _has_noun_start(clause: str) -> bool:
    """A clause that starts like a noun phrase: a determiner, a number, a colour or a size, or
    a word the parser knows."""
    from vlmbot.language.text import vocabulary

    first = clause.split()[0] if clause.split() else ""
    return bool(_DETERMINER_START.match(first)) or (
        first in vocabulary() and first not in ACTION_VERBS and first not in UNSUPPORTED_VERBS
    )


def _last_words(head: str) -> list[str]:
    words = head.split()
    return [" ".join(words[-2:]), words[-1]] if words else []


def unparsed_words(reference: Reference) -> str | None:
    """Words a reference's head cannot contain (a verb, a conjunction, a pronoun), or None;
    relative-clause heads ("something you can drink from") keep their words."""
    parts = [reference, *reference.members, *reference.exclude]
    if reference.relation is not None:
        parts.append(reference.relation[1])
    for part in parts:
        if part is not reference and unparsed_words(part) is not None:
            return unparsed_words(part)
        if _RELATIVE_HEAD.match(part.head):
            continue
        words = part.head.split()
        odd = [w for w in words if w in _FUNCTION_WORDS or w in ACTION_VERBS]
        odd += [w for w in words if w in UNSUPPORTED_VERBS and len(words) > 1]
        if odd:
            return part.head
    return None


def is_sort(clause: str) -> bool:
    """ "sort the blocks by colour", "put each block in the bowl of the same colour"."""
    if re.match(r"^(?:sort|match|group|pair)\b", clause):
        return True
    if not re.search(r"colou?r|matching|\bmatch", clause):
        return False
    return bool(
        re.search(
            r"\b(?:each|every|all|the)\b.*\b(?:bowls?|plates?|containers?|trays?)\b.*"
            r"\b(?:same|their|its|matching|match|matches|corresponding)\b",
            clause,
        )
        or re.search(r"\b(?:matching|corresponding)\s+(?:colou?red\s+)?(?:bowls?|plates?)", clause)
    )


def parse_sort(clause: str) -> Step | NotUnderstood:
    """The target and the containers of a sorting goal; only colour is an attribute."""
    if re.search(r"\bby (?:size|shape|height|weight|type|kind|category)\b", clause):
        return NotUnderstood(
            "I can only sort objects by colour", "unsupported", "refuse", "by size"
        )
    match = re.search(
        r"\b(?:sort|match|group|pair|organi[sz]e|separate|put|place|move|drop|stow)\s+"
        r"(?:up\s+)?(?:out\s+)?(.+?)\s+(?:into|in|to|by|with|onto|on|according)\b",
        clause,
    )
    if not match:
        return NotUnderstood("I do not know what to sort", "no_target", "clarify")
    target = parse_reference(re.sub(r"^(?:each|every|all)\s+(?:of\s+)?", "all ", match.group(1)))
    target = replace(target, determiner="all", plural=True)
    kind = re.search(r"\b(bowls?|plates?|trays?|containers?)\b", clause)
    containers = parse_reference("all " + (kind.group(1) if kind else "bowls"))
    containers = replace(containers, determiner="all", plural=True)
    problem = unparsed_words(target)
    if problem is not None:
        return NotUnderstood(f"I don't understand '{problem}'", "unparsed", "refuse", problem)
    return SortCommand(target, containers)


def _is_everything(rest: str) -> bool:
    return bool(
        re.match(
            r"^(?:everything|all (?:the )?(?:objects|things|items|stuff)|every (?:object|thing"
            r"|item)|each (?:object|thing|item)|all of it|it all|the whole lot|all of them)\b",
            rest,
        )
    )


def _clear(verb: str, rest: str) -> Step | NotUnderstood:
    """ "clear the table into the tray", "put everything but the mug in the bowl"."""
    destination = find_destination(rest)
    if destination is None:
        return NotUnderstood("where should everything go?", "no_destination", "clarify")
    target_text = rest[: destination[0]].strip()
    if verb in CLEAR_VERBS and not _is_everything(target_text):
        target_text = re.sub(
            r"^(?:up\s+)?(?:off\s+)?(?:the\s+)?(?:table|tabletop|desk|workspace|mess|area"
            r"|everything)?\s*(?:up|off)?\s*", "", target_text,
        )  # fmt: skip
        if target_text:
            return _place_or_pick("put", rest, None)  # "tidy the cubes into the tray"
    target = parse_reference(target_text or "everything")
    into = check_destination(rest[destination[1] :], target)
    if isinstance(into, NotUnderstood):
        return into
    return ClearCommand(into, target.exclude)
