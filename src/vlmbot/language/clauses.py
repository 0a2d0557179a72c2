"""A sentence → clauses, each classified: a step, a constraint ("don't move the mug", "keep the
mug out of the bowl"), an exception to the step before ("but not the red one"), a manner clause
("carefully") or something the robot did not understand.

Clauses are split at commas and sequencing words ("then", "after that", "first … then"), and at
"and" / "but" when what follows starts a new clause (a verb, a constraint); a clause that is only
a noun phrase continues the one before ("put the mug in the bowl and the duck in the tray").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmbot.language.commands import Constraint, NotUnderstood
from vlmbot.language.reference import Reference, parse_reference
from vlmbot.language.steps import DESTINATIONS, check_target, find_destination, split_verb
from vlmbot.lexicon.verbs import ACTION_VERBS, MANNER_CLAUSES, MANNER_WORDS, UNSUPPORTED_VERBS

_SEQUENCE = re.compile(
    r"\s*(?:,\s*)?\b(?:and then|and after that|after that|afterwards|and afterwards|then|and next"
    r"|next ,|and finally|finally|and lastly|lastly|once that is done|once done|when done"
    r"|when you are done|and also|also|plus|as well as that)\b\s*(?:,\s*)?"
)
_COMMA = re.compile(r"\s*,\s*")
_POLITE = (
    "please", "kindly", "could you please", "could you", "can you please", "can you",
    "would you please", "would you", "will you", "would you mind", "do you mind",
    "i would like you to", "i want you to", "i need you to", "i would love you to",
    "i would appreciate it if you could", "i would appreciate it if you would", "go ahead and",
    "go ahead", "come on", "hurry up", "would you be so kind as to", "be so kind as to",
    "could you be so kind as to", "would you kindly", "if you would",
    "now", "just", "ok", "okay", "alright", "all right", "so", "hey", "hi", "hello", "robot",
    "hey robot", "um", "uh", "well", "first", "firstly", "first of all", "to start",
    "to begin", "to begin with", "start by", "begin by", "and", "then", "also",
    "make sure to", "be sure to", "try to", "remember to", "do not forget to", "time to",
    "let us", "you should", "you can", "you could", "you need to", "you must", "i think",
    "maybe", "perhaps", "actually", "quickly", "carefully", "gently", "lastly", "finally",
    "if you could", "if you can", "would it be possible to", "is it possible to",
    "do me a favour and", "do me a favor and", "for me", "after that", "afterwards",
)  # fmt: skip
_POLITE_SUFFIX = (
    "please", "for me", "thanks", "thank you", "if you can", "if you could", "when you can",
    "if you do not mind", "now", "right now", "right away", "quickly", "carefully", "gently",
    "slowly", "thank you very much", "ok", "okay", "as soon as possible",
    "asap", "when you get a chance", "again", "please and thank you",
)  # fmt: skip
_CONSTRAINT_VERBS = (
    r"(?:picking up|pick up|picking|pick|moving|move|touching|touch|grabbing|grab|taking|take"
    r"|disturbing|disturb|lifting|lift|handling|handle|shifting|shift)"
)


_EXCEPT = ("except", "excluding", "apart", "other")
_CONSTRAINT_GERUNDS = {
    "keeping": "keep", "leaving": "leave", "avoiding": "avoid", "making sure": "make sure",
    "not moving": "do not move", "not touching": "do not touch",
}  # fmt: skip


@dataclass(frozen=True)
class ExceptionClause:
    """An exception clause ("but not the red one"): objects the step before must leave out."""

    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Manner:
    """A clause that only says how ("carefully", "without dropping it"): no effect."""

    text: str


def strip_polite_suffix(sentence: str) -> str:
    """Politeness and filler off the end of a normalised sentence ("... , for me , thanks")."""
    changed = True
    while changed:
        changed = False
        for suffix in sorted(_POLITE_SUFFIX, key=len, reverse=True):
            if sentence.endswith(" " + suffix):
                sentence = sentence[: -len(suffix)].strip(" ,")
                changed = True
    return sentence


def strip_polite(clause: str) -> str:
    """Politeness and filler off both ends of a clause."""
    changed = True
    while changed:
        changed = False
        for prefix in sorted(_POLITE, key=len, reverse=True):
            if clause == prefix or clause.startswith(prefix + " "):
                clause = clause[len(prefix) :].strip(" ,")
                changed = True
        stripped = strip_polite_suffix(clause)
        if stripped != clause:
            clause, changed = stripped, True
    words = [w for w in clause.split() if w not in ("please", "kindly", "gently", "carefully")]
    return " ".join(words)


def split_clauses(sentence: str) -> list[str]:
    """Clauses in order (see module docstring); "before that" moves a clause earlier."""
    pieces: list[str] = []
    sentence = re.sub(r"(?:^|\s),?\s*\bnext\s*,", " , then ", sentence)
    for part in _SEQUENCE.split(sentence):
        listed = _join_lists([p.strip() for p in _COMMA.split(part) if p.strip()])
        for piece in listed:
            pieces.extend(_split_and(piece))
    return _join_fronted(_reorder(pieces))


def _join_lists(pieces: list[str]) -> list[str]:
    """ "put the mug, the duck and the ball in the tray": a noun phrase after a command that
    has no destination yet continues its list of objects."""
    joined: list[str] = []
    for piece in pieces:
        previous = joined[-1] if joined else ""
        if (
            previous
            and split_verb(previous)[0]
            and find_destination(previous) is None
            and (split_verb(piece)[0] is None and not _is_bare_destination(piece))
        ):
            joined[-1] = f"{previous} and {piece}"
        else:
            joined.append(piece)
    return joined


def _split_and(piece: str) -> list[str]:
    """Split at "and" / "but" / "without" / "while" when a new clause follows."""
    words = piece.split()
    clauses, start = [], 0
    for i, word in enumerate(words):
        if i == 0 or word not in ("and", "but", "without", "while", "whilst", *_EXCEPT):
            continue
        after = words[i + 1 :]
        if _starts_clause(word, after, words[start:i]):
            clauses.append(" ".join(words[start:i]))
            start = i + 1 if word == "and" else i
    clauses.append(" ".join(words[start:]))
    return [c for c in clauses if c]


def _starts_clause(conjunction: str, after: list[str], before: list[str]) -> bool:
    if not after:
        return False
    if conjunction in ("without", "while", "whilst"):
        return True
    first = after[0]
    if conjunction in _EXCEPT:
        # "put all the toys in the tray except the duck": an exception after the destination
        follows = {"other": "than", "apart": "from"}.get(conjunction, first)
        return find_destination(" ".join(before)) is not None and first == follows
    if conjunction == "and" and find_destination(" ".join(before)) is not None:
        rest = " ".join(after)
        if find_destination(rest) is not None or re.search(r"\b(?:too|as well)$", rest):
            return True  # "… in the bowl and the blue one in the tray", "… and the duck too"
    if conjunction == "but":
        return first in ("leave", "keep", "do", "never", "not", "make", "avoid", "without") or (
            _is_verb(first) and not _is_exception_start(before)
        )
    if first in ("do", "never", "leave", "keep", "make", "avoid", "be", "try", "tell", "say"):
        return True
    if _is_verb(first):
        return True
    # "and wiggle it": an unknown word followed by a pronoun or a determiner is a verb.
    return (
        len(after) > 1
        and after[1] in ("it", "them", "the", "a", "an", "everything", "all", "this", "that")
        and not _noun_like(first)
    )


def _is_exception_start(before: list[str]) -> bool:
    return bool(before) and before[0] in ("all", "every", "each", "everything")


def _is_verb(word: str) -> bool:
    verb, _ = split_verb(word + " the")
    return verb is not None and (word in ACTION_VERBS or word in UNSUPPORTED_VERBS or verb != word)


def _noun_like(word: str) -> bool:
    from vlmbot.language.text import vocabulary

    return word in vocabulary() and word not in ACTION_VERBS and word not in UNSUPPORTED_VERBS


def _reorder(pieces: list[str]) -> list[str]:
    ordered: list[str] = []
    for piece in pieces:
        match = re.match(r"^(?:but )?(?:before that|before you do that|but first)\s+(.+)$", piece)
        if match and ordered:
            ordered.insert(len(ordered) - 1, match.group(1))
        else:
            ordered.append(piece)
    return ordered


def _join_fronted(pieces: list[str]) -> list[str]:
    """A clause that is only a destination ("on top of the jenga block") joins the next one."""
    joined: list[str] = []
    skip = False
    for i, piece in enumerate(pieces):
        if skip:
            skip = False
            continue
        bare = strip_polite(piece)
        if i + 1 < len(pieces) and _is_bare_destination(bare):
            joined.append(f"{bare} {pieces[i + 1]}")
            skip = True
        else:
            joined.append(piece)
    return joined


def _is_bare_destination(piece: str) -> bool:
    prepositions = sorted(DESTINATIONS, key=len, reverse=True)
    match = re.match(r"^(" + "|".join(re.escape(p) for p in prepositions) + r")\s+\S", piece)
    return match is not None and split_verb(piece)[0] is None


def classify_special(clause: str, antecedent: Reference | None) -> object | None:
    """A constraint, an exception or a manner clause; None for a command clause."""
    clause = re.sub(r"^(?:but\s+)?(?:while|whilst)\s+", "", clause)
    for gerund, verb in _CONSTRAINT_GERUNDS.items():
        clause = re.sub(rf"^{gerund}\b", verb, clause)
    if clause in MANNER_CLAUSES or all(w in MANNER_WORDS for w in clause.split()):
        return Manner(clause)
    if re.match(
        r"^(?:and )?(?:nothing else|only that|that is all|that is it|leave the rest"
        r"|leave everything else(?: where it is| alone)?|do not touch anything else"
        r"|do not move anything else|do not move the rest|leave the others)$",
        clause,
    ):
        return Manner(clause)  # fmt: skip
    exception = _exception(clause, antecedent)
    if exception is not None:
        return exception
    return constraint(clause, antecedent)


def _exception(clause: str, antecedent: Reference | None) -> ExceptionClause | None:
    match = re.match(
        r"^(?:but )?(?:not|except(?: for)?|apart from|other than|excluding|aside from"
        r"|but not|save for|leaving out|leave out|skip|skipping|minus|except that)\s+(.+)$",
        clause,
    )
    if match is None:
        return None
    parent = antecedent.head if antecedent is not None else None
    text = match.group(1)
    if re.match(r"^(?:put|place|move|touch|pick)\b", text):
        return None
    reference = parse_reference(text, parent)
    return ExceptionClause(reference.members or (reference,))


def constraint(clause: str, antecedent: Reference | None) -> Constraint | NotUnderstood | None:
    """ "do not move the mug", "keep the mug out of the bowl", "leave the duck alone",
    "without touching the mug", "the mug stays where it is", "the mug must not go in the bowl"."""
    parent = antecedent.head if antecedent is not None else None
    # "without picking it up or pushing it": the object of the first verb is what stays
    first_verb = rf"^((?:without|do not|never)\s+{_CONSTRAINT_VERBS}\s+\S+)(?:\s+up)?\s+or\s+.+$"
    clause = re.sub(first_verb, r"\1", clause)
    keep_out = re.match(
        r"^(?:but )?(?:do not|never|please do not|make sure (?:you )?do not|avoid|try not to)\s+"
        r"(?:put|place|move|drop|putting|placing|set|stack|get)\s+(.+?)\s+(?:in|into|on|onto"
        r"|inside|on top of)\s+(.+)$"
        r"|^(?:but )?(?:keep|leave|hold)\s+(.+?)\s+(?:out of|outside(?: of)?|off|away from)\s+(.+)$"
        r"|^(?:but )?(.+?)\s+(?:should not|must not|can not|may not|should never|must never"
        r"|does not|do not|will not|is not to|are not to)\s+(?:be|go|end up|get|belong)\s+"
        r"(?:put\s+)?(?:in|into|on|onto|inside)\s+(.+)$",
        clause,
    )
    if keep_out is not None:
        groups = [g for g in keep_out.groups() if g is not None]
        target, destination = parse_reference(groups[0], parent), parse_reference(groups[1])
        return _checked(Constraint("keep_out", target, destination))
    dont_move = re.match(
        rf"^(?:but )?(?:do not|never|please do not|make sure (?:you )?do not|avoid|try not to"
        rf"|be careful not to|without|while not|but without)\s+{_CONSTRAINT_VERBS}\s+(.+?)"
        r"(?:\s+(?:at all|either|please))?$"
        r"|^(?:but )?(?:leave|keep)\s+(.+?)\s+(?:alone|where (?:it|they) (?:is|are|was|were)"
        r"|in place|as (?:it is|they are|is)|be|there|untouched|out|put|in its place"
        r"|on the table|where it stands)$"
        r"|^(?:but )?(.+?)\s+(?:stays|should stay|must stay|has to stay|needs to stay|remains"
        r"|should remain|must remain|stay|is off limits|are off limits|does not move"
        r"|must not move|should not move|can not move)(?:\s+(?:where (?:it|they) (?:is|are)"
        r"|put|in place|there|as (?:it is|they are)|on the table|where it stands))?$",
        clause,
    )
    if dont_move is not None:
        text = next(g for g in dont_move.groups() if g is not None)
        return _checked(Constraint("dont_move", parse_reference(text, parent)))
    bare = re.match(r"^(?:but )?leave (.+)$", clause)
    if bare is not None and find_destination(bare.group(1)) is None:
        return _checked(Constraint("dont_move", parse_reference(bare.group(1), parent)))
    return None


def _checked(constraint: Constraint) -> Constraint | NotUnderstood:
    if constraint.target.head in ("it", "them", "that", "this", "those"):
        return constraint  # a pronoun: the step before says what it is
    target = check_target(constraint.target)
    if isinstance(target, NotUnderstood):
        return target
    return constraint
