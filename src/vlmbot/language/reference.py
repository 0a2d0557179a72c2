"""Referring expressions: "the small blue block", "all the red cubes", "the leftmost cube",
"the block next to the mug", "the cylinder closest to the duck", "the block that is not red",
"something you can drink from" → a typed Reference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vlmbot.lexicon.colors import find_color_words
from vlmbot.lexicon.sizes import SIZE_WORDS

#: Relation phrases inside a reference, longest first, → relation name.
RELATION_PHRASES: tuple[tuple[str, str], ...] = (
    ("on the left side of", "left_of"),
    ("on the right side of", "right_of"),
    ("to the left of", "left_of"),
    ("to the right of", "right_of"),
    ("at the back of", "behind"),
    ("just in front of", "in_front_of"),
    ("in front of", "in_front_of"),
    ("closest to", "closest"),
    ("nearest to", "closest"),
    ("nearest", "closest"),
    ("closest", "closest"),
    ("farthest from", "farthest"),
    ("furthest from", "farthest"),
    ("next to", "next_to"),
    ("alongside", "next_to"),
    ("close to", "next_to"),
    ("beside", "next_to"),
    ("near", "next_to"),
    ("left of", "left_of"),
    ("right of", "right_of"),
    ("behind", "behind"),
    ("inside", "in"),
    ("on top of", "on"),
    ("in", "in"),
    ("on", "on"),
)
SUPERLATIVES = {
    "leftmost": "leftmost", "left-most": "leftmost", "rightmost": "rightmost",
    "right-most": "rightmost", "frontmost": "frontmost", "front-most": "frontmost",
    "backmost": "backmost", "biggest": "largest", "largest": "largest", "smallest": "smallest",
    "tallest": "tallest",
}  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "last": -1}
UNIVERSAL = {"all", "every", "each", "everything", "both"}
ARTICLES = {"the", "a", "an", "some", "any", "one", "of", "that", "which", "is", "are"}
EVERYTHING_WORDS = {"everything", "all objects", "all the objects", "all things", "all items"}


@dataclass(frozen=True)
class Reference:
    """A parsed referring expression.

    head: the noun phrase for the text encoder ("block", "something you can drink from"; "" for
    "everything"); colors / size: attribute words; not_colors: negated colours; plural: refers
    to a set ("all the red blocks"); superlative: leftmost, rightmost, frontmost, backmost,
    largest, smallest; relation: (relation name, anchor Reference) such as ("closest", duck).
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
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def everything(self) -> bool:
        return self.plural and not self.head and not self.colors


def singular(word: str) -> str:
    """Crude English singular for object nouns ("boxes" → "box", "cubes" → "cube")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _split_relation(text: str) -> tuple[str, tuple[str, str] | None]:
    """Find the first relation phrase that has words after it: (before, (relation, after))."""
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
    return text[:start].strip(), (relation, rest)


def parse_reference(text: str) -> Reference:
    """Parse a noun phrase (see module docstring). Never raises; unknown words stay in head."""
    original = text
    text = " ".join(re.sub(r"[^a-z0-9' -]", " ", text.lower()).split())
    plural = False
    for word in UNIVERSAL:
        if re.match(rf"^{word}\b", text):
            plural = True
    if text in EVERYTHING_WORDS or text.startswith(
        ("everything", "all objects", "all the objects", "all things")
    ):
        return Reference(original, "", plural=True)
    # Negation: "that is not red", "which isn't blue", "not red", "non-red".
    not_colors: list[str] = []
    negation = re.search(r"\b(?:that|which)?\s*(?:is not|isn't|is no|not|non)[ -]([a-z ]+)$", text)
    if negation:
        found = [name for name, _, _ in find_color_words(negation.group(1))]
        if found:
            not_colors = found
            text = text[: negation.start()].strip()
    before, relation_part = _split_relation(text)
    relation = None
    if relation_part is not None:
        relation = (relation_part[0], parse_reference(relation_part[1]))
        text = before
    words = text.split()
    superlative = next((SUPERLATIVES[w] for w in words if w in SUPERLATIVES), None)
    ordinal = next((ORDINALS[w] for w in words if w in ORDINALS), None)
    words = [w for w in words if w not in SUPERLATIVES and w not in ORDINALS]
    if relation and relation[0] == "closest" and superlative is None and not words:
        words = ["object"]
    colors, text = _take_colors(" ".join(words))
    words = text.split()
    size = next((SIZE_WORDS[w] for w in words if w in SIZE_WORDS), None)
    words = [w for w in words if w not in SIZE_WORDS and w not in UNIVERSAL]
    while words and words[0] in ARTICLES:
        words.pop(0)
    if words[:2] == ["pair", "of"] or (len(words) > 2 and words[-3:-1] == ["pair", "of"]):
        words = [w for w in words if w not in ("pair", "of")] or words  # "a pair of scissors"
        words[-1] = singular(words[-1])
    elif words and (plural or (words[-1] != singular(words[-1]) and _plain_noun_phrase(words))):
        if words[-1] != singular(words[-1]):
            plural = True
        words[-1] = singular(words[-1])
    head = " ".join(words)
    if head in ("one", "thing", "object", "objects", "item", "things"):
        head = "object"
    return Reference(
        text=original,
        head=head,
        colors=tuple(colors),
        not_colors=tuple(not_colors),
        size=size,
        plural=plural,
        superlative=superlative,
        relation=relation,
        ordinal=ordinal,
    )


_CLAUSE_WORDS = {"that", "which", "who", "you", "to", "can", "from", "for", "with", "it"}
_INDEFINITE_HEADS = {"something", "anything", "somewhere", "thing", "object"}


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
