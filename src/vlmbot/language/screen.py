"""Screening a whole instruction before parsing it: prompt injection and forbidden verbs
anywhere in it are refused by name, whatever else it says.

The screen runs on normalised text. Inflections count ("smashing", "threw"); a manner clause
that promises care ("without breaking it") is not a request to break anything.
"""

from __future__ import annotations

import functools
import re

from vlmbot.language.commands import NotUnderstood
from vlmbot.lexicon.verbs import FORBIDDEN_PHRASES, INJECTION_PHRASES, MANNER_CLAUSES

#: "push it off the table", "sweep everything off the edge": off the table is forbidden,
#: unless the sentence goes on into a container ("get everything off the table and into the
#: tray").
_OFF_TABLE = re.compile(
    r"\b(?:off|over) (?:the |its |their )?(?:table|edge|side of the table)\b"
    r"(?! (?:and )?(?:into|in|onto|on to|put|place|then)\b)"
)


def _inflected(word: str) -> str:
    """A regex for a verb and its inflections: smash → smash(?:es|ed|ing)?."""
    if " " in word:
        first, rest = word.split(" ", 1)
        return _inflected(first) + r"\s+(?:\w+\s+){0,3}?" + re.escape(rest)
    if word.endswith("e"):
        return rf"{re.escape(word[:-1])}(?:e|es|ed|ing)"
    doubled = (
        re.escape(word[-1]) + "?" if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", word) else ""
    )
    return rf"{re.escape(word)}{doubled}(?:s|es|ed|ing)?"


@functools.lru_cache(maxsize=1)
def _forbidden_pattern() -> re.Pattern[str]:
    phrases = sorted(FORBIDDEN_PHRASES, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(_inflected(p) for p in phrases) + r")\b")


@functools.lru_cache(maxsize=1)
def _injection_pattern() -> re.Pattern[str]:
    phrases = sorted(INJECTION_PHRASES, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b")


@functools.lru_cache(maxsize=1)
def _manner_pattern() -> re.Pattern[str]:
    phrases = sorted(MANNER_CLAUSES, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


def screen(sentence: str) -> NotUnderstood | None:
    """A refusal naming the injection or forbidden words in a normalised sentence, or None."""
    injection = _injection_pattern().search(sentence)
    if injection is not None:
        return NotUnderstood(
            f"I don't follow instructions to ignore or change my rules ('{injection.group(1)}')",
            "injection",
            "refuse",
            injection.group(1),
        )
    careful = _manner_pattern().sub(" ", sentence)
    forbidden = _forbidden_pattern().search(careful)
    if forbidden is not None:
        words = forbidden.group(1)
        return NotUnderstood(
            f"I won't do that: '{words}' could damage something or someone, or switch off "
            "my safety checks",
            "forbidden",
            "refuse",
            words,
        )
    off = _OFF_TABLE.search(careful)
    if off is not None:
        return NotUnderstood(
            f"I won't do that: moving objects '{off.group(0)}' could make them fall",
            "forbidden",
            "refuse",
            off.group(0),
        )
    return None
