"""The typed command as JSON: the schema an LLM answers in, and strict conversion both ways.

`to_json(parsed)` and `from_json(data)` round-trip every Parsed. `from_json` validates as it
goes and raises SchemaError naming the path of the first problem ("steps[0].target.colors[1]:
'reddish' is not a colour word"). The schema itself, as JSON Schema, is `JSON_SCHEMA` (and in
docs/language.md).
"""

from __future__ import annotations

from typing import Any

from vlmbot.errors import InputError
from vlmbot.language.commands import (
    CONSTRAINT_KINDS,
    NOT_UNDERSTOOD_KINDS,
    PLACE_RELATIONS,
    QUESTION_KINDS,
    SHIFT_DIRECTIONS,
    ClearCommand,
    Constraint,
    Instruction,
    NotUnderstood,
    Parsed,
    PickCommand,
    PlaceCommand,
    Question,
    ShiftCommand,
    SortCommand,
    Step,
)
from vlmbot.language.reference import Reference
from vlmbot.lexicon.colors import is_attribute_color

SUPERLATIVES = (
    "leftmost", "rightmost", "frontmost", "backmost", "middle", "largest", "smallest",
    "tallest", "shortest", "lightest", "darkest",
)  # fmt: skip
REFERENCE_RELATIONS = (*PLACE_RELATIONS, "closest", "farthest")
MAX_ITEMS = 8
MAX_DEPTH = 4
MAX_TEXT = 80


class SchemaError(InputError):
    """A JSON command that does not follow the schema."""


_REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "additionalProperties": False,
    "properties": {
        "head": {
            "type": "string",
            "description": "the noun: 'block', 'toy animal'; '' = everything",
        },
        "determiner": {"enum": ["the", "a", "all"], "default": "the"},
        "count": {"type": "integer", "minimum": 1, "maximum": 10},
        "colors": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "not_colors": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "size": {"enum": ["small", "large"]},
        "superlative": {"enum": list(SUPERLATIVES)},
        "ordinal": {"type": "integer", "minimum": -1, "maximum": 10},
        "relation": {
            "type": "object",
            "properties": {
                "name": {"enum": list(REFERENCE_RELATIONS)},
                "anchor": {"$ref": "#/$defs/ref"},
            },
        },
        "members": {"type": "array", "items": {"$ref": "#/$defs/ref"}, "maxItems": MAX_ITEMS},
        "exclude": {"type": "array", "items": {"$ref": "#/$defs/ref"}, "maxItems": MAX_ITEMS},
    },
}
#: The JSON Schema of a typed command (documented in docs/language.md).
JSON_SCHEMA: dict[str, Any] = {
    "$defs": {"ref": _REFERENCE_SCHEMA},
    "oneOf": [
        {
            "type": "object",
            "required": ["kind", "steps"],
            "properties": {
                "kind": {"const": "instruction"},
                "steps": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS},
                "constraints": {"type": "array", "maxItems": MAX_ITEMS},
            },
        },
        {"type": "object", "required": ["kind", "question"], "properties": {
            "kind": {"const": "question"}, "question": {"enum": list(QUESTION_KINDS)}}},
        {"type": "object", "required": ["kind", "reason"], "properties": {
            "kind": {"const": "not_understood"}, "outcome": {"enum": ["refuse", "clarify"]}}},
    ],
}  # fmt: skip


def to_json(parsed: Parsed) -> dict[str, Any]:
    """A Parsed as a JSON-ready dict (see JSON_SCHEMA)."""
    if isinstance(parsed, Instruction):
        return {
            "kind": "instruction",
            "steps": [_step_json(s) for s in parsed.steps],
            "constraints": [_constraint_json(c) for c in parsed.constraints],
        }
    if isinstance(parsed, Question):
        data: dict[str, Any] = {"kind": "question", "question": parsed.kind}
        if parsed.subject is not None:
            data["subject"] = reference_json(parsed.subject)
        if parsed.relation is not None:
            data["relation"] = parsed.relation
        if parsed.anchor is not None:
            data["anchor"] = reference_json(parsed.anchor)
        return data
    return {"kind": "not_understood", "reason": parsed.reason, "outcome": parsed.outcome,
            "category": parsed.kind, "part": parsed.part}  # fmt: skip


