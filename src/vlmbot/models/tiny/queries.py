"""Split a text query into what the sentence encoder handles (the noun phrase) and the
attributes grounded elsewhere: colour words (colour lexicon) and size words (3D extent)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlmbot.lexicon.colors import find_color_words
from vlmbot.lexicon.sizes import SIZE_WORDS

_ARTICLES = {"a", "an", "the", "one", "some"}


@dataclass(frozen=True)
class ParsedQuery:
    """text: the original query; noun: the rest for the sentence encoder ("" if nothing is
    left); colors: colour words in order; size: "small", "large" or None."""

    text: str
    noun: str
    colors: tuple[str, ...] = ()
    size: str | None = None


def parse_query(text: str) -> ParsedQuery:
    """ "the small crimson block" → noun "block", colours ("crimson",), size "small".

    A colour word that is the last word ("the orange", "a tomato") is the thing itself, not an
    attribute, unless the query is nothing but colour words.
    """
    lowered = " ".join(text.lower().split())
    matches = find_color_words(lowered)
    words_after = [lowered[end:].strip() for _, _, end in matches]
    colors: list[str] = []
    spans: list[tuple[int, int]] = []
    for (name, start, end), rest in zip(matches, words_after, strict=True):
        rest_words = [w for w in re.findall(r"[a-z]+", rest) if w not in _ARTICLES]
        remaining = re.sub(r"[^a-z ]", " ", lowered[:start] + lowered[end:])
        only_colors = not [
            w for w in remaining.split() if w not in _ARTICLES and w not in SIZE_WORDS
        ]
        if rest_words or only_colors:
            colors.append(name)
            spans.append((start, end))
    kept = lowered
    for start, end in sorted(spans, reverse=True):
        kept = kept[:start] + " " + kept[end:]
    words = re.findall(r"[a-z0-9'-]+", kept)
    size = next((SIZE_WORDS[w] for w in words if w in SIZE_WORDS), None)
    noun_words = [w for w in words if w not in SIZE_WORDS]
    while noun_words and noun_words[0] in _ARTICLES:
        noun_words.pop(0)
    return ParsedQuery(text=text, noun=" ".join(noun_words), colors=tuple(colors), size=size)
