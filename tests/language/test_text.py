"""Normalisation: contractions, typo correction towards the parser's words only, and the task
suite's own vocabulary left as it is."""

import re

import pytest

from vlmbot.language.text import correct, edit_distance, normalize
from vlmbot.tasks import families_act, families_talk, wording


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pit the red blok in teh bowl!", "pit the red block in the bowl"),
        ("plase put the yelow duck in teh tray", "please put the yellow duck in the tray"),
        ("stakc the gren cube on the bleu block", "stack the green cube on the blue block"),
        ("put the ball int he bowl", "put the ball in the bowl"),
        ("what's left of the mug?", "what is left of the mug"),
        ("don't move it; then stop.", "do not move it , then stop"),
        ("pickup the mugg", "pick up the mug"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("blok", "block"),  # a missing letter
        ("tary", "tray"),  # swapped letters
        ("redd", "red"),  # a doubled one
        ("cointainer", "container"),  # long words allow more
        ("slat", "slat"),  # a real word, one letter from "slam": never towards a refusal
        ("tin", "tin"),  # an English word
        ("smahs", "smahs"),  # nothing is corrected into a forbidden word
        ("pointy", "pointy"),  # a suffix, not a slip
        ("hens", "hens"),  # grammar words take no plural ("thens")
        ("tins", "tins"),  # the plural of an English word
        ("xq", "xq"),  # too short
    ],
)
def test_correct(word, expected):
    assert correct(word) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("teh", "the", 1), ("block", "blok", 1), ("abc", "abc", 0), ("kitten", "sitting", 3)],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, limit=3) == distance


def _task_words():
    texts = [n for names in wording.HELDOUT_NAMES.values() for n in names]
    texts += [w for words in wording.HELDOUT_COLOR_WORDS.values() for w in words]
    for table in (wording.SEEN_TEMPLATES, wording.HELDOUT_TEMPLATES):
        texts += [t for templates in table.values() for t in templates]
    for refs in families_act.AFFORDANCE_REFS.values():
        texts += [t for phrases in refs.values() for t in phrases]
    for table in families_talk.QUESTION_TEMPLATES.values():
        texts += [t for templates in table.values() for t in templates]
    texts += [t for templates in wording.HELDOUT_GOAL_TEMPLATES.values() for t in templates]
    texts = [re.sub(r"\{\w+\}", " ", t) for t in texts]  # placeholders are not words
    return sorted({w for t in texts for w in re.findall(r"[a-z]+", t.lower())})


#: Typos the held-out templates make on purpose, and what they mean.
TEMPLATE_TYPOS = {"teh": "the", "plase": "please", "palce": "place"}


@pytest.mark.parametrize("word", [w for w in _task_words() if w not in TEMPLATE_TYPOS])
def test_the_task_suites_words_are_never_corrected(word):
    assert normalize(word) == word


@pytest.mark.parametrize(("typo", "meant"), TEMPLATE_TYPOS.items())
def test_the_templates_typos_are(typo, meant):
    assert typo in _task_words() and normalize(typo) == meant
