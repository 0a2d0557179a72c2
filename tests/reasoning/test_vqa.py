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
