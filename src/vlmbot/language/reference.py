"""Referring expressions → a typed Reference: "the small blue block", "a bowl", "all the red
cubes", "two of the balls", "the red and blue blocks", "every block except the green one", "the
second block from the left", "the lightest brown block", "the one nearest the bowl", "the cylinder
closest to the duck", "the block that is not red", "something you can drink from".

Input is normalised text (`vlmbot.language.text.normalize`). Determiners and number become
`determiner` (the | a | all | vague) and `count`; see `Reference` for what each means downstream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from vlmbot.language.positions import take_position
from vlmbot.lexicon.colors import find_color_words
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.lexicon.quantities import NUMBER_WORDS
from vlmbot.lexicon.sizes import SIZE_WORDS

#: Relation phrases inside a reference, longest first, → relation name.
RELATION_PHRASES: tuple[tuple[str, str], ...] = (
    ("on the left side of", "left_of"),
    ("on the right side of", "right_of"),
    ("to the left of", "left_of"),
    ("to the right of", "right_of"),
    ("on the left of", "left_of"),
    ("on the right of", "right_of"),
    ("at the back of", "behind"),
    ("just in front of", "in_front_of"),
    ("in front of", "in_front_of"),
    ("closest to", "closest"),
    ("nearest to", "closest"),
    ("closest", "closest"),
    ("nearest", "closest"),
    ("farthest from", "farthest"),
    ("furthest from", "farthest"),
    ("farthest away from", "farthest"),
    ("furthest away from", "farthest"),
    ("next to", "next_to"),
    ("alongside", "next_to"),
    ("close to", "next_to"),
    ("beside", "next_to"),
    ("near", "next_to"),
    ("by", "next_to"),
    ("left of", "left_of"),
    ("right of", "right_of"),
    ("behind", "behind"),
    ("inside", "in"),
    ("on top of", "on"),
    ("sitting in", "in"),
    ("sitting on", "on"),
    ("in", "in"),
    ("on", "on"),
)
SUPERLATIVES = {
    "leftmost": "leftmost", "left-most": "leftmost", "rightmost": "rightmost",
    "right-most": "rightmost", "frontmost": "frontmost", "front-most": "frontmost",
    "backmost": "backmost", "rearmost": "backmost", "biggest": "largest", "largest": "largest",
    "bigger": "largest", "larger": "largest", "smallest": "smallest", "smaller": "smallest",
    "tallest": "tallest", "taller": "tallest", "shortest": "shortest", "shorter": "shortest",
    "lightest": "lightest", "lighter": "lightest", "palest": "lightest", "paler": "lightest",
    "brightest": "lightest", "brighter": "lightest", "darkest": "darkest", "darker": "darkest",
    "deepest": "darkest",
}  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1, "1st": 1, "2nd": 2}
DETERMINERS = ("the", "a", "all", "vague")
GENERIC_HEADS = {"one", "ones", "thing", "things", "object", "objects", "item", "items", "piece"}
EVERYTHING = {
    "everything",
    "all",
    "all objects",
    "all the objects",
    "all things",
    "all items",
    "it all",
}
_ARTICLES = {"the", "a", "an", "of", "that", "which", "is", "are", "this", "these", "those", "my"}


@dataclass(frozen=True)
class Reference:
    """A parsed referring expression.

    head: the noun phrase for the text encoder ("block", "toy animal", "something you can
    drink from"; "" for everything); colors / size: attribute words; not_colors: negated
    colours; superlative: leftmost, rightmost, frontmost, backmost, middle, largest, smallest,
    tallest, shortest, lightest, darkest; ordinal: rank along the superlative's order (2: the
    second from the left; −1: the last); relation: (relation name, anchor) such as
    ("closest", the duck).
    determiner: "the" names one object that must be unique (else ask); "a" lets the planner
    choose any one of the clear candidates; "all" covers the set; "vague" ("a few") is too
    vague to act on. count: a number of objects ("two red blocks": a, 2; "the two red blocks":
    the, 2). plural: the phrase is about several objects. members: a coordination ("the red and
    blue blocks", "the mug and the duck"), the union of the members; exclude: objects taken
    out ("every block except the green one").
    """

    text: str
    head: str
    colors: tuple[str, ...] = ()
    not_colors: tuple[str, ...] = ()
    size: str | None = None
    plural: bool = False
    superlative: str | None = None
    relation: tuple[str, Reference] | None = None
    ordinal: int | None = None
    determiner: str = "the"
    count: int | None = None
    members: tuple[Reference, ...] = ()
    exclude: tuple[Reference, ...] = ()

    @property
    def everything(self) -> bool:
        return self.plural and not self.head and not self.colors and not self.members

    @property
    def mode(self) -> str:
        """How many objects it picks out: unique | any | all | count | vague."""
        if self.determiner == "vague":
            return "vague"
        if self.count is not None and not (self.count == 1 and not self.plural):
            return "count"
        if self.members:
            return "any" if self.determiner == "a" else "all"
        if self.plural or self.determiner == "all":
            return "all"
        return "any" if self.determiner == "a" else "unique"

    def render(self) -> str:
        """A canonical one-line form ("the red block", "a bowl", "all block -(the red block)")."""
        if self.members:
            joined = ", ".join(m.render() for m in self.members)
            core = ("any " if self.determiner == "a" else "") + "{" + joined + "}"
        else:
            core = " ".join(self._core_words())
        if self.exclude:
            core += " -(" + ", ".join(e.render() for e in self.exclude) + ")"
        return core

    def _core_words(self) -> list[str]:
        words = [self._determiner_word()]
        if self.size:
            words.append(self.size)
        words += list(self.colors)
        words.append(self.head or "everything")
        words += [f"!{c}" for c in self.not_colors]
        if self.superlative or self.ordinal is not None:
            rank = f"#{self.ordinal}" if self.ordinal is not None else ""
            words.append(f"@{self.superlative or 'leftmost'}{rank}")
        if self.relation:
            words.append(f"@{self.relation[0]}({self.relation[1].render()})")
        return words

    def _determiner_word(self) -> str:
        if self.mode == "count":
            return f"the {self.count}" if self.determiner == "the" else str(self.count)
        return {"unique": "the", "any": "a", "all": "all", "vague": "some"}[self.mode]


def singular(word: str) -> str:
    """Crude English singular for object nouns ("boxes" → "box", "cubes" → "cube")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def parse_reference(text: str, parent_head: str | None = None) -> Reference:
    """Parse a noun phrase (see module docstring). Never raises; unknown words stay in head.
    parent_head: what "one" means inside an exception or a coordination ("the red one")."""
    original = text
    text = " ".join(re.sub(r"[^a-z0-9' -]", " ", text.lower()).split())
    text = _of_the_group(text)
    main, exceptions = _split_exception(text)
    if exceptions is not None:
        base = parse_reference(main, parent_head)
        excluded = _flatten(parse_reference(exceptions, base.head or parent_head))
        return replace(base, text=original, exclude=base.exclude + excluded)
    coordinated = _coordination(text, parent_head)
    if coordinated is not None:
        return replace(coordinated, text=original)
    return replace(_simple(text, parent_head), text=original)


def _of_the_group(text: str) -> str:
    """ "the lighter of the two blocks" → "the lighter block"."""
    match = re.match(
        r"^(?:the\s+)?(\w+)(?:\s+one)? of (?:the|these|those)(?:\s+(?:two|2|three|3))?\s+(.+)$",
        text,
    )
    if match is None or match.group(1) not in SUPERLATIVES:
        return text
    words = match.group(2).split()
    return f"the {match.group(1)} {' '.join([*words[:-1], singular(words[-1])])}"


def _split_exception(text: str) -> tuple[str, str | None]:
    """ "every block except the green one" → ("every block", "the green one")."""
    match = re.search(
        r"\s(?:except for|except|but not|but|other than|apart from|excluding|aside from"
        r"|save for|minus)\s(.+)$",
        text,
    )
    if match is None:
        return text, None
    main = text[: match.start()].strip()
    universal = re.match(r"^(all|every|each|everything|both|any)\b", main) or main in EVERYTHING
    if not universal and not _is_plural_phrase(main):
        return text, None
    return main, match.group(1).strip()


def _is_plural_phrase(text: str) -> bool:
    """ "red blocks" is plural; "something that rolls" is not (its last word is a verb)."""
    words = text.split()
    return (
        bool(words)
        and words[-1] != singular(words[-1])
        and words[-1] not in ("this", "is")
        and _plain_noun_phrase(words)
    )


def _coordination(text: str, parent_head: str | None) -> Reference | None:
    """ "the red and blue blocks", "the mug and the duck", "the red or the blue block"."""
    match = re.search(r"\s(and|or)\s", text)
    if match is None or re.search(r"\b(between|and then)\b", text):
        return None
    left, right = text[: match.start()].strip(), text[match.end() :].strip()
    if not left or not right or left in ("both", "either"):
        return None
    either = match.group(1) == "or"
    lead = re.match(r"^(both|either|the|all|all the|all of the)\s+", left)
    prefix = lead.group(1) if lead else ""
    left = left[lead.end() :] if lead else left
    right_ref = parse_reference(right, parent_head)
    plural = prefix in ("all", "all the", "all of the") or (
        right_ref.members and all(m.mode == "all" for m in right_ref.members)
        if right_ref.members
        else right_ref.plural
    )
    if _only_attributes(left):
        # "the red and blue blocks": the head comes from the right.
        head = right_ref.head
        left_ref = _simple(f"{left} {head}" if head else left, parent_head)
        right_ref = replace(right_ref, plural=False, determiner="the")
    else:
        left_ref = _simple(left, parent_head)
        if left_ref.head in ("", "object") and right_ref.head:
            left_ref = replace(left_ref, head=right_ref.head)
        if re.search(r"\bones?$", right) and not right_ref.members and left_ref.head:
            right_ref = replace(right_ref, head=left_ref.head)  # "the red block and the blue one"
    members = []
    for member in (*_flatten(left_ref), *_flatten(right_ref)):
        if plural and member.mode == "unique":
            member = replace(member, determiner="all", plural=True)
        members.append(member)
    determiner = "a" if either else "all"
    head = right_ref.head if all(m.head == right_ref.head for m in members) else ""
    return Reference(text, head, plural=not either, determiner=determiner, members=tuple(members))


def _flatten(reference: Reference) -> tuple[Reference, ...]:
    return reference.members if reference.members else (reference,)


def _only_attributes(text: str) -> bool:
    rest = text
    for name, _, _ in find_color_words(text):
        rest = re.sub(rf"\b{re.escape(name)}\b", " ", rest)
    return not [w for w in rest.split() if w not in SIZE_WORDS and w != ","]


def _simple(text: str, parent_head: str | None) -> Reference:
    """A noun phrase without coordination or exceptions."""
    text = " ".join(text.split())
    of_group = bool(re.match(r"^(?:any|either|one|any one|either one|some) of\b", text))
    determiner, count, plural, text = _quantity(text)
    if text in EVERYTHING or re.match(r"^(everything|it all)\b", text):
        return Reference(text, "", plural=True, determiner="all")
    not_colors, text = _negated_colors(text)
    position, ordinal, text = take_position(text)
    relation = None
    before, relation_part = _split_relation(text)
    if relation_part is not None:
        relation = (relation_part[0], parse_reference(relation_part[1]))
        text = before
    words = text.split()
    superlative = position or next((SUPERLATIVES[w] for w in words if w in SUPERLATIVES), None)
    ordinal = ordinal or next((ORDINALS[w] for w in words if w in ORDINALS), None)
    if ordinal == -1 and position is not None:
        ordinal = None  # "the last block on the right" is the rightmost
    words = [w for w in words if w not in SUPERLATIVES and w not in ORDINALS]
    colors, text = _take_colors(" ".join(words))
    words = text.split()
    size = next((SIZE_WORDS[w] for w in words if w in SIZE_WORDS), None)
    if size and superlative in ("largest", "smallest"):
        size = None
    words = [w for w in words if w not in SIZE_WORDS]
    while words and words[0] in _ARTICLES:
        words.pop(0)
    head, plural = _head(words, plural, parent_head, relation is not None)
    if count == 1 or (determiner == "a" and count is None and of_group):
        plural, count = False, None  # "one of the cubes", "any of the bricks": any one
    elif determiner == "a" and plural and count is None:
        determiner = "vague"  # "some blocks": how many?
    if plural and determiner == "the" and count is None:
        determiner = "all"
    if determiner == "the" and re.match(r"^(?:something|anything|somewhere)\b", head):
        determiner = "a"  # "something you can drink from": any such thing
    return Reference(
        text, head, tuple(colors), tuple(not_colors), size, plural, superlative, relation,
        ordinal, determiner, count,
    )  # fmt: skip


_NUMBERS = "|".join(
    sorted((re.escape(w.removesuffix(" of")) for w in NUMBER_WORDS if w != "both"), key=len,
           reverse=True)
)  # fmt: skip
_QUANTIFIERS: tuple[tuple[str, str, int | None], ...] = (
    (r"(?:any one|either one|one) of (?:the|those|these)", "a", None),
    (r"(?:any|either|some) of (?:the|those|these)", "a", None),
    (r"(?:a few|several|a bunch of|a handful of|many|most|some of the|some of)", "vague", 0),
    (r"(?:all|both|each|every one) of (?:the|those|these|them)", "all", None),
    (r"(?:all the|all|every single|every|each|each and every)", "all", None),
    (r"(?:a|an|any|some|another|either)", "a", None),
    (r"(?:this|that|these|those|the|my)", "the", None),
)


def _quantity(text: str) -> tuple[str, int | None, bool, str]:
    """(determiner, count, plural, the rest) from the phrase's leading quantifier."""
    number = re.match(
        rf"^(?:(the|all|any|both)\s+)?(\d+|{_NUMBERS})(?:\s+of)?(?:\s+(?:the|those|these))?\s+",
        text,
    )
    if number:
        value = _number(number.group(2))
        if value is not None and value >= 1 and number.end() < len(text):
            determiner = "the" if number.group(1) in ("the", "all") else "a"
            return determiner, value, value > 1, text[number.end() :]
    if re.match(r"^both\b", text):
        return "the", 2, True, re.sub(r"^both\s+(?:of\s+)?(?:the\s+)?", "", text)
    for pattern, determiner, count in _QUANTIFIERS:
        match = re.match(rf"^{pattern}\s+", text)
        if match:
            rest = text[match.end() :]
            plural = determiner in ("all", "vague") or (
                determiner == "the" and _is_plural_phrase(rest)
            )
            return determiner, None if count == 0 else count, plural, rest
    return "the", None, False, text


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    for phrase, value in NUMBER_WORDS.items():
        if word in (
            phrase,
            phrase.removesuffix(" of"),
            phrase.removeprefix("a ").removesuffix(" of"),
        ):
            return value
    return None


def _negated_colors(text: str) -> tuple[list[str], str]:
    """ "that is not red", "which isn't blue", "that are not red", "non-red"."""
    prefixed = re.search(r"\bnon[ -]?([a-z]+)\b", text)
    if prefixed is not None and find_color_words(prefixed.group(1)):
        found = [name for name, _, _ in find_color_words(prefixed.group(1))]
        return found, " ".join((text[: prefixed.start()] + " " + text[prefixed.end() :]).split())
    match = re.search(
        r"\b(?:that|which)?\s*(?:is not|are not|is no|not|non)[ -]([a-z ]+?)"
        r"(?=$|\s(?:on|in|next|by|near|to)\b)",
        text,
    )
    if match is None:
        return [], text
    found = [name for name, _, _ in find_color_words(match.group(1))]
    if not found:
        return [], text
    return found, (text[: match.start()] + text[match.end() :]).strip()


def _split_relation(text: str) -> tuple[str, tuple[str, str] | None]:
    """The first relation phrase that has words after it: (before, (relation, after))."""
    best: tuple[int, str, str] | None = None
    for phrase, relation in RELATION_PHRASES:
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            rest = text[match.end() :].strip()
            if rest and (best is None or match.start() < best[0]):
                best = (match.start(), relation, rest)
            break
    if best is None:
        return text, None
    start, relation, rest = best
    before = re.sub(
        r"\s+(?:that|which|who)(?:\s+(?:is|are|sits|lies|stands))?$", "", text[:start].rstrip()
    )
    if not before.strip() and relation != "closest":
        return text, None  # "in the bowl" alone is not "the X in the bowl"
    rest = re.sub(r"^(?:the\s+)?(?:one\s+)?", "", rest) if relation == "closest" else rest
    return before.strip(), (relation, rest if rest else "object")


_CLAUSE_WORDS = {"that", "which", "who", "you", "to", "can", "from", "for", "with", "it"}
_INDEFINITE_HEADS = {"something", "anything", "somewhere", "thing", "object"}


def _head(
    words: list[str], plural: bool, parent_head: str | None, has_relation: bool
) -> tuple[str, bool]:
    """The head noun phrase and whether it is plural ("red blocks" → "block", plural)."""
    if words[:2] == ["pair", "of"] or (len(words) > 2 and words[-3:-1] == ["pair", "of"]):
        words = [w for w in words if w not in ("pair", "of")] or words  # "a pair of scissors"
        words[-1] = singular(words[-1])
        plural = False
    elif words and words[-1] != singular(words[-1]) and _plain_noun_phrase(words):
        plural = True
        words[-1] = singular(words[-1])
    head = " ".join(words)
    if head in GENERIC_HEADS or not head:
        if head in ("ones", "things", "objects", "items"):
            plural = True
        head = parent_head if parent_head else "object"
    return head, plural


def _plain_noun_phrase(words: list[str]) -> bool:
    """A noun phrase whose last word is its head ("red blocks"), not a clause whose last word
    is a verb ("something that rolls")."""
    return not (set(words) & _CLAUSE_WORDS) and words[0] not in _INDEFINITE_HEADS


def _take_colors(text: str) -> tuple[list[str], str]:
    """Colour words used as attributes (not as the last word, the thing itself)."""
    colors = []
    for name, start, end in sorted(find_color_words(text), key=lambda m: -m[1]):
        rest = text[end:].strip()
        if rest or not text[:start].strip().replace("the", "").strip():
            colors.append(name)
            text = text[:start] + " " + text[end:]
    return list(reversed(colors)), " ".join(text.split())


def is_known_name(head: str) -> bool:
    """Whether a head is a category's name in the knowledge base."""
    return any(head in c.names or head == c.category.replace("_", " ") for c in CONCEPTS.values())
