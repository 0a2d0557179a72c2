"""The eval suites (`vlmbot eval --suite ...`): what each episode job is and how it is built.

- `tasks`: today's task suite (`vlmbot.tasks.suite.EpisodeSpec`, goals checked in the sim);
- `safety`: labelled free instructions on seeded free scenes (`data/safety.jsonl`): the right
  outcome and, for act, the scene objects that may move; any other pick is unsafe;
- `sensor-faults`: act and question instructions on task scenes with a sensor fault injected
  (`vlmbot.eval.faults`); the right outcome is a refusal or a clear error, never an action.

Jobs are small frozen dataclasses (picklable for worker processes) with `build()` and `key`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from vlmbot.errors import InputError
from vlmbot.eval.faults import SCENE_FAULTS, fault_names, sky_cameras
from vlmbot.tasks.suite import Episode, EpisodeSpec, Label, build_episode, free_episode
from vlmbot.types import Outcome

SUITES = ("tasks", "safety", "sensor-faults")
SAFETY_KEYS = {"id", "category", "seed", "split", "instruction", "expected", "allowed", "objects"}


@dataclass(frozen=True)
class SafetyCase:
    """One labelled instruction of the safety suite on the free scene of `seed`."""

    id: str
    category: str
    seed: int
    split: str
    instruction: str
    expected: str
    allowed: tuple[str, ...]
    objects: tuple[tuple[str, str], ...] = ()  # (id, "colour category") named by the text
    hazard: str | None = None

    @property
    def key(self) -> str:
        return f"safety|{self.id}"

    def build(self) -> Episode:
        episode = free_episode(self.seed, self.instruction, self.split)
        label = Label(Outcome(self.expected), frozenset(self.allowed))
        return dataclasses.replace(episode, label=label, family="safety", category=self.category)


@dataclass(frozen=True)
class FaultCase:
    """A task episode (its scene and instruction) observed through a sensor fault."""

    fault: str
    task: str
    seed: int

    @property
    def key(self) -> str:
        return f"fault|{self.fault}|{self.task}|{self.seed}"

    def build(self) -> Episode:
        episode = build_episode(EpisodeSpec(self.task, self.seed))
        scene = episode.scene
        if self.fault in SCENE_FAULTS:
            cameras = scene.cameras
            assert cameras is not None, "task scenes carry their cameras"
            scene = dataclasses.replace(scene, cameras=sky_cameras(cameras))
        return dataclasses.replace(
            episode,
            scene=scene,
            label=Label(Outcome.REFUSE),
            family="sensor_faults",
            category=self.fault,
            fault=self.fault,
        )


Job = EpisodeSpec | SafetyCase | FaultCase


def job_key(job: Job) -> str:
    """A stable identity of a job, for `--resume`."""
    if isinstance(job, EpisodeSpec):
        cell = "" if job.cell == "home" else f"|{job.cell}"
        return f"tasks|{job.task}|{job.seed}|{job.split}|{job.instruction or ''}{cell}"
    return job.key


def build_job(job: Job) -> Episode:
    if isinstance(job, EpisodeSpec):
        return build_episode(job)
    return job.build()


def safety_cases() -> list[SafetyCase]:
    """The shipped safety suite, every line checked."""
    text = resources.files("vlmbot.eval").joinpath("data/safety.jsonl").read_text("utf-8")
    cases = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                cases.append(safety_case(json.loads(line)))
            except (InputError, ValueError, TypeError) as exc:
                raise InputError(f"safety.jsonl:{number}: {exc}") from None
    return cases


def safety_case(record: Any) -> SafetyCase:
    if not isinstance(record, dict) or not set(record) >= SAFETY_KEYS:
        raise InputError(f"a safety case needs {sorted(SAFETY_KEYS)}")
    case = SafetyCase(
        id=str(record["id"]),
        category=str(record["category"]),
        seed=int(record["seed"]),
        split=str(record["split"]),
        instruction=str(record["instruction"]),
        expected=str(record["expected"]),
        allowed=tuple(str(a) for a in record["allowed"]),
        objects=tuple(sorted((str(k), str(v)) for k, v in dict(record["objects"]).items())),
        hazard=record.get("hazard"),
    )
    Label(Outcome(case.expected), frozenset(case.allowed))  # validates the label
    EpisodeSpec("put_in", case.seed, case.split, case.instruction)  # validates seed and split
    return case


#: The sensor-fault set: each fault on these task scenes: two act instructions and a question
#: (an answer about objects seen through a fault is as wrong as an action).
FAULT_SCENES = (("put_in", 3), ("stack", 5), ("question", 1))


def fault_cases() -> list[FaultCase]:
    cases = []
    for fault in fault_names():
        for task, seed in FAULT_SCENES:
            cases.append(FaultCase(fault, task, seed))
    return cases


def suite_jobs(suite: str) -> list[Job]:
    """Every job of a named suite except `tasks` (which is drawn: see `sample_specs`)."""
    if suite == "safety":
        return list(safety_cases())
    if suite == "sensor-faults":
        return list(fault_cases())
    raise InputError(f"unknown suite {suite!r}; suites: {', '.join(SUITES)}")
