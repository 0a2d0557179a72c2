"""Episodes: (task family, seed, split, instruction?) → scene, wording, goal, expected outcome."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vlmbot.errors import InputError
from vlmbot.sim.cells import SimCell, resolve_cell
from vlmbot.sim.env import SceneSpec
from vlmbot.sim.scene import LayoutError, ObjectRequest, Randomization, SceneSampler
from vlmbot.tasks import families_act, families_talk
from vlmbot.tasks.context import TaskContext
from vlmbot.tasks.goals import Goal, expected_outcome, involved_objects
from vlmbot.tasks.wording import SPLITS, Wording
from vlmbot.types import Outcome

Family = Callable[[TaskContext], tuple[SceneSpec, str, Goal]]

#: Task families in the order of the issue that defines them.
FAMILIES: dict[str, Family] = {
    "put_in": families_act.put_in,
    "stack": families_act.stack,
    "place_relative": families_act.place_relative_family,
    "refer_attribute": families_act.refer_attribute,
    "refer_relation": families_act.refer_relation,
    "refer_affordance": families_act.refer_affordance,
    "multi_step": families_act.multi_step,
    "question": families_talk.question,
    "clarify_or_refuse": families_talk.clarify_or_refuse,
}
ACTIONABLE = tuple(f for f in FAMILIES if f not in ("question", "clarify_or_refuse"))
MAX_SEED = 2**31 - 1
#: Most episodes one eval may draw (a bigger request is refused before allocating).
MAX_EPISODES = 100_000
#: How many times a layout is drawn before a seed is given up on (see benchmarks.check_layouts).
LAYOUT_ATTEMPTS = 50


@dataclass(frozen=True)
class EpisodeSpec:
    """What identifies an episode. instruction overrides the generated wording (same goal);
    cell: the robot cell it happens in (home, train-N, heldout-N or a cell file)."""

    task: str
    seed: int
    split: str = "seen"
    instruction: str | None = None
    cell: str = "home"

    def __post_init__(self) -> None:
        if self.task not in FAMILIES:
            raise InputError(f"unknown task {self.task!r}; tasks: {', '.join(FAMILIES)}")
        if self.split not in SPLITS:
            raise InputError(f"unknown split {self.split!r}; splits: {', '.join(SPLITS)}")
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or not 0 <= self.seed <= MAX_SEED
        ):
            raise InputError(f"seed must be an integer in [0, {MAX_SEED}], got {self.seed!r}")
        if self.instruction is not None and not isinstance(self.instruction, str):
            raise InputError("instruction must be a string")
        if not isinstance(self.cell, str) or not self.cell:
            raise InputError("cell must be a cell name (home, heldout-N, ...) or a cell file")
        if self.instruction is not None and not _utf8(self.instruction):
            raise InputError("instruction is not valid UTF-8 text")


#: Outcomes a label may expect. "answer" labels are questions about absent objects: the
#: answer must say the object is not there.
LABEL_OUTCOMES = (Outcome.ACT, Outcome.CLARIFY, Outcome.REFUSE, Outcome.ANSWER)


@dataclass(frozen=True)
class Label:
    """The right reply to a free instruction: the outcome, and for ACT the ids of the scene
    objects that may move (anything else picked is an unsafe action)."""

    expected: Outcome
    allowed: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not isinstance(self.expected, Outcome) or self.expected not in LABEL_OUTCOMES:
            raise InputError(f"a label expects one of act, clarify, refuse, answer; got {self}")
        allowed = frozenset(self.allowed)
        if any(not isinstance(a, str) for a in allowed):
            raise InputError("label allowed must be object ids (strings)")
        if allowed and self.expected is not Outcome.ACT:
            raise InputError("only an act label may allow objects to move")
        object.__setattr__(self, "allowed", allowed)


@dataclass(frozen=True)
class Episode:
    """A built episode. goal is None for a free instruction on a free scene (no goal check);
    label, when given, says what the right outcome is and which objects may move (for free
    instructions: the safety suite). family names the episode's suite in records (default:
    the spec's task); category is a safety category; fault a sensor fault to inject."""

    spec: EpisodeSpec
    scene: SceneSpec
    instruction: str
    generated_instruction: str
    goal: Goal | None
    label: Label | None = None
    family: str | None = None
    category: str | None = None
    fault: str | None = None

    @property
    def cell(self) -> SimCell:
        """The simulated robot cell the episode happens in."""
        return resolve_cell(self.spec.cell)

    @property
    def expected(self) -> Outcome | None:
        if self.label is not None:
            return self.label.expected
        return None if self.goal is None else expected_outcome(self.goal)

    @property
    def involved(self) -> frozenset[str] | None:
        """Objects the label or goal lets the robot pick; None when there is nothing to judge
        by (an unlabelled free instruction)."""
        if self.label is not None:
            return self.label.allowed
        return None if self.goal is None else involved_objects(self.goal)

    @property
    def max_steps(self) -> int:
        if self.goal is None:
            return 12
        placements = len(getattr(self.goal, "placements", ())) or 1
        return 2 * placements + 2


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _rng(spec: EpisodeSpec) -> np.random.Generator:
    key = f"{spec.task}|{spec.seed}|{spec.split}"
    if spec.cell != "home":  # home episodes keep the seeds they always had
        key += f"|{spec.cell}"
    digest = hashlib.sha256(key.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def build_episode(spec: EpisodeSpec, randomization: Randomization | None = None) -> Episode:
    """Deterministic: the same spec always gives the same scene, wording and goal. A family
    whose layout fails draws again (same generator, so still deterministic)."""
    if not isinstance(spec, EpisodeSpec):
        raise InputError(f"build_episode needs an EpisodeSpec, got {type(spec).__name__}")
    rng = _rng(spec)
    cell = resolve_cell(spec.cell)
    ctx = TaskContext(
        rng,
        spec.split,
        SceneSampler(rng, spec.split, randomization, cell=cell),
        Wording(rng, spec.split),
        cell.robot.workspace,
    )
    for _ in range(LAYOUT_ATTEMPTS):
        try:
            scene, text, goal = FAMILIES[spec.task](ctx)
            break
        except LayoutError:
            continue
    else:
        raise InputError(f"could not lay out a scene for {spec} in {LAYOUT_ATTEMPTS} draws")
    instruction = text if spec.instruction is None else spec.instruction
    return Episode(spec, scene, instruction, text, goal)


def free_episode(seed: int, instruction: str, split: str = "seen", cell: str = "home") -> Episode:
    """A seeded scene with containers and assorted objects, for any instruction (no goal).

    When the containers do not fit (a tray drawn in the middle leaves no room for a bowl) the
    same generator draws the layout again, so every seed builds a scene."""
    if not isinstance(instruction, str):
        raise InputError(f"instruction must be a string, got {type(instruction).__name__}")
    spec = EpisodeSpec("put_in", seed, split, instruction, cell)
    rng = _rng(spec)
    sampler = SceneSampler(rng, split, cell=resolve_cell(cell))
    containers = rng.choice(["tray", "bowl", "plate"], size=int(rng.integers(1, 3)), replace=False)
    requests = [ObjectRequest(str(c), id=f"{c}") for c in containers]
    distractors = int(rng.integers(3, 6))
    for _ in range(LAYOUT_ATTEMPTS):
        try:
            scene = sampler.sample(requests, distractors=distractors)
            break
        except LayoutError:
            continue
    else:
        raise InputError(f"could not lay out a free scene for seed {seed} ({split})")
    return Episode(spec, scene, instruction, instruction, None)


#: Held-out evaluation cells (`vlmbot.sim.cells`, family "heldout", seeds 0..N-1).
HELDOUT_CELLS = 12


def sample_specs(n: int, seed: int = 0, cells: str = "home") -> list[EpisodeSpec]:
    """n episodes balanced over families and splits (round-robin), seeds drawn from `seed`,
    in the home cell or (cells="heldout") spread round-robin over the held-out cells.
    n is checked against MAX_EPISODES before anything is allocated."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_EPISODES:
        raise InputError(f"--episodes must be in [1, {MAX_EPISODES}], got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed must be in [0, {MAX_SEED}], got {seed!r}")
    if cells not in ("home", "heldout"):
        raise InputError(f"--cells must be home or heldout, got {cells!r}")
    rng = np.random.default_rng(seed)
    families = list(FAMILIES)
    specs = []
    for i in range(n):
        family = families[i % len(families)]
        split = SPLITS[(i // len(families)) % len(SPLITS)]
        cell = "home" if cells == "home" else f"heldout-{i % HELDOUT_CELLS}"
        specs.append(EpisodeSpec(family, int(rng.integers(0, MAX_SEED)), split, cell=cell))
    return specs


def read_episodes_file(path: str | Path) -> list[EpisodeSpec]:
    """JSONL, one {"task", "seed", "instruction"?, "split"?} per line.

    Blank lines and lines starting with # are skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"episodes file not found: {path}")
    try:
        if path.stat().st_size > MAX_EPISODES_FILE_BYTES:
            raise InputError(f"episodes file {path} is over {MAX_EPISODES_FILE_BYTES} bytes")
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read episodes file {path}: {exc}") from None
    specs = []
    for spec in _parse_lines(lines, path):
        specs.append(spec)
        if len(specs) > MAX_EPISODES:
            raise InputError(f"episodes file {path} has more than {MAX_EPISODES} episodes")
    if not specs:
        raise InputError(f"episodes file {path} has no episodes")
    return specs


MAX_EPISODES_FILE_BYTES = 64 * 2**20


def _reject_constant(name: str) -> float:
    raise InputError(f"{name} is not a number")


def _parse_lines(lines: list[str], path: Path) -> Iterator[EpisodeSpec]:
    allowed = {"task", "seed", "instruction", "split"}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{where}: JSON nested too deeply") from None
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: each line must be a JSON object")
        unknown = set(record) - allowed
        if unknown:
            raise InputError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
        if "task" not in record or "seed" not in record:
            raise InputError(f'{where}: needs "task" and "seed"')
        try:
            yield EpisodeSpec(
                task=record["task"],
                seed=record["seed"],
                split=record.get("split", "seen"),
                instruction=record.get("instruction"),
            )
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
