"""WordNet readings: a hand-made dict folder for the format and the rules, the packaged
WordNet 3.0 for what it says of everyday nouns."""

import pytest

from vlmbot.lexicon.wordnet import Reading, WordNet, load_wordnet, wordnet_root

# offset lexfile type count lemma lex_id ... pointer_count pointers | gloss (offsets are keys,
# not byte positions: copies of WordNet with CRLF line ends must read the same).
DATA = [
    "00000100 06 n 01 box 0 000 | a container with a lid",
    "00000200 06 n 01 crate 0 001 @ 00000100 n 0000 | a rugged box",
    "00000300 06 n 03 can 0 tin 0 tin_can 0 001 @ 00000500 n 0000 | an airtight metal container",
    "00000400 27 n 01 tin 0 000 | a metallic element",
    "00000500 06 n 01 vessel 0 000 | an object used as a container",
    "00000600 06 n 01 tin 0 001 @ 00000500 n 0000 | a vessel made of tinplate",
    "00000700 06 n 05 toilet 0 can 0 commode 0 crapper 0 pot 0 000 | a plumbing fixture",
    "00000800 06 n 01 pot 0 001 @ 00000500 n 0000 | a cooking vessel",
    "00000900 06 n 01 supercrate 0 001 @ 00000200 n 0000 | a very rugged crate",
    "00001000 06 n 01 megacrate 0 001 @ 00000900 n 0000 | a crate of crates",
    "00001100 05 n 02 animal 0 creature 0 000 | a living organism",
    "00001200 06 n 01 goose 0 000 | a toy goose",
    "00001300 06 n 02 canister 0 tin 0 001 @ 00000500 n 0000 | a metal container for tea",
    "00001400 06 n 02 washbasin 0 lavatory 0 001 @ 00001600 n 0000 | a bathroom sink",
    "00001500 06 n 03 toilet 0 lavatory 0 can 0 001 @ 00001700 n 0000 | a room with a toilet",
    "00001600 06 n 01 sink 0 000 | a basin with a drain",
    "00001700 06 n 01 room 0 000 | an area within a building",
    "00001800 06 n 01 basin 0 001 @ 00000500 n 0000 | a bowl-shaped vessel; a large basin",
    "00001900 06 n 01 pillar 0 000 | a vertical cylindrical structure standing alone",
    "00002000 06 n 01 spoon 0 000 | a piece of cutlery with a shallow bowl-shaped container",
    "00002100 06 n 01 obelisk 0 000 | a stone pillar having a cylindrical top",
    "00002200 27 n 02 board 0 plank 0 000 | a stout length of sawn timber",
]
ADJECTIVES = [
    "00003000 00 a 02 cylindrical 0 cylindric 0 000 | having the form of a cylinder",
    "00003100 00 a 01 global 0 000 | involving the entire earth; a global war",
]
INDEX = [
    "  1 licence header line",
    "box n 1 0 1 0 00000100",
    "crate n 1 1 @ 1 0 00000200",
    "can n 2 0 2 0 00000300 00000700",
    "tin n 3 1 @ 3 0 00000400 00000600 00000300",
    "tin_can n 1 0 1 0 00000300",
    "pot n 2 1 @ 2 0 00000800 00000700",
    "supercrate n 1 1 @ 1 0 00000900",
    "megacrate n 1 1 @ 1 0 00001000",
    "creature n 1 0 1 0 00001100",
    "goose n 1 0 1 0 00001200",
    "canister n 1 1 @ 1 0 00001300",
    "washbasin n 1 1 @ 1 0 00001400",
    "lavatory n 2 1 @ 2 0 00001400 00001500",
    "toilet n 1 1 @ 1 0 00001500",
    "sink n 1 0 1 0 00001600",
    "room n 1 0 1 0 00001700",
    "basin n 1 1 @ 1 0 00001800",
    "pillar n 1 0 1 0 00001900",
    "spoon n 1 0 1 0 00002000",
    "obelisk n 1 0 1 0 00002100",
    "plank n 1 0 1 0 00002200",
]
LEXNAMES = ["05\tnoun.animal\t1", "06\tnoun.artifact\t1", "27\tnoun.substance\t1"]


@pytest.fixture(scope="module")
def wordnet(tmp_path_factory):
    root = tmp_path_factory.mktemp("dict")
    files = (("data.noun", DATA), ("index.noun", INDEX), ("lexnames", LEXNAMES))
    for name, lines in (*files, ("data.adj", ADJECTIVES)):
        (root / name).write_bytes(("\r\n".join(lines) + "\r\n").encode())
    (root / "noun.exc").write_text("geese goose\n")
    return WordNet(root)


