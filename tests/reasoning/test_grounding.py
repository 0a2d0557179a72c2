"""Grounding referring expressions in hand-made scene graphs (fake model, no torch)."""

import numpy as np
import pytest
from tests.fakes import node, stages_of, vocabulary_of

from vlmbot.language.reference import parse_reference
from vlmbot.reasoning.grounding import Grounder


def best(grounder, text):
    return grounder.ground(parse_reference(text)).best()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the red block", "red_block"),
        ("the blue cube", "blue_block"),
        ("the duck", "duck"),
        ("the mug", "mug"),
        ("the big block", "blue_block"),
        ("the small block", "red_block"),
        ("the block that is not red", "blue_block"),
        ("the leftmost block", "red_block"),
        ("the rightmost block", "blue_block"),
        ("the block closest to the mug", "red_block"),
        ("the block next to the duck", "blue_block"),
    ],
)
def test_grounding(grounder, text, expected):
    assert best(grounder, text) == expected


def test_plural_grounding(grounder):
    grounding = grounder.ground(parse_reference("all the blocks"))
    assert set(grounding.above(0.3)) == {"red_block", "blue_block"}


def test_superlative_and_size_with_nothing_matching(grounder):
    for text in ("the leftmost banana", "the small banana", "the biggest banana"):
        grounding = grounder.ground(parse_reference(text))
        assert grounding.best()[1] < 0.2


def test_size_words_with_nothing_to_compare_use_the_category_norm(model):
    from vlmbot.cell import Workspace
    from vlmbot.reasoning.graph import SceneGraph
    from vlmbot.reasoning.shapes import ShapePrior

    rng = np.random.default_rng(0)
    blocks = np.array([0.045, 0.045, 0.045]) * np.exp(rng.normal(0, 0.03, size=(40, 3)))
    prior = ShapePrior.fit({"block": blocks})
    big = SceneGraph(
        [node(model, "big", "block", "red", (0.5, 0.1), size=(0.06,) * 3)], Workspace()
    )
    grounder = Grounder(stages_of(model), big, vocabulary_of(model), prior)
    small_score = grounder.ground(parse_reference("the small block")).scores[0]
    large_score = grounder.ground(parse_reference("the large block")).scores[0]
    assert small_score < 0.2 < 0.8 < large_score
    without_norms = Grounder(stages_of(model), big, vocabulary_of(model))
    assert without_norms.ground(parse_reference("the small block")).scores[0] > 0.4


@pytest.mark.parametrize(
    ("side", "word", "kept"),
    [
        (0.045, "small", True),  # a typical block: "the little block" describes it
        (0.045, "large", True),
        (0.040, "small", True),  # smaller than typical: all the more
        (0.060, "small", False),  # a third larger on each side: not small
        (0.034, "large", False),
    ],
)
def test_a_size_word_alone_counts_only_against_an_object_that_contradicts_it(
    model, side, word, kept
):
    from vlmbot.cell import Workspace
    from vlmbot.reasoning.graph import SceneGraph
    from vlmbot.reasoning.shapes import ShapePrior

    rng = np.random.default_rng(0)
    blocks = np.array([0.045, 0.045, 0.045]) * np.exp(rng.normal(0, 0.03, size=(40, 3)))
    graph = SceneGraph(
        [node(model, "one", "block", "red", (0.5, 0.1), size=(side,) * 3)], Workspace()
    )
    grounder = Grounder(
        stages_of(model), graph, vocabulary_of(model), ShapePrior.fit({"block": blocks})
    )
    plain = grounder.ground(parse_reference("the block")).scores[0]
    sized = grounder.ground(parse_reference(f"the {word} block")).scores[0]
    assert bool(sized >= 0.8 * plain) is kept


