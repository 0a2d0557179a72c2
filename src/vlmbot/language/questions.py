"""Questions about the scene, in their everyday variety: "how many blocks do you see", "do you
see any red blocks", "what colour is the mug", "is the duck left of the bowl", "which block is
the biggest", "what's left of the mug?", "where is the duck", "what do you see".

`parse_question` takes normalised text and returns a Question, or None when the sentence is
not a question it knows.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vlmbot.language.clauses import strip_polite_suffix
from vlmbot.language.commands import Question
from vlmbot.language.reference import Reference, parse_reference

#: Relation words in questions → relation name.
_QUESTION_RELATIONS = (
    ("on the left side of", "left_of"), ("on the right side of", "right_of"),
    ("to the left of", "left_of"), ("to the right of", "right_of"), ("left of", "left_of"),
    ("right of", "right_of"), ("in front of", "in_front_of"), ("just in front of", "in_front_of"),
    ("at the back of", "behind"), ("behind", "behind"), ("next to", "next_to"),
    ("beside", "next_to"), ("near", "near"), ("close to", "near"), ("on top of", "on"),
    ("inside", "in"), ("in", "in"), ("on", "on"),
)  # fmt: skip
_REL = "|".join(re.escape(p) for p, _ in _QUESTION_RELATIONS)
_RELATION_NAMES = dict(_QUESTION_RELATIONS)
_TRAILING = (
    r"(?:\s+(?:are there|is there|there are|there is|can you see|do you see|can you count"
    r"|are visible|are on the table|is on the table|on the table|do we have|do i have|are here"
    r"|are there on the table|in total|altogether|in the scene|in view|are left|remain|right now"
    r"|now|at all|anywhere|here|there|on it|you can see|you see))*"
)
_EXISTS = (
    r"(?:is there|are there|do you see|can you see|can you spot|could you see|do you notice"
    r"|does the table have|is anything|do we have|do i have|have you got|have we got|did you see"
    r"|is there still|are there still|can you find|do you have|you see|see)"
)


def parse_question(sentence: str) -> Question | None:
    """Questions about the scene; None when the sentence is not one (see module docstring)."""
    sentence = re.sub(
        r"^(?:(?:hey|ok|okay|so|and|robot|please|hi|hello|um|well|excuse me)\s*,?\s*)+",
        "",
        sentence,
    ).strip()
    sentence = strip_polite_suffix(sentence)
    for parse in (_count, _color, _where, _describe, _what_relation, _which, _exists, _relation):
        question = parse(sentence)
        if question is not None:
            return question
    return None


def _count(sentence: str) -> Question | None:
    match = re.match(
        r"^(?:how many|what number of|count(?: up)?(?: all)?(?: of)?(?: the)?|tell me how many"
        r"|number of|can you count(?: the)?|could you count(?: the)?|give me the number of)"
        rf"\s+(.+?){_TRAILING}$",
        sentence,
    )
    if match is None:
        return None
    subject = re.sub(r"\s+(?:are|is)\s+(?=(?:" + _REL + r")\b)", " ", match.group(1))
    subject = re.sub(r"\s+(?:are|is)$", "", subject)
    return Question("count", _as_set(parse_reference(subject)))


def _color(sentence: str) -> Question | None:
    patterns = (
        r"^(?:what|which) colou?rs? (?:is|are|does|do) (?:the )?(.+?)(?: have| be)?$",
        r"^(?:tell me |what is |what are |which is |name )?the colou?rs? of (?:the )?(.+)$",
        r"^(?:what|which) colou?r (?:the )?(.+?) (?:is|are)$",
        r"^(?:what|which) is the colou?r of (?:the )?(.+)$",
        r"^(?:how is|how are) (?:the )?(.+?) colou?red$",
    )
    for pattern in patterns:
        match = re.match(pattern, sentence)
        if match:
            return Question("color", parse_reference(match.group(1)))
    return None


def _where(sentence: str) -> Question | None:
    match = re.match(r"^(?:where is|where are|where can i find|where did you put|where)\s+(.+)$",
                     sentence)  # fmt: skip
    if match is None:
        return None
    subject = re.sub(r"\s+(?:now|right now|located|sitting|placed|at the moment)$", "",
                     match.group(1))  # fmt: skip
    return Question("where", parse_reference(subject))


def _what_relation(sentence: str) -> Question | None:
    """ "what's left of the mug", "what is in the bowl", "which objects are next to the duck"."""
    match = re.match(
        r"^(?:what|which objects?|which things?|what objects?|what things?|anything)"
        r"(?: is| are| lies| sits| stands| is there| do you see)?\s+(?:(?:located|sitting|placed"
        rf"|lying|standing)\s+)?({_REL})\s+(?:the\s+)?(.+)$",
        sentence,
    )
    if match is None:
        return None
    return Question("what", relation=_RELATION_NAMES[match.group(1)],
                    anchor=parse_reference(match.group(2)))  # fmt: skip


def _which(sentence: str) -> Question | None:
    closest = re.match(
        r"^(?:which|what|name)(?: is| sits| lies)? (?:the )?(?:object|thing|item|one)?\s*"
        r"(?:is |sits |that is |lies )?(?:the )?(?:object |thing |one )?"
        r"(closest|nearest|farthest|furthest)(?: away)?(?: to| from)? (?:the )?(.+)$",
        sentence,
    )
    if closest:
        relation = "closest" if closest.group(1) in ("closest", "nearest") else "farthest"
        return Question("which", relation=relation, anchor=parse_reference(closest.group(2)))
    superlative = re.match(
        r"^(?:which|what) (?:one |object |thing )?(?:of the )?(.*?)\s*(?:is|are) (?:the )?(.+)$",
        sentence,
    )
    if superlative is None:
        return None
    described = re.sub(r"\s+(?:one|object|thing)$", "", superlative.group(2))
    subject = parse_reference(f"the {described} {superlative.group(1) or 'object'}")
    if subject.superlative is None:
        return None
    return Question("which", subject)


def _describe(sentence: str) -> Question | None:
    if re.match(
        r"^(?:describe|what do you see|what is on the table|what can you see|what is there"
        r"|tell me what you see|what objects are there|what objects do you see|list the objects"
        r"|list everything|what is in front of you|what are the objects|what things are there"
        r"|what objects are on the table|what is on the table right now)\b",
        sentence,
    ):
        return Question("describe")
    return None


def _relation(sentence: str) -> Question | None:
    match = re.match(
        rf"^(?:is|are|would you say|do you think|can you tell me if|tell me if|is it true that)"
        rf"(?: that)? (?:the )?(.+?) (?:is |are |sitting |placed |located )?({_REL})"
        r" (?:the )?(.+)$",
        sentence,
    )
    if match is None:
        return None
    subject, anchor = parse_reference(match.group(1)), parse_reference(match.group(3))
    if subject.head in ("there", "anything", "something"):
        return None
    return Question("relation", subject, _RELATION_NAMES[match.group(2)], anchor)


def _exists(sentence: str) -> Question | None:
    match = re.match(
        rf"^{_EXISTS}\s+(?:a |an |any |some |the )?(.+?)"
        r"(?:\s+(?:on the table|on it|anywhere|here|in the scene|in view|around|there|at all"
        r"|on the table at all|left))*$",
        sentence,
    )
    if match is None:
        match = re.match(r"^(?:any)\s+(.+?)(?:\s+(?:on the table|here|around|there|left))*$",
                         sentence)  # fmt: skip
    if match is None:
        return None
    return Question("exists", _as_any(parse_reference(match.group(1))))


def _as_set(reference: Reference) -> Reference:
    """A count is over the whole set, however it was worded ("how many blocks")."""
    return replace(reference, determiner="all", plural=True, count=None)


def _as_any(reference: Reference) -> Reference:
    """An existence question asks about any one ("do you see any ducks")."""
    if reference.members:
        return reference
    return replace(reference, determiner="a", plural=False, count=None)
