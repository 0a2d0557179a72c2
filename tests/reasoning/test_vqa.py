"""Questions answered from hand-made scene graphs."""

import pytest

from vlmbot.language.instruction import parse_instruction
from vlmbot.reasoning.vqa import answer_question
from vlmbot.tasks.goals import AnswerGoal, check_answer


@pytest.mark.parametrize(
    ("question", "kind", "truth", "names"),
    [
        ("how many blocks are there?", "count", "2", ()),
        ("is there a duck on the table?", "exists", "yes", ()),
        ("is there a teddy bear?", "exists", "no", ()),
        ("what colour is the duck?", "color", "yellow", ()),
        ("is the mug to the left of the blue block?", "relation", "yes", ()),
        ("which object is closest to the mug?", "which", "block", ("block", "cube")),
    ],
)
def test_vqa(grounder, tabletop, question, kind, truth, names):
    answer = answer_question(parse_instruction(question), tabletop, grounder)
    assert check_answer(AnswerGoal(kind, truth, names), answer.text), answer.text


def test_describe(tabletop):
    text = tabletop.describe()
    assert "duck" in text and "tray" in text and text.endswith(".")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what colour is the teddy bear?", "I don't see a teddy bear here."),
        ("where is the banana?", "I don't see a banana here."),
        ("is the teddy bear left of the mug?", "I don't see a teddy bear here."),
        ("what is next to the banana?", "I don't see a banana here."),
    ],
)
def test_questions_about_what_is_not_there_say_so(grounder, tabletop, question, expected):
    answer = answer_question(parse_instruction(question), tabletop, grounder)
    assert answer.text == expected and not answer.evidence


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("what's left of the blue block?", ("red block", "mug")),
        ("what is right of the mug?", ("blue block", "duck")),
        ("where is the duck?", ("duck",)),
        ("which block is the biggest?", ("blue block",)),
        ("what is the leftmost object?", ("mug",)),
        ("what color are the blocks?", ("red block", "blue block")),
    ],
)
def test_everyday_questions(grounder, tabletop, question, words):
    answer = answer_question(parse_instruction(question), tabletop, grounder)
    assert all(w in answer.text for w in words), answer.text