def test_a_colour_word_between_basic_colours_lends_neither_name(model):
    from vlmbot.cell import Workspace
    from vlmbot.lexicon.colors import LabColorNamer
    from vlmbot.reasoning.graph import SceneGraph

    renders = {"blue": (35.3, 40.6, -73.6), "purple": (32.4, 52.6, -48.6), "red": (42.9, 56.6, 37)}
    model.colors = LabColorNamer({c: np.array(lab) for c, lab in renders.items()})
    nodes = [node(model, c, "block", "red", (0.5, 0.1 * i)) for i, c in enumerate(renders)]
    for n, lab in zip(nodes, renders.values(), strict=True):
        n.lab = np.array(lab)
        n.obj = type(n.obj)(n.id, "block", n.obj.position, n.obj.extent, 0.0, n.id)
    grounder = Grounder(stages_of(model), SceneGraph(nodes, Workspace()), vocabulary_of(model))
    assert len(model.colors.references("violet")) == 1  # far from every basic render colour
    violet = [grounder._color_score(n, "violet") for n in nodes]
    assert max(violet) < 0.8  # "violet" is neither "blue" nor "purple" by name
    crimson = [grounder._color_score(n, "crimson") for n in nodes]
    assert crimson[2] >= 0.8 > max(crimson[:2])  # "crimson" is a red


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("the toy animal", "duck"),
        ("the drinking vessel", "mug"),
        ("the container", "tray"),
        ("the red and blue blocks", "red_block"),
        ("the second block from the left", "blue_block"),
        ("the rightmost block", "blue_block"),
    ],
)
def test_hypernyms_coordination_and_ordinals(grounder, text, best):
    grounding = grounder.ground(parse_reference(text))
    assert grounding.best()[0] == best


def test_a_coordination_scores_every_member_high(grounder):
    grounding = grounder.ground(parse_reference("the red and blue blocks"))
    scores = dict(zip(grounding.ids, grounding.scores, strict=True))
    assert min(scores["red_block"], scores["blue_block"]) > 0.5 > scores["duck"]


def test_an_ordinal_beyond_the_set_matches_nothing(grounder):
    grounding = grounder.ground(parse_reference("the third block from the left"))
    assert grounding.best()[1] < 0.05


@pytest.mark.parametrize(
    ("phrase", "familiar"),
    [
        ("round ball", True),  # the head noun is known
        ("little duck", True),
        ("round gizmo", False),  # "round" alone must not make a gizmo a ball
        ("red gizmo", False),
    ],
)
def test_a_modifier_alone_never_names_the_category(model, phrase, familiar):
    vocabulary = vocabulary_of(model)
    _, confidence = vocabulary.category_weights(phrase)
    _, head_confidence = vocabulary.category_weights(phrase.split()[-1])
    assert confidence <= head_confidence
    assert (confidence >= 0.5) is familiar


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("round pillar", "cylinder"),  # WordNet: a cylindrical structure; not a ball
        ("violet canister", "cylinder"),  # canister, tin: a can
        ("crimson basin", "bowl"),  # a bowl-shaped vessel
    ],
)
def test_the_head_nouns_wordnet_reading_outranks_the_modifiers(model, phrase, category):
    vocabulary = vocabulary_of(model)
    weights, confidence = vocabulary.category_weights(phrase)
    assert vocabulary.categories[int(weights.argmax())] == category
    assert confidence >= 0.5


def test_a_phrase_with_a_clause_is_not_cut_to_its_last_word(model):
    """ "something round that rolls" is not as unfamiliar as "rolls" alone."""
    vocabulary = vocabulary_of(model)
    _, whole = vocabulary.category_weights("something round that rolls")
    _, last = vocabulary.category_weights("rolls")
    assert whole > last


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the tin", "can"),  # a WordNet synonym of one of its senses: "can, tin, tin can"
        ("the metal tin", "can"),  # modifiers and a noun WordNet knows
        ("the crate", "box"),  # a WordNet hypernym
        ("the puck", "coaster"),
    ],
)
def test_wordnet_names_what_the_encoder_does_not_know(model, text, expected):
    from vlmbot.cell import Workspace
    from vlmbot.reasoning.graph import SceneGraph

    objects = [
        node(model, "can", "cylinder", "red", (0.5, 0.1)),
        node(model, "box", "box", "blue", (0.4, -0.1)),
        node(model, "coaster", "disk", "green", (0.6, 0.0)),
        node(model, "mug", "mug", "white", (0.3, 0.2)),
    ]
    graph = SceneGraph(objects, Workspace())
    grounder = Grounder(stages_of(model), graph, vocabulary_of(model))
    grounding = grounder.ground(parse_reference(text))
    assert grounding.best()[0] == expected
    assert grounding.familiarity >= 0.5  # known well enough to act on without asking


