"""Property-based tests of the parser entry point: for any text it returns one of the typed
results (never raises, never garbage), in bounded time."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlmbot.language.instruction import (
    ClearCommand,
    Constraint,
    Instruction,
    NotUnderstood,
    PickCommand,
    PlaceCommand,
    Question,
    SortCommand,
    parse_instruction,
)
from vlmbot.language.reference import Reference

TYPES = (Instruction, Question, NotUnderstood)
STEPS = (PlaceCommand, SortCommand, ClearCommand, PickCommand)
WORDS = (
    "put", "the", "red", "block", "in", "on", "bowl", "tray", "and", "then", "not", "except",
    "every", "all", "but", "throw", "smash", "left", "of", "next", "to", "it", "what", "colour",
    "is", "how", "many", "?", ",", "please", "cm", "5", "first", "don't", "mug", "behind",
)  # fmt: skip
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _check(result) -> None:
    assert isinstance(result, TYPES), type(result)
    if isinstance(result, NotUnderstood):
        assert isinstance(result.reason, str) and result.reason
    parts = [result]
    if isinstance(result, Instruction):
        assert result.steps and all(isinstance(s, STEPS) for s in result.steps)
        assert all(isinstance(c, Constraint) for c in result.constraints)
        parts = [*result.steps, *result.constraints]
    for part in parts:
        for value in vars(part).values():
            assert value is None or isinstance(value, str | Reference | tuple), value


def _timed(text):
    start = time.perf_counter()
    result = parse_instruction(text)
    assert time.perf_counter() - start < 0.5, f"slow parse of {text[:80]!r}"
    return result


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_parses_to_a_typed_result(text):
    _check(_timed(text))


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join))
def test_instruction_like_word_salad_parses_to_a_typed_result(text):
    _check(_timed(text))


@SETTINGS
@given(st.one_of(st.none(), st.integers(), st.binary(max_size=20), st.lists(st.text(max_size=5))))
def test_non_text_is_not_understood(value):
    assert isinstance(parse_instruction(value), NotUnderstood)  # type: ignore[arg-type]


def test_pathological_inputs_stay_fast():
    for text in ("put " * 75, "(" * 299, "the " * 74 + "bowl", "a" * 300, "\u0301" * 300):
        _check(_timed(text))