def _step_json(step: Step) -> dict[str, Any]:
    if isinstance(step, PlaceCommand):
        target, destination = reference_json(step.target), reference_json(step.destination)
        return {"action": "place", "target": target, "relation": step.relation,
                "destination": destination}  # fmt: skip
    if isinstance(step, SortCommand):
        target, containers = reference_json(step.target), reference_json(step.containers)
        return {"action": "sort", "target": target, "containers": containers,
                "attribute": step.attribute}  # fmt: skip
    if isinstance(step, ClearCommand):
        return {"action": "clear", "destination": reference_json(step.destination),
                "exclude": [reference_json(e) for e in step.exclude]}  # fmt: skip
    if isinstance(step, ShiftCommand):
        return {"action": "shift", "target": reference_json(step.target),
                "direction": step.direction, "distance_m": step.distance_m}  # fmt: skip
    return {"action": "pick", "target": reference_json(step.target)}


def _constraint_json(constraint: Constraint) -> dict[str, Any]:
    data = {"kind": constraint.kind, "target": reference_json(constraint.target)}
    if constraint.destination is not None:
        data["destination"] = reference_json(constraint.destination)
    return data


def reference_json(reference: Reference) -> dict[str, Any]:
    """A Reference as a dict, defaults left out."""
    determiner = {"unique": "the", "any": "a", "all": "all", "count": reference.determiner}
    data: dict[str, Any] = {"head": reference.head,
                            "determiner": determiner.get(reference.mode, "the")}  # fmt: skip
    optional = {
        "count": reference.count if reference.mode == "count" else None,
        "colors": list(reference.colors), "not_colors": list(reference.not_colors),
        "size": reference.size, "superlative": reference.superlative, "ordinal": reference.ordinal,
        "members": [reference_json(m) for m in reference.members],
        "exclude": [reference_json(e) for e in reference.exclude],
    }  # fmt: skip
    data.update({k: v for k, v in optional.items() if v not in (None, [])})
    if reference.relation is not None:
        name, anchor = reference.relation
        data["relation"] = {"name": name, "anchor": reference_json(anchor)}
    return data


def from_json(data: object) -> Parsed:
    """A validated Parsed from a JSON value; SchemaError names the first problem's path."""
    record = _object(data, "$")
    kind = record.get("kind")
    if kind == "instruction":
        steps = _list(record.get("steps"), "steps", minimum=1)
        constraints = _list(record.get("constraints", []), "constraints")
        return Instruction(
            tuple(_step(s, f"steps[{i}]") for i, s in enumerate(steps)),
            tuple(_constraint(c, f"constraints[{i}]") for i, c in enumerate(constraints)),
        )
    if kind == "question":
        question = _enum(record.get("question"), QUESTION_KINDS, "question")
        relation = record.get("relation")
        if relation is not None:
            relation = _enum(relation, (*REFERENCE_RELATIONS, "near"), "relation")
        return Question(
            question,
            _optional_reference(record.get("subject"), "subject"),
            relation,
            _optional_reference(record.get("anchor"), "anchor"),
        )
    if kind == "not_understood":
        reason = _text(record.get("reason"), "reason", limit=300)
        outcome = _enum(record.get("outcome", "refuse"), ("refuse", "clarify"), "outcome")
        category = _enum(record.get("category", "unparsed"), NOT_UNDERSTOOD_KINDS, "category")
        return NotUnderstood(reason, category, outcome, _text(record.get("part", ""), "part"))
    raise SchemaError(f"$.kind: {kind!r} is not instruction, question or not_understood")


def _step(data: object, path: str) -> Step:
    record = _object(data, path)
    action = record.get("action")
    if action == "place":
        relation = _enum(record.get("relation"), PLACE_RELATIONS, f"{path}.relation")
        return PlaceCommand(
            _reference(record.get("target"), f"{path}.target"),
            relation,
            _reference(record.get("destination"), f"{path}.destination"),
        )
    if action == "sort":
        attribute = _enum(record.get("attribute", "color"), ("color",), f"{path}.attribute")
        return SortCommand(
            _reference(record.get("target"), f"{path}.target"),
            _reference(record.get("containers", {"head": "bowl", "determiner": "all"}),
                       f"{path}.containers"),
            attribute,
        )  # fmt: skip
    if action == "clear":
        excluded = _list(record.get("exclude", []), f"{path}.exclude")
        return ClearCommand(
            _reference(record.get("destination"), f"{path}.destination"),
            tuple(_reference(e, f"{path}.exclude[{i}]") for i, e in enumerate(excluded)),
        )
    if action == "pick":
        return PickCommand(_reference(record.get("target"), f"{path}.target"))
    if action == "shift":
        direction = _enum(record.get("direction"), SHIFT_DIRECTIONS, f"{path}.direction")
        distance = record.get("distance_m")
        if isinstance(distance, bool) or not isinstance(distance, int | float):
            raise SchemaError(f"{path}.distance_m: expected metres, a number")
        if not 0.0 < float(distance) <= 2.0:
            raise SchemaError(f"{path}.distance_m: must be in (0, 2] metres")
        target = _reference(record.get("target"), f"{path}.target")
        return ShiftCommand(target, direction, float(distance))
    raise SchemaError(f"{path}.action: {action!r} is not place, sort, clear, shift or pick")


