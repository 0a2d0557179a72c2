"""Dependencies run one way (`make lint` runs this file):

    types/geometry/lexicon ← models ← perception ← language ← reasoning ← planning ← safety
    ← control ← agents ← sim/tasks/eval ← report/cli

Every import in src/vlmbot, including imports inside functions, is checked: a module may import
its own layer and the layers to its left, never one to its right. The task generator and the
success checks (vlmbot.tasks) import nothing of the agent's stages, so a planner change cannot
change the benchmark that tests it. Training code (training/) is never imported by the library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "vlmbot"

#: Layer rank of each top-level module or package of vlmbot.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        ("__init__", "errors", "types", "geometry", "boxes", "depth", "cell", "relations"), 0
    ),
    "lexicon": 0,
    "models": 1,
    "perception": 2,
    "language": 3,
    "reasoning": 4,
    "planning": 5,
    "safety": 6,
    "control": 7,
    "agents": 8,
    **dict.fromkeys(("sim", "tasks", "eval"), 9),
    **dict.fromkeys(("report", "cli", "demo"), 10),
}
#: Same-layer or lower imports that are still forbidden: (importer, imported).
FORBIDDEN = {
    ("tasks", name)
    for name in (
        "models",
        "perception",
        "language",
        "reasoning",
        "planning",
        "safety",
        "control",
        "agents",
        "eval",
    )
} | {("sim", "tasks"), ("sim", "eval")}
#: A backend's internals are its own: outside models/ (and the evaluation of the embedded model
#: in eval/) nothing imports them; shared words live in vlmbot.lexicon.
PRIVATE = ("models.tiny", "models.backends")
PRIVATE_OK = {"models", "eval"}


def _layer(module: str) -> str:
    """'vlmbot.reasoning.graph' → 'reasoning'; 'vlmbot.types' → 'types'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(source: str, module: str) -> list[tuple[str, int]]:
    """(imported vlmbot module, line) for every import statement in a module's source."""
    found = []
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("vlmbot")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("vlmbot") or name.startswith("training"):
                found.append((name, node.lineno))
    return found


def violations(source: str, module: str) -> list[str]:
    """Why a module's imports break the layering (empty when they do not)."""
    problems = []
    own = _layer(module)
    for imported, line in imports_of(source, module):
        if imported.startswith("training"):
            problems.append(f"{module}:{line} imports training code ({imported})")
            continue
        target = _layer(imported)
        if target not in LAYERS:
            problems.append(f"{module}:{line} imports {imported}, a module with no layer")
            continue
        sub = ".".join(imported.split(".")[1:3])
        if LAYERS[target] > LAYERS.get(own, -1):
            problems.append(f"{module}:{line} imports {imported} ({target} is above {own})")
        elif (own, target) in FORBIDDEN or (own, sub) in FORBIDDEN:
            problems.append(f"{module}:{line} imports {imported} (forbidden for {own})")
        elif sub in PRIVATE and own not in PRIVATE_OK:
            problems.append(f"{module}:{line} imports {imported}, a backend's internals")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles in a module graph (module → modules it imports), each as a path."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).with_suffix("")
        out.append((".".join(relative.parts), path))
    return out


def test_every_top_level_module_has_a_layer():
    names = {p.stem if p.is_file() else p.name for p in SRC.iterdir() if not p.name.startswith("_")}
    names = {n for n in names if (SRC / n).is_dir() or (SRC / f"{n}.py").is_file()}
    assert names - {"weights", "py"} <= set(LAYERS), names - set(LAYERS)


def test_imports_run_one_way():
    problems = [p for module, path in _modules() for p in violations(path.read_text(), module)]
    assert not problems, "\n".join(problems)


def test_no_module_import_cycles():
    known = {module for module, _ in _modules()}
    graph: dict[str, set[str]] = {}
    for module, path in _modules():
        targets = set()
        for imported, _ in imports_of(path.read_text(), module):
            candidates = [imported, f"{imported}.__init__"]
            targets |= {c for c in candidates if c in known and c != module}
        graph[module] = targets
    assert not cycles(graph), cycles(graph)


def test_cycle_finder_finds_a_registry_catalogue_cycle():
    graph = {"models.registry": {"models.catalogue"}, "models.catalogue": {"models.registry"}}
    assert cycles(graph)
    assert not cycles({"models.registry": {"models.catalogue"}, "models.catalogue": set()})


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("vlmbot.tasks.goals", "from vlmbot.planning.geometry import RELATION_DIRECTIONS"),
        ("vlmbot.tasks.families_act", "from vlmbot.planning.geometry import place_relative"),
        ("vlmbot.models.tiny.evaluate", "from vlmbot.sim.env import TabletopEnv"),
        ("vlmbot.models.tiny.bench", "def f():\n    from vlmbot.tasks.suite import build_episode"),
        ("vlmbot.models.tiny.model", "from vlmbot.perception.lifting import lift_detections"),
        ("vlmbot.language.reference", "from vlmbot.models.tiny.colors import find_color_words"),
        ("vlmbot.reasoning.grounding", "from vlmbot.models.tiny.colors import BASIC_COLORS"),
        ("vlmbot.planning.planner", "from vlmbot.models.tiny.colors import color_distance"),
        ("vlmbot.agents.vlm", "from vlmbot.eval.oracle_perception import oracle_graph"),
        ("vlmbot.eval.tiny_eval", "from training.dataset import training_categories"),
        ("vlmbot.sim.env", "from vlmbot.tasks.suite import Episode"),
        ("vlmbot.reasoning.builder", "from vlmbot.models.tiny.model import TinyVLM"),
    ],
)
def test_the_checker_catches_each_known_wrong_way_import(module, source):
    assert violations(source, module), f"{module}: {source!r} should be flagged"
