"""Answer questions from the scene graph, with the objects the answer rests on as evidence.

A question about something the scene does not have says so ("I don't see a mug here.")
instead of describing whatever scores best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.language.commands import Question
from vlmbot.language.reference import Reference
from vlmbot.reasoning.graph import RELATION_WORDS, GraphObject, SceneGraph
from vlmbot.reasoning.grounding import Grounder

COUNT_THRESHOLD = 0.35
EXISTS_THRESHOLD = 0.35
#: An answer about one object ("what colour is the mug?") needs it to score this much; below,
#: the answer is that the scene has no such object.
FOUND_THRESHOLD = 0.2
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Answer:
    text: str
    evidence: tuple[str, ...] = ()
    confident: bool = True


def answer_question(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    kind = question.kind
    if kind == "describe":
        return Answer(graph.describe(), tuple(o.id for o in graph.objects))
    answer = {
        "count": _count,
        "exists": _exists,
        "color": _color,
        "relation": _relation,
        "which": _which,
        "what": _what,
        "where": _where,
    }.get(kind)
    if answer is None:
        return Answer("I can't answer that.", confident=False)
    return answer(question, graph, grounder)


def _count(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None
    found = grounder.ground(question.subject).above(COUNT_THRESHOLD)
    noun = question.subject.head or "object"
    word = NUMBER_WORDS[len(found)] if len(found) < len(NUMBER_WORDS) else str(len(found))
    plural = noun if len(found) == 1 else f"{noun}s"
    return Answer(f"{len(found)} ({word} {plural})", tuple(found))


def _exists(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None
    best = grounder.ground(question.subject).best()
    if best is not None and best[1] >= EXISTS_THRESHOLD:
        return Answer(f"yes, the {graph.get(best[0]).name}", (best[0],))
    return Answer("no", ())


def _found(reference: Reference, grounder: Grounder) -> str | None:
    best = grounder.ground(reference).best()
    return best[0] if best is not None and best[1] >= FOUND_THRESHOLD else None


def _missing(reference: Reference) -> Answer:
    text = reference.text.strip() or reference.head or "that"
    words = text.split()
    if words and words[0] in ("the", "a", "an", "all", "any"):
        text = " ".join(words[1:])
    article = "an" if text[:1] in "aeiou" else "a"
    return Answer(f"I don't see {article} {text} here.", (), confident=False)


def _color(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None
    if question.subject.mode == "all":
        found = grounder.ground(question.subject).above(COUNT_THRESHOLD)
        if not found:
            return _missing(question.subject)
        names = _join([f"the {graph.get(i).name}" for i in found])
        return Answer(f"I see {names}.", tuple(found))
    found_id = _found(question.subject, grounder)
    if found_id is None:
        return _missing(question.subject)
    node = graph.get(found_id)
    return Answer(f"It is {node.color}.", (node.id,))


def _relation(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None and question.anchor is not None and question.relation
    subject = grounder.ground(question.subject).best()
    anchor = grounder.ground(question.anchor, exclude=(subject[0],) if subject else ()).best()
    if subject is None or subject[1] < FOUND_THRESHOLD:
        return _missing(question.subject)
    if anchor is None or anchor[1] < FOUND_THRESHOLD:
        return _missing(question.anchor)
    a, b = graph.get(subject[0]), graph.get(anchor[0])
    holds = graph.relation(a, b, question.relation)
    return Answer(("yes" if holds else "no") + f" (the {a.name} and the {b.name})", (a.id, b.id))


def _which(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    if question.subject is not None:  # "which block is the biggest?"
        found_id = _found(question.subject, grounder)
        if found_id is None:
            return _missing(question.subject)
        return Answer(f"the {graph.get(found_id).name}", (found_id,))
    assert question.anchor is not None
    anchor_id = _found(question.anchor, grounder)
    if anchor_id is None:
        return _missing(question.anchor)
    a = graph.get(anchor_id)
    others = [o for o in graph.objects if o.id != a.id]
    if not others:
        return Answer("nothing else is on the table", (a.id,))
    gaps = [graph.gap(o, a) for o in others]
    pick = others[int(np.argmin(gaps) if question.relation == "closest" else np.argmax(gaps))]
    return Answer(f"the {pick.name}", (pick.id, a.id))


def _what(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    """ "what's left of the mug?": every object in that relation to the anchor."""
    assert question.anchor is not None and question.relation
    anchor_id = _found(question.anchor, grounder)
    if anchor_id is None:
        return _missing(question.anchor)
    anchor = graph.get(anchor_id)
    relation = question.relation
    found = [o for o in graph.objects if o.id != anchor.id and graph.relation(o, anchor, relation)]
    words = RELATION_WORDS.get(relation, relation.replace("_", " "))
    if not found:
        return Answer(f"Nothing is {words} the {anchor.name}.", (anchor.id,))
    names = _join([f"the {o.name}" for o in found])
    return Answer(f"{names[0].upper()}{names[1:]} {'is' if len(found) == 1 else 'are'} {words} "
                  f"the {anchor.name}.", (*(o.id for o in found), anchor.id))  # fmt: skip


def _where(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None
    found_id = _found(question.subject, grounder)
    if found_id is None:
        return _missing(question.subject)
    node = graph.get(found_id)
    base = graph.supported_by(node)
    if base is not None:
        word = "in" if base.is_container else "on"
        return Answer(f"The {node.name} is {word} the {base.name}.", (node.id, base.id))
    nearest = _nearest(node, graph)
    if nearest is None:
        return Answer(f"The {node.name} is on the table, on its own.", (node.id,))
    relation = next(
        (
            r
            for r in ("left_of", "right_of", "in_front_of", "behind")
            if graph.relation(node, nearest, r)
        ),
        "next_to",
    )
    return Answer(
        f"The {node.name} is {RELATION_WORDS[relation]} the {nearest.name}.", (node.id, nearest.id)
    )


def _nearest(node: GraphObject, graph: SceneGraph) -> GraphObject | None:
    others = [o for o in graph.objects if o.id != node.id]
    if not others:
        return None
    return min(others, key=lambda o: float(np.linalg.norm(o.xy - node.xy)))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
