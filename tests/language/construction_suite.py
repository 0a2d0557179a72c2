"""The construction suite (constructions.tsv): loading, and how a parse is scored against the
expected typed command. Shared by the tests and `benchmarks/bench_parser.py`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from vlmbot.language.commands import NotUnderstood, Parsed

SUITE = Path(__file__).with_name("constructions.tsv")


@dataclass(frozen=True)
class Case:
    """One line of the suite: the class it belongs to, what a person said, what it means."""

    category: str
    text: str
    expected: str
    line: int
    miss: str = ""  # why the parser is known to get it wrong (a strict xfail in the tests)


def load_suite(path: Path = SUITE) -> list[Case]:
    cases, category = [], ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("# class:"):
            category = raw.split(":", 1)[1].strip()
            continue
        if not raw.strip() or raw.startswith("#"):
            continue
        text, expected, *miss = raw.split("\t")
        cases.append(Case(category, text, expected, number, miss[0] if miss else ""))
    return cases


def rendered(parsed: Parsed, expected: str) -> str:
    """The parse in the suite's form: a refusal is compared without its part unless the
    expected form names one."""
    if isinstance(parsed, NotUnderstood) and "(" not in expected:
        return f"{parsed.outcome}:{parsed.kind}"
    return parsed.render()


def accuracy_by_class(results: list[tuple[Case, bool]]) -> dict[str, tuple[int, int]]:
    """class → (correct, total)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case, ok in results:
        table[case.category][0] += int(ok)
        table[case.category][1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}