NAMES = {"box", "can", "bowl", "cylinder"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tin", Reading("tin", "can", 1, 0)),  # a synonym of its second physical sense
        ("tins", Reading("tins", "can", 1, 0)),  # plurals through the suffix rules
        ("tin can", Reading("tin can", "can", 0, 0)),  # compounds as one lemma
        ("crate", Reading("crate", "box", 0, 1, "hypernym")),
        ("supercrate", Reading("supercrate", "box", 0, 2, "hypernym")),
        # "canister, tin" and "can, tin" are both vessels: one synonym away
        ("canister", Reading("canister", "can", 0, 1, "synonym's synonym")),
        # "washbasin, lavatory" is a sink, "toilet, lavatory, can" a room: not the same kind
        ("washbasin", None),
        ("basin", Reading("basin", "bowl", 0, 1, "shape")),  # "a bowl-shaped vessel"
        ("pillar", Reading("pillar", "cylinder", 0, 1, "shape")),  # WordNet's "cylindrical"
        ("spoon", None),  # "a piece of cutlery with ... bowl-shaped": after the genus
        ("obelisk", None),  # "a stone pillar having a cylindrical top": after the genus
        ("megacrate", None),  # three levels up: beyond max_depth
        ("pot", None),  # its "can" sense names the pot only as a fifth, slang lemma
        ("box", None),  # a name is no reading of itself
        ("banana", None),  # not in this WordNet
    ],
)
def test_reading(wordnet, word, expected):
    assert wordnet.reading(word, NAMES, max_depth=2) == expected


def test_non_physical_senses_never_count(wordnet):
    assert [s.offset for s in wordnet.senses("tin")] == [600, 300]  # not the element


def test_groups_count_as_synonyms_only(wordnet):
    assert wordnet.reading("creature", NAMES, {"animal"}) == Reading("creature", "animal", 0, 0)
    assert wordnet.reading("pot", NAMES, {"vessel"}) is None  # a pot is a vessel, not any


@pytest.mark.parametrize(
    ("word", "definition"),
    [
        ("tin", "a vessel made of tinplate"),  # its first physical sense, not the element
        ("planks", "a stout length of sawn timber"),  # a stuff where no physical sense is
        ("pot", "a cooking vessel"),  # the toilet it fifth-names is no sense of it
        ("blorp", None),
    ],
)
def test_definition(wordnet, word, definition):
    assert wordnet.definition(word) == definition


def test_irregular_plurals(wordnet):
    assert wordnet.lemma("geese") == "goose"
    assert wordnet.lemma("boxes") == "box"
    assert wordnet.lemma("blorps") is None


def test_the_packaged_wordnet_is_found():
    # vlmbot depends on the package that ships WordNet 3.0: a clean install has it.
    assert wordnet_root() is not None
    assert load_wordnet() is not None


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("tin", "can"),
        ("crate", "box"),
        ("puck", "disk"),
        ("flask", "bottle"),
        ("teacup", "cup"),
        ("dice", "cube"),
        ("pail", "bucket"),
        ("orb", "ball"),
        ("canister", "can"),
        ("basin", "bowl"),
        ("pillar", "cylinder"),
        ("pot", None),
        ("spoon", None),
        ("apple", None),
        ("scissors", None),
    ],
)
def test_everyday_nouns_in_wordnet(word, name):
    names = {"can", "box", "disk", "bottle", "cup", "cube", "bucket", "ball", "bowl", "plate"}
    names |= {"cylinder"}
    reading = load_wordnet().reading(word, names)
    assert (reading.name if reading else None) == name


@pytest.mark.parametrize(
    ("word", "unrelated"),
    [
        ("toothbrush", True),  # a brush, an implement: nothing vlmbot knows
        ("knife", True),
        ("apple", True),
        ("fruit", False),  # a banana is an edible fruit: a general word for a known category
        ("container", False),  # a known group
        ("canister", False),  # a container
        ("platter", False),  # tableware, a known group
        ("tin", False),  # a can
        ("blorp", False),  # not in WordNet: it may be anything
    ],
)
def test_unrelated_objects(word, unrelated):
    from vlmbot.lexicon.concepts import CONCEPTS, HYPERNYMS

    names = {n for c in CONCEPTS.values() for n in c.names}
    assert load_wordnet().unrelated(word, names, HYPERNYMS) is unrelated