def test_a_noun_wordnet_ties_to_nothing_known_stays_unfamiliar(model):
    vocabulary = vocabulary_of(model)
    assert vocabulary.lexical_weights("scissors") is None
    assert vocabulary.lexical_weights("cylinder") is None  # a known name needs no reading


def test_the_ball_is_either_ball_a_sphere_or_a_soccer_ball(model):
    from vlmbot.cell import Workspace
    from vlmbot.reasoning.graph import SceneGraph

    objects = [
        node(model, "sphere", "sphere", "red", (0.5, 0.1)),
        node(model, "soccer", "soccer_ball", "white", (0.4, -0.1)),
        node(model, "mug", "mug", "white", (0.3, 0.2)),
    ]
    grounder = Grounder(stages_of(model), SceneGraph(objects, Workspace()), vocabulary_of(model))
    ball = grounder.ground(parse_reference("the ball"))
    assert set(ball.above(0.5)) == {"sphere", "soccer"}
    soccer = grounder.ground(parse_reference("the soccer ball"))
    assert soccer.above(0.5) == ["soccer"]


def test_an_object_wordnet_knows_as_nothing_known_is_not_found(model):
    from vlmbot.cell import Workspace
    from vlmbot.reasoning.graph import SceneGraph

    objects = [node(model, "pen", "marker", "red", (0.5, 0.1))]
    grounder = Grounder(stages_of(model), SceneGraph(objects, Workspace()), vocabulary_of(model))
    grounding = grounder.ground(parse_reference("the toothbrush"))
    assert grounding.scores.max() == 0.0 and grounding.region is None
    assert grounder.ground(parse_reference("the brick")).region is not None  # "toy brick"'s head


@pytest.fixture()
def definitions(tmp_path, monkeypatch):
    """A WordNet that defines two nouns no vocabulary has: a slat as a wooden stick (the
    words of a jenga block), a knob as a rubber duck."""
    from vlmbot.lexicon import wordnet as wn
    from vlmbot.reasoning import grounding

    data = [
        "00000100 06 n 01 slat 0 000 | a wooden stick",
        "00000200 06 n 01 knob 0 000 | a rubber duck",
    ]
    files = {
        "data.noun": data,
        "index.noun": ["slat n 1 0 1 0 00000100", "knob n 1 0 1 0 00000200"],
        "lexnames": ["06\tnoun.artifact\t1"],
        "noun.exc": [],
    }
    for name, lines in files.items():
        (tmp_path / name).write_text("".join(f"{line}\n" for line in lines))
    monkeypatch.setattr(grounding, "load_wordnet", lambda: wn.WordNet(tmp_path))


@pytest.mark.parametrize(
    ("phrase", "familiar"),
    [
        ("wooden slat", True),  # the modifier says jenga block, the definition agrees
        ("wooden knob", False),  # the definition describes another category
        ("slat", False),  # a definition alone never names a category
    ],
)
def test_a_dictionary_definition_confirms_what_the_modifiers_name(
    model, definitions, phrase, familiar
):
    vocabulary = vocabulary_of(model)
    weights, confidence = vocabulary.category_weights(phrase)
    assert (confidence >= 0.5) is familiar
    if familiar:
        assert vocabulary.categories[int(weights.argmax())] == "jenga_block"
