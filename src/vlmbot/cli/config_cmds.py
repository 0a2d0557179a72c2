"""`vlmbot configs`: every stage's validated configuration and its defaults, in one table.

docs/configuration.md is this command's `--markdown` output (a test keeps them equal)."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
from typing import Any

from vlmbot.cli.common import print_json

#: (stage, "module:Class") of every config that decides behaviour, in pipeline order.
CONFIGS: tuple[tuple[str, str], ...] = (
    ("robot cell", "vlmbot.cell:Workspace"),
    ("robot cell", "vlmbot.cell:Gripper"),
    ("robot cell", "vlmbot.cell:RobotBase"),
    ("relations", "vlmbot.relations:RelationConfig"),
    ("proposals (depth geometry)", "vlmbot.models.depth_proposer:DepthProposerConfig"),
    ("proposals (transformers)", "vlmbot.models.backends.regions:ProposalConfig"),
    ("sensor validation", "vlmbot.perception.validation:SensorLimits"),
    ("perception", "vlmbot.perception.scene:PerceptionConfig"),
    ("perception (robot body)", "vlmbot.perception.body:BodyConfig"),
    ("scene graph", "vlmbot.reasoning.builder:GraphConfig"),
    ("grounding", "vlmbot.reasoning.grounding:GroundingConfig"),
    ("planning", "vlmbot.planning.planner:PlannerConfig"),
    ("planning (determiners)", "vlmbot.planning.binding:BindingConfig"),
    ("placement", "vlmbot.planning.geometry:PlacementConfig"),
    ("safety gate", "vlmbot.safety.gate:GateConfig"),
    ("step loop", "vlmbot.control.steps:StepConfig"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("configs", help="list every stage's configuration defaults")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print one JSON object")
    form.add_argument("--markdown", action="store_true", help="print docs/configuration.md")
    parser.set_defaults(func=cmd_configs)


def config_classes() -> list[tuple[str, type]]:
    out = []
    for stage, path in CONFIGS:
        module, name = path.split(":")
        out.append((stage, getattr(importlib.import_module(module), name)))
    return out


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return None


def rows() -> list[dict[str, Any]]:
    return [
        {"stage": stage, "config": cls.__name__, "field": f.name, "default": _default(f)}
        for stage, cls in config_classes()
        for f in dataclasses.fields(cls)
    ]


def markdown() -> str:
    lines = [
        "# Configuration",
        "",
        "Every number that decides what vlmbot does lives in a frozen, validated dataclass",
        "(ranges are checked when it is built). This page is the output of",
        "`vlmbot configs --markdown`; `vlmbot configs --json` gives the same as data.",
        "",
        "| stage | config | field | default |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['stage']} | `{r['config']}` | `{r['field']}` | `{r['default']!r}` |" for r in rows()
    ]
    lines.append("")
    for stage, cls in config_classes():
        lines += [f"## {cls.__name__} ({stage})", "", f"`{cls.__module__}`", ""]
        lines += [" ".join(inspect.getdoc(cls).split()), ""]  # type: ignore[union-attr]
    return "\n".join(lines)


def cmd_configs(args: argparse.Namespace) -> int:
    if args.json:
        print_json({"configs": [{**r, "default": repr(r["default"])} for r in rows()]})
    elif args.markdown:
        print(markdown(), end="")
    else:
        for r in rows():
            print(f"{r['config'] + '.' + r['field']:<42} {r['default']!r}")
    return 0
