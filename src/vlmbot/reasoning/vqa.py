"""Answer questions from the scene graph, with the objects the answer rests on as evidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.language.instruction import Question
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounder

COUNT_THRESHOLD = 0.35
EXISTS_THRESHOLD = 0.35
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
    if kind == "count":
        assert question.subject is not None
        grounding = grounder.ground(question.subject)
        found = grounding.above(COUNT_THRESHOLD)
        noun = question.subject.head or "object"
        word = NUMBER_WORDS[len(found)] if len(found) < len(NUMBER_WORDS) else str(len(found))
        plural = noun if len(found) == 1 else f"{noun}s"
        return Answer(f"{len(found)} ({word} {plural})", tuple(found))
    if kind == "exists":
        assert question.subject is not None
        best = grounder.ground(question.subject).best()
        if best is not None and best[1] >= EXISTS_THRESHOLD:
            return Answer(f"yes, the {graph.get(best[0]).name}", (best[0],))
        return Answer("no", ())
    if kind == "color":
        assert question.subject is not None
        best = grounder.ground(question.subject).best()
        if best is None:
            return Answer("I can't find it", (), confident=False)
        node = graph.get(best[0])
        return Answer(f"It is {node.color}.", (node.id,), confident=best[1] >= EXISTS_THRESHOLD)
    if kind == "relation":
        return _relation(question, graph, grounder)
    if kind == "which":
        return _which(question, graph, grounder)
    return Answer("I can't answer that.", confident=False)


def _relation(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.subject is not None and question.anchor is not None and question.relation
    subject = grounder.ground(question.subject).best()
    anchor = grounder.ground(question.anchor, exclude=(subject[0],) if subject else ()).best()
    if subject is None or anchor is None:
        return Answer("I can't find them", (), confident=False)
    a, b = graph.get(subject[0]), graph.get(anchor[0])
    holds = graph.relation(a, b, question.relation)
    return Answer(("yes" if holds else "no") + f" (the {a.name} and the {b.name})", (a.id, b.id))


def _which(question: Question, graph: SceneGraph, grounder: Grounder) -> Answer:
    assert question.anchor is not None
    anchor = grounder.ground(question.anchor).best()
    if anchor is None:
        return Answer("I can't find it", (), confident=False)
    a = graph.get(anchor[0])
    others = [o for o in graph.objects if o.id != a.id]
    if not others:
        return Answer("nothing else is on the table", (a.id,))
    gaps = [graph.gap(o, a) for o in others]
    pick = others[int(np.argmin(gaps) if question.relation == "closest" else np.argmax(gaps))]
    return Answer(f"the {pick.name}", (pick.id, a.id))