def _constraint(data: object, path: str) -> Constraint:
    record = _object(data, path)
    kind = _enum(record.get("kind"), CONSTRAINT_KINDS, f"{path}.kind")
    destination = _optional_reference(record.get("destination"), f"{path}.destination")
    if kind == "keep_out" and destination is None:
        raise SchemaError(f"{path}.destination: keep_out needs a destination")
    return Constraint(kind, _reference(record.get("target"), f"{path}.target"), destination)


def _reference(data: object, path: str, depth: int = 0) -> Reference:
    if depth > MAX_DEPTH:
        raise SchemaError(f"{path}: references nest deeper than {MAX_DEPTH}")
    record = _object(data, path)
    allowed = set(_REFERENCE_SCHEMA["properties"])
    unknown = set(record) - allowed
    if unknown:
        raise SchemaError(f"{path}: unknown keys {sorted(unknown)}")
    head = _text(record.get("head"), f"{path}.head").lower().strip()
    determiner = _enum(record.get("determiner", "the"), ("the", "a", "all"), f"{path}.determiner")
    count = _bounded_int(record.get("count"), 1, 10, f"{path}.count")
    ordinal = _bounded_int(record.get("ordinal"), -1, 10, f"{path}.ordinal")
    if ordinal == 0:
        raise SchemaError(f"{path}.ordinal: must be an integer in [1, 10] or -1")
    relation = None
    if record.get("relation") is not None:
        rel = _object(record["relation"], f"{path}.relation")
        name = _enum(rel.get("name"), REFERENCE_RELATIONS, f"{path}.relation.name")
        relation = (name, _reference(rel.get("anchor"), f"{path}.relation.anchor", depth + 1))
    members = _list(record.get("members", []), f"{path}.members")
    excluded = _list(record.get("exclude", []), f"{path}.exclude")
    plural = (
        determiner == "all"
        or (count is not None and count > 1)
        or (bool(members) and determiner != "a")
    )
    return Reference(
        text=head,
        head=head,
        colors=_colors(record.get("colors", []), f"{path}.colors"),
        not_colors=_colors(record.get("not_colors", []), f"{path}.not_colors"),
        size=_optional_enum(record.get("size"), ("small", "large"), f"{path}.size"),
        plural=plural,
        superlative=_optional_enum(record.get("superlative"), SUPERLATIVES, f"{path}.superlative"),
        relation=relation,
        ordinal=ordinal,
        determiner=determiner,
        count=count,
        members=tuple(
            _reference(m, f"{path}.members[{i}]", depth + 1) for i, m in enumerate(members)
        ),
        exclude=tuple(
            _reference(e, f"{path}.exclude[{i}]", depth + 1) for i, e in enumerate(excluded)
        ),
    )


def _bounded_int(data: object, low: int, high: int, path: str) -> int | None:
    if data is None:
        return None
    if isinstance(data, bool) or not isinstance(data, int) or not low <= data <= high:
        raise SchemaError(f"{path}: must be an integer in [{low}, {high}]")
    return data


def _optional_reference(data: object, path: str) -> Reference | None:
    return None if data is None else _reference(data, path)


def _colors(data: object, path: str) -> tuple[str, ...]:
    words = _list(data, path)
    colors = []
    for i, word in enumerate(words):
        text = _text(word, f"{path}[{i}]").lower().strip()
        if not is_attribute_color(text):
            raise SchemaError(f"{path}[{i}]: {text!r} is not a colour word")
        colors.append(text)
    return tuple(colors)


def _object(data: object, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected an object, got {type(data).__name__}")
    return data


def _list(data: object, path: str, minimum: int = 0) -> list[Any]:
    if not isinstance(data, list):
        raise SchemaError(f"{path}: expected a list, got {type(data).__name__}")
    if not minimum <= len(data) <= MAX_ITEMS:
        raise SchemaError(f"{path}: expected {minimum} to {MAX_ITEMS} items, got {len(data)}")
    return data


def _text(data: object, path: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(data, str):
        raise SchemaError(f"{path}: expected a string, got {type(data).__name__}")
    if len(data) > limit:
        raise SchemaError(f"{path}: longer than {limit} characters")
    return data


def _enum(data: object, options: tuple[str, ...], path: str) -> str:
    if not isinstance(data, str) or data not in options:
        raise SchemaError(f"{path}: {data!r} is not one of {', '.join(options)}")
    return data


def _optional_enum(data: object, options: tuple[str, ...], path: str) -> str | None:
    return None if data is None else _enum(data, options, path)
