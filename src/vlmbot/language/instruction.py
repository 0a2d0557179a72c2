"""Instructions and questions → typed commands, without an LLM.

Commands: PlaceCommand (put X in / on / left of ... Y), SortCommand (sort X into the bowls of
their colour), ClearCommand (clear the table into Y), PickCommand (pick up X, no destination).
Questions: count, color, exists, relation, which, describe. Anything else: NotUnderstood, with
the reason. Robust to paraphrase: the verb list is generous, and a sentence with no known verb
still parses when it has the shape "the X (goes|belongs|...) in the Y".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmbot.language.reference import Reference, parse_reference

MAX_CHARS = 300

#: Destination phrases → placement relation. "in"/"on" mean "into or onto" (decided later by
#: whether the destination is a container).
DESTINATIONS: dict[str, str] = {
    "on top of": "on", "onto": "on", "on": "on", "into": "in", "inside": "in", "in": "in",
    "to": "in", "over to": "in", "to the left of": "left_of", "left of": "left_of",
    "on the left side of": "left_of", "to the right of": "right_of", "right of": "right_of",
    "on the right side of": "right_of", "in front of": "in_front_of",
    "just in front of": "in_front_of", "behind": "behind", "at the back of": "behind",
    "next to": "next_to", "beside": "next_to", "alongside": "next_to", "close to": "next_to",
    "near": "next_to", "by": "next_to",
}  # fmt: skip
#: Phrases that belong to references ("the block closest to the bowl"), never destinations.
REFERENCE_ONLY = ("closest to", "nearest to", "farthest from", "furthest from", "the nearest")
ACTION_VERBS = frozenset(
    [
        "put",
        "place",
        "move",
        "drop",
        "stack",
        "set",
        "stick",
        "transfer",
        "grab",
        "balance",
        "pile",
        "shift",
        "gather",
        "collect",
        "stow",
        "stash",
        "get",
        "bring",
        "take",
        "pick",
        "lay",
        "sort",
        "clear",
        "tidy",
        "match",
        "group",
        "load",
        "insert",
        "deposit",
        "position",
        "relocate",
        "slide",
        "give",
        "hand",
        "carry",
    ]
)
UNSUPPORTED_VERBS = frozenset(
    [
        "throw",
        "break",
        "sing",
        "eat",
        "open",
        "pour",
        "cut",
        "wash",
        "push",
        "kick",
        "smash",
        "drink",
        "cook",
        "fly",
        "dance",
        "paint",
        "fold",
        "squeeze",
        "crush",
        "burn",
        "shake",
        "spin",
    ]
)
POLITE = (
    "please", "could you", "can you", "would you", "will you", "i'd like you to",
    "i would like you to", "i want you to", "go ahead and", "now", "kindly", "robot",
)  # fmt: skip
WANT = ("i'd like", "i would like", "i want", "i need", "let's have")
DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "some",
        "something",
        "somewhere",
        "any",
        "one",
        "my",
        "this",
        "that",
        "each",
        "its",
        "their",
        "every",
    ]
)
LINKS = ("belongs", "belong", "goes", "go", "should go", "should be", "needs to go", "has to go")


@dataclass(frozen=True)
class PlaceCommand:
    target: Reference
    relation: str
    destination: Reference
    verb: str


@dataclass(frozen=True)
class SortCommand:
    target: Reference
    containers: Reference


@dataclass(frozen=True)
class ClearCommand:
    destination: Reference


@dataclass(frozen=True)
class PickCommand:
    target: Reference


@dataclass(frozen=True)
class Question:
    """kind: count | color | exists | relation | which | describe. relation/anchor for
    relation and which questions."""

    kind: str
    subject: Reference | None = None
    relation: str | None = None
    anchor: Reference | None = None


@dataclass(frozen=True)
class NotUnderstood:
    reason: str


Parsed = PlaceCommand | SortCommand | ClearCommand | PickCommand | Question | NotUnderstood


def normalize(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[!?.,;:\"]+", " ", text.lower())
    return " ".join(text.split())


def parse_instruction(text: str) -> Parsed:
    """Parse an instruction or question (see module docstring)."""
    if not isinstance(text, str) or not text.strip():
        return NotUnderstood("the instruction is empty")
    if len(text) > MAX_CHARS:
        return NotUnderstood(
            f"the instruction is too long ({len(text)} characters; limit {MAX_CHARS})"
        )
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return NotUnderstood("the instruction has no words")
    if sum(not c.isascii() for c in letters) > 0.3 * len(letters):
        return NotUnderstood("I only understand English instructions")
    is_question = text.strip().endswith("?")
    sentence = normalize(text)
    question = parse_question(sentence)
    if question is not None:
        return question
    sentence = _strip_polite(sentence)
    command = parse_command(sentence)
    if command is not None:
        return command
    words = sentence.split()
    if words and words[0] in UNSUPPORTED_VERBS:
        return NotUnderstood(f"I can only pick up and place objects; I cannot {words[0]}")
    if is_question:
        return NotUnderstood("I cannot answer that kind of question")
    return NotUnderstood("I do not understand the instruction")


def _strip_polite(sentence: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in POLITE:
            if sentence.startswith(prefix + " "):
                sentence = sentence[len(prefix) + 1 :]
                changed = True
    return sentence.removesuffix(" please").removesuffix(" for me")


def _last_destination(sentence: str) -> tuple[int, int, str] | None:
    """The last destination phrase that is not part of a longer phrase: (start, end, phrase)."""
    spans = []
    for phrase in (*DESTINATIONS, *REFERENCE_ONLY):
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", sentence):
            spans.append((m.start(), m.end(), phrase))
    outer = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    candidates = [s for s in outer if s[2] in DESTINATIONS and sentence[s[1] :].strip()]
    # A destination is a noun phrase: prefer prepositions followed by a determiner, so that
    # "put the duck in something to put things in" keeps "to put things in" inside it.
    determined = [s for s in candidates if sentence[s[1] :].split()[0] in DETERMINERS]
    candidates = determined or candidates
    return max(candidates, key=lambda s: s[0]) if candidates else None


def parse_command(sentence: str) -> Parsed | None:
    words = sentence.split()
    if not words:
        return None
    if _is_sort(sentence):
        return _sort(sentence)
    if re.match(r"^(clear|tidy|clean)\b", sentence) or re.match(
        r"^(put|move|place|get|tidy|stow) (everything|all (the )?(objects|things|items))\b",
        sentence,
    ):
        return _clear(sentence)
    verb, rest = _split_verb(sentence)
    if verb is None:
        return None
    pick = re.match(
        r"^(.+?) and (?:then )?(?:put|place|set|drop|move|stick|lay|stack|leave) (?:it|them) (.+)$",
        rest,
    )
    if pick:
        rest = f"{pick.group(1)} {pick.group(2)}"
    destination = _last_destination(rest)
    if destination is None:
        target = re.sub(r"^up ", "", rest).removesuffix(" up").strip()
        if verb in ("pick", "grab", "take", "get", "lift") and target:
            return PickCommand(parse_reference(target))
        return NotUnderstood("I do not know where to put it") if target else None
    start, end, phrase = destination
    target_text = re.sub(r"^up ", "", rest[:start]).strip()
    target_text = re.sub(r"\b(it|them)$", "", target_text).strip()
    target_text = re.sub(r"\b(" + "|".join(LINKS) + r")$", "", target_text).strip()
    if not target_text:
        return NotUnderstood("I do not know which object to move")
    relation = DESTINATIONS[phrase]
    if verb in ("stack", "pile", "balance") and relation == "in":
        relation = "on"
    return PlaceCommand(parse_reference(target_text), relation, parse_reference(rest[end:]), verb)


def _split_verb(sentence: str) -> tuple[str | None, str]:
    """(verb, rest). Accepts "VERB ...", "I'd like ...", and "the X goes in the Y"."""
    words = sentence.split()
    if words[0] in ACTION_VERBS:
        return words[0], " ".join(words[1:])
    for want in WANT:
        if sentence.startswith(want + " "):
            return "put", sentence[len(want) + 1 :]
    if re.search(r"\b(" + "|".join(LINKS) + r")\b", sentence) and _last_destination(sentence):
        return "put", sentence
    return None, sentence


def _is_sort(sentence: str) -> bool:
    """ "sort the blocks by colour", "put each block in the bowl of the same colour"."""
    if not re.search(r"colou?r", sentence):
        return False
    if re.search(r"\b(sort|match each|match every|group)\b", sentence):
        return True
    return bool(
        re.search(r"\b(each|every|all)\b.*\bbowls?\b.*\b(same|their|its|matching)\b", sentence)
    )


def _sort(sentence: str) -> Parsed:
    m = re.search(
        r"\b(?:sort|match|group|put|place|move|drop)\s+(?:each|every|all)?\s*(?:of )?(?:the )?(.+?)"
        r"\s+(?:into|in|to|by|with)\b",
        sentence,
    )
    if not m:
        return NotUnderstood("I do not know what to sort")
    target = parse_reference(m.group(1))
    return SortCommand(
        Reference(target.text, target.head, target.colors, plural=True), parse_reference("bowls")
    )


def _clear(sentence: str) -> Parsed:
    destination = _last_destination(sentence)
    if destination is None:
        return NotUnderstood("where should everything go?")
    return ClearCommand(parse_reference(sentence[destination[1] :]))


_REL = (
    r"(to the left of|left of|on the left side of|to the right of|right of|on the right side of"
    r"|in front of|just in front of|behind|at the back of|next to|beside|on|in|inside|on top of)"
)
_RELATION_NAMES = {**DESTINATIONS, "inside": "in", "on top of": "on", "on": "on", "in": "in"}


def parse_question(sentence: str) -> Question | None:
    """Questions about the scene; None when the sentence is not one."""
    patterns: list[tuple[str, str]] = [
        (
            "count",
            r"^(?:how many|what number of|count(?: up)?(?: all)?(?: the)?|tell me how many"
            r"|number of)\s+(.+?)(?:\s+(?:are there|is there|there are|can you see|do you see"
            r"|are on the table|are visible|on the table|are|can be seen))*$",
        ),
        ("color", r"^(?:what|which) colou?r (?:is|are|does) (?:the )?(.+?)(?: have)?$"),
        ("color", r"^(?:tell me |what is |what's )?the colou?r of (?:the )?(.+)$"),
        (
            "exists",
            r"^(?:is there|are there|do you see|can you see|can you spot|does the table have"
            r"|is anything|do we have|have you got)\s+(?:a |an |any |some )?(.+?)"
            r"(?:\s+(?:on the table|on it|anywhere|here|in the scene|in view))?$",
        ),
        (
            "describe",
            r"^(?:describe|what do you see|what is on the table|what's on the table"
            r"|what can you see)(.*)$",
        ),
    ]
    for kind, pattern in patterns:
        m = re.match(pattern, sentence)
        if m:
            subject = m.group(1).strip()
            if kind == "describe":
                return Question("describe")
            return Question(kind, parse_reference(subject))
    which = re.match(
        r"^(?:which|what|name)(?: is)? (?:the )?(?:object|thing|item|one)?\s*"
        r"(?:is |sits |that is )?(?:the )?(?:object |thing )?"
        r"(closest|nearest|farthest|furthest)(?: to| from)? (?:the )?(.+)$",
        sentence,
    )
    if which:
        relation = "closest" if which.group(1) in ("closest", "nearest") else "farthest"
        return Question("which", relation=relation, anchor=parse_reference(which.group(2)))
    relational = re.match(
        rf"^(?:is|are|would you say)(?: that)? (?:the )?(.+?) (?:is |are )?{_REL} (?:the )?(.+)$",
        sentence,
    )
    if relational:
        name = _RELATION_NAMES.get(relational.group(2), relational.group(2))
        subject, anchor = parse_reference(relational.group(1)), parse_reference(relational.group(3))
        return Question("relation", subject, name, anchor)
    return None
