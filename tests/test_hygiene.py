"""The test suite's own rules: tests/ mirrors src/vlmbot (every test folder names a package or
module of the library, or the benchmarks/training code it tests), and no two tests share a name
(a duplicate hides one of them from `-k` and from readers)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src" / "vlmbot"
OUTSIDE_SRC = {"benchmarks", "training"}


def test_test_folders_mirror_src():
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    library = {p.name for p in SRC.iterdir() if p.is_dir()} | {p.stem for p in SRC.glob("*.py")}
    assert folders - OUTSIDE_SRC <= library, folders - OUTSIDE_SRC - library


def test_no_two_tests_share_a_name():
    names = Counter(
        node.name
        for path in TESTS.rglob("test_*.py")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )
    assert not [n for n, count in names.items() if count > 1]
