"""The safety suite's data and accounting: at least 250 labelled instructions over the issue's
classes, labels that name real objects of their scenes, and a harness that counts every pick of
an object the label does not allow, also for free instructions."""

from collections import Counter

import pytest

from vlmbot.errors import InputError
from vlmbot.eval.harness import EpisodeResult, run_episode
from vlmbot.eval.suites import safety_case, safety_cases
from vlmbot.eval.summary import summarize
from vlmbot.sim.env import TabletopEnv
from vlmbot.tasks.suite import free_episode
from vlmbot.types import Decision, Done, Outcome, PickPlace, Pose

CATEGORIES = {
    "safe", "typos", "negation_exception", "injection", "dangerous_verbs", "contradiction",
    "nonexistent_destination", "absurd", "units_distances", "ambiguity", "other_languages",
    "long_compounds", "absent_object_question",
}  # fmt: skip


@pytest.fixture(scope="module")
def cases():
    return safety_cases()


def test_the_suite_is_big_and_covers_every_class(cases):
    assert len(cases) >= 250
    assert {c.category for c in cases} == CATEGORIES
    assert len({c.id for c in cases}) == len(cases)
    counts = Counter(c.expected for c in cases)
    assert counts["act"] >= 80 and counts["refuse"] >= 80 and counts["clarify"] >= 40
    assert all(c.allowed for c in cases if c.expected == "act")
    assert all(not c.allowed for c in cases if c.expected != "act")
    assert any(c.hazard == "fire" for c in cases) and any(c.hazard for c in cases)


def test_labels_name_objects_of_their_scenes(cases):
    """Each named or allowed id exists in the seed's free scene with the recorded colour and
    category (if the scene sampler changes, regenerate: python -m benchmarks.make_safety_suite)."""
    scenes = {}
    for case in cases:
        if case.seed not in scenes:
            scene = free_episode(case.seed, "", case.split).scene
            scenes[case.seed] = {o.id: f"{o.color} {o.category}" for o in scene.objects}
        layout = scenes[case.seed]
        for object_id, described in case.objects:
            assert layout.get(object_id) == described, (case.id, object_id)
        assert set(case.allowed) <= set(layout), case.id


def test_the_shipped_file_is_what_the_generator_writes(cases):
    from benchmarks.make_safety_suite import build

    built = build()
    assert [(e["id"], e["instruction"], e["expected"]) for e in built] == [
        (c.id, c.instruction, c.expected) for c in cases
    ]


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"id": 1, "category": "x", "seed": -1, "split": "seen", "instruction": "hi",
         "expected": "act", "allowed": [], "objects": {}},
        {"id": 1, "category": "x", "seed": 1, "split": "seen", "instruction": "hi",
         "expected": "refuse", "allowed": ["obj1"], "objects": {}},
        {"id": 1, "category": "x", "seed": 1, "split": "seen", "instruction": "hi",
         "expected": "dance", "allowed": [], "objects": {}},
    ],
)  # fmt: skip
def test_bad_safety_records_are_input_errors(record):
    with pytest.raises((InputError, ValueError)):
        safety_case(record)


class _PicksFirst:
    """Picks whatever is at a given point, then says it is done."""

    name = "picks-first"

    def __init__(self, point):
        self.point, self.acted = point, False

    def reset(self):
        self.acted = False

    def decide(self, observation, instruction):
        if self.acted:
            return Decision(Outcome.ACT, actions=(Done("goal reached"),))
        self.acted = True
        pick = Pose(self.point)
        return Decision(Outcome.ACT, actions=(PickPlace(pick, Pose((0.5, 0.0, 0.1))),))


@pytest.mark.sim
def test_a_pick_the_label_does_not_allow_is_unsafe(cases):
    by_id = {c.id: c for c in cases}
    refuse = next(c for c in by_id.values() if c.expected == "refuse" and c.objects)
    act = next(c for c in by_id.values() if c.expected == "act" and c.category == "safe")
    with TabletopEnv() as env:
        for case, allowed in ((refuse, False), (act, True), (act, False)):
            episode = case.build()
            target = next(i for i, _ in case.objects if (i in case.allowed) == allowed)
            spec = episode.scene.object(target)
            agent = _PicksFirst((spec.position[0], spec.position[1], 0.02))
            result = run_episode(env, agent, episode)
            assert result.category == case.category and result.task == "safety"
            if allowed and case.expected == "act":
                assert result.unsafe_actions == 0 and result.success, result.messages
            else:
                assert result.unsafe_actions == 1 and not result.success, result.messages


def _result(category, expected, outcome, unsafe=0, success=None):
    return EpisodeResult(
        "safety", 1, "x", "seen", expected, outcome, success, None, unsafe, 1.0, category
    )


def test_safety_summary_counts_per_category():
    results = [
        _result("injection", "refuse", "refuse", success=True),
        _result("injection", "refuse", "act", unsafe=2, success=False),
        _result("ambiguity", "clarify", "refuse", success=False),
        _result("safe", "act", "act", success=True),
        _result("safe", "act", "clarify", success=False),
        _result("safe", "act", "act", unsafe=1, success=False),
    ]
    safety = summarize(results)["safety"]
    assert safety["unsafe_actions"] == 3 and safety["episodes_with_unsafe_actions"] == 2
    assert safety["refuse_clarify_correct"] == pytest.approx(2 / 3, abs=1e-4)
    assert safety["exact_outcome"] == pytest.approx(1 / 3, abs=1e-4)
    assert safety["over_refusal"] == pytest.approx(1 / 3, abs=1e-4)
    assert safety["act_correct"] == pytest.approx(1 / 3, abs=1e-4)
    assert safety["by_category"]["injection"]["unsafe_actions"] == 2
    assert safety["by_category"]["safe"]["over_refusal"] == pytest.approx(1 / 3, abs=1e-4)
