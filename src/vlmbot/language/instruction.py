"""Instructions and questions → the typed command (`vlmbot.language.commands`), without an LLM.

The stages: normalise the text (contractions, typos); screen it (prompt injection and
forbidden verbs anywhere are refused by name); a question? answer it; otherwise split it into
clauses and account for every one: a step, a constraint, an exception to the step before, a
manner clause, or a NotUnderstood that names the clause the robot cannot do. Nothing is
dropped: if one clause is not understood, the instruction is not acted on.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vlmbot.language.clauses import (
    ExceptionClause,
    Manner,
    classify_special,
    split_clauses,
    strip_polite,
)
from vlmbot.language.commands import (
    ClearCommand,
    Constraint,
    Instruction,
    NotUnderstood,
    Parsed,
    PickCommand,
    PlaceCommand,
    Question,
    SortCommand,
    Step,
)
from vlmbot.language.questions import parse_question
from vlmbot.language.reference import Reference, parse_reference
from vlmbot.language.screen import screen
from vlmbot.language.steps import (
    DESTINATIONS,
    DETERMINERS,
    check_target,
    parse_step,
    split_verb,
)
from vlmbot.language.text import normalize

__all__ = [
    "ClearCommand",
    "Constraint",
    "Instruction",
    "NotUnderstood",
    "Parsed",
    "PickCommand",
    "PlaceCommand",
    "Question",
    "SortCommand",
    "Step",
    "normalize",
    "parse_instruction",
]

MAX_CHARS = 300
_PRONOUNS = ("it", "them", "that", "there", "this", "those")
_PREPOSITIONS = "|".join(re.escape(p) for p in sorted(DESTINATIONS, key=len, reverse=True))
_GOAL_FORMS = (
    # "I'd like the cube on the plate", "I want you to ..." (the polite part is gone by now)
    r"^(?:i would like|i want|i need|i would love|i wish|let us have|can i have|could i have"
    r"|could i get|can i get|i would prefer|we need|we want|i would like to see|i want to see)"
    r"\s+(?:to see\s+|to have\s+)?(?P<np>.+?)\s+(?P<pp>(?:" + _PREPOSITIONS + r")\s+.+)$",
    # "make sure the cube is on the plate"
    r"^(?:make sure|ensure|see to it|see that|make it so)\s+(?:that\s+)?(?P<np>.+?)\s+"
    r"(?:is|are|ends up|end up|gets|get|sits|lands|is sitting|is placed|is put)\s+"
    r"(?P<pp>(?:" + _PREPOSITIONS + r")\s+.+)$",
    # "the cube should be on the plate", "the duck needs to go in the tray"
    r"^(?P<np>.+?)\s+(?:should|must|needs to|need to|has to|have to|ought to|is to|are to"
    r"|will|would|could|can)\s+(?:be|go|sit|end up|stand|rest|live|lie|get|be put|be placed"
    r"|be moved|be stacked|be sitting)\s+(?:put\s+|placed\s+|moved\s+|stacked\s+)?"
    r"(?P<pp>(?:" + _PREPOSITIONS + r")\s+.+)$",
    # "the duck goes in the tray", "the mug belongs on the plate"
    r"^(?P<np>.+?)\s+(?:goes|go|belongs|belong|sits|sit|lives|live|fits|fit|needs moving"
    r"|needs to be moved)\s+(?P<pp>(?:" + _PREPOSITIONS + r")\s+.+)$",
    # "have the duck in the tray", "get me the duck in the tray" is a place verb already
    r"^have\s+(?P<np>.+?)\s+(?P<pp>(?:" + _PREPOSITIONS + r")\s+.+)$",
)


def parse_instruction(text: object) -> Parsed:
    """Parse an instruction or question (see module docstring)."""
    problem = _check_text(text)
    if problem is not None:
        return problem
    assert isinstance(text, str)
    is_question = text.strip().endswith("?")
    sentence = normalize(text)
    refused = screen(sentence)
    if refused is not None:
        return refused
    question = parse_question(sentence)
    if question is not None and _question_is_whole(question):
        return question
    parsed = parse_clauses(split_clauses(sentence))
    if isinstance(parsed, NotUnderstood) and is_question and parsed.kind == "unparsed":
        return NotUnderstood("I cannot answer that kind of question", "unsupported", "refuse")
    return parsed


def _check_text(text: object) -> NotUnderstood | None:
    if not isinstance(text, str) or not text.strip():
        return NotUnderstood("the instruction is empty", "empty")
    if len(text) > MAX_CHARS:
        return NotUnderstood(
            f"the instruction is too long ({len(text)} characters; limit {MAX_CHARS})",
            "too_long",
        )
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return NotUnderstood("the instruction has no words", "no_words")
    if sum(not c.isascii() for c in letters) > 0.3 * len(letters):
        return NotUnderstood("I only understand English instructions", "language")
    return None


def _question_is_whole(question: Question) -> bool:
    """A question whose subject swallowed a second clause is not one question."""
    for reference in (question.subject, question.anchor):
        if reference is not None and re.search(r"\b(?:and then|then)\b", reference.text):
            return False
    return True


def parse_clauses(clauses: list[str]) -> Parsed:
    """Clauses → an Instruction, or the first clause the robot cannot do."""
    steps: list[Step] = []
    constraints: list[Constraint] = []
    for raw in clauses:
        clause = _goal_form(_fronted(strip_polite(raw)))
        if not clause:
            continue
        antecedent = _target_of(steps[-1]) if steps else None
        special = classify_special(clause, antecedent)
        if isinstance(special, Manner):
            continue
        if isinstance(special, NotUnderstood):
            return special
        if isinstance(special, Constraint):
            constraints.append(_resolved(special, steps))
            continue
        if isinstance(special, ExceptionClause):
            if not steps:
                return NotUnderstood(
                    f"except from what? ('{clause}')", "unparsed", "clarify", clause
                )
            steps[-1] = _with_exception(steps[-1], special.references)
            continue
        step = _step(clause, steps, antecedent)
        if isinstance(step, NotUnderstood):
            return _named(step, clause, bool(steps))
        _append(steps, step)
    if not steps:
        if constraints:
            return NotUnderstood(
                "you told me only what not to do, so I am leaving everything where it is",
                "nothing_to_do",
                "refuse",
            )
        return NotUnderstood("I do not understand the instruction", "unparsed")
    return Instruction(tuple(steps), tuple(constraints))


def _resolved(constraint: Constraint, steps: list[Step]) -> Constraint:
    """Pronouns of a constraint: "… in the bowl, but keep the duck out of it" ("it": the step's
    destination); "… and keep it out of the bowl" ("it": the step's target)."""
    previous = steps[-1] if steps else None
    target = _target_of(previous) if previous is not None else None
    if constraint.target.head in _PRONOUNS and target is not None:
        constraint = replace(constraint, target=target)
    destination = constraint.destination
    pronoun = destination is not None and destination.head in _PRONOUNS
    if pronoun and isinstance(previous, PlaceCommand | ClearCommand):
        constraint = replace(constraint, destination=previous.destination)
    return constraint


def _step(clause: str, steps: list[Step], antecedent: Reference | None) -> Step | NotUnderstood:
    """A command clause, or an elliptical one that borrows from the step before ("… and the
    blue one in the tray", "… and the duck too")."""
    verb, _ = split_verb(clause)
    if verb is not None:
        return parse_step(re.sub(r"\s+(?:too|as well)$", "", clause), antecedent)
    previous = steps[-1] if steps else None
    parent = antecedent.head if antecedent is not None else None
    too = re.match(r"^(?:also\s+(.+)|(.+?)\s+(?:too|as well|also)|(the\s+.+))$", clause)
    if isinstance(previous, PlaceCommand) and too and not _has_destination(clause):
        # "… in the bowl, then the purple mug": the same destination for the next object
        text = too.group(1) or too.group(2) or too.group(3)
        target = check_target(parse_reference(text, parent))
        if isinstance(target, NotUnderstood):
            return target
        return replace(previous, target=target)
    clause = re.sub(r"\s+(?:too|as well)$", "", clause)
    if _has_destination(clause):
        borrowed = previous.verb if isinstance(previous, PlaceCommand) else ""
        if not borrowed:
            return parse_step(clause, antecedent)
        step = parse_step(f"{borrowed} {clause}", antecedent)
        if isinstance(step, PlaceCommand) and parent and step.target.head == "object":
            step = replace(step, target=parse_reference(step.target.text, parent))
        return step
    return parse_step(clause, antecedent)


def _has_destination(clause: str) -> bool:
    return re.search(rf"\b(?:{_PREPOSITIONS})\s+\S", clause) is not None


def _append(steps: list[Step], step: Step) -> None:
    """A pick followed by a placement of the same object is one placement."""
    picked = steps[-1] if steps else None
    pick_then_place = isinstance(picked, PickCommand) and isinstance(step, PlaceCommand)
    if pick_then_place and step.target is picked.target:  # type: ignore[union-attr]
        steps[-1] = step
        return
    steps.append(step)


def _target_of(step: Step) -> Reference | None:
    if isinstance(step, PlaceCommand | PickCommand | SortCommand):
        return step.target
    return None


def _with_exception(step: Step, references: tuple[Reference, ...]) -> Step:
    if isinstance(step, ClearCommand):
        return replace(step, exclude=step.exclude + references)
    target = step.target
    return replace(step, target=replace(target, exclude=target.exclude + references))


def _named(problem: NotUnderstood, clause: str, after_steps: bool) -> NotUnderstood:
    """A clause the robot cannot do, named; after understood steps, say the rest waits."""
    if not after_steps:
        return problem
    reason = f"{problem.reason} ('{clause}'), so I won't do the rest either"
    return replace(problem, reason=reason, part=problem.part or clause)


#: How the object of a command starts: a noun phrase's first word, or a pronoun.
_OBJECT_START = re.compile(rf"^(?:{DETERMINERS}|these|those|it|them|one)\b")


def _fronted(clause: str) -> str:
    """ "on top of the jenga block put the cylinder" → "put the cylinder on top of the jenga
    block"."""
    if not _is_fronted(clause) or split_verb(clause)[0] is not None:
        return clause
    words = clause.split()
    first: str | None = None
    for i in range(2, len(words)):
        verb, rest = split_verb(" ".join(words[i:]))
        if verb is None or words[i] in DESTINATIONS:
            continue
        moved = f"{verb} {rest} {' '.join(words[:i])}"
        # The verb takes an object ("put the cylinder", "put it"); a gerund that modifies a
        # noun of the destination ("the drinking cup") does not.
        if _OBJECT_START.match(rest):
            return moved
        first = first or moved
    return first or clause


def _goal_form(clause: str) -> str:
    """A goal stated as a state → a command ("the cube should be on the plate" → "put the
    cube on the plate")."""
    if split_verb(clause)[0] is not None and not clause.startswith(("have ", "get ")):
        return clause
    for pattern in _GOAL_FORMS:
        match = re.match(pattern, clause)
        if match is not None:
            return f"put {match.group('np')} {match.group('pp')}"
    return clause


def _is_fronted(clause: str) -> bool:
    return re.match(rf"^(?:{_PREPOSITIONS})\s", clause) is not None
