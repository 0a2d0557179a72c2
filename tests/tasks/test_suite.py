import json

import pytest

from vlmbot.errors import InputError
from vlmbot.lexicon.concepts import CONCEPTS, DESCRIPTIONS
from vlmbot.sim.catalog import HELDOUT_CATEGORIES, HELDOUT_COLOR_COMBOS
from vlmbot.tasks.goals import AnswerGoal, NoActGoal, check_answer, parse_count
from vlmbot.tasks.suite import (
    ACTIONABLE,
    FAMILIES,
    EpisodeSpec,
    build_episode,
    read_episodes_file,
    sample_specs,
)
from vlmbot.tasks.wording import HELDOUT_NAMES, HELDOUT_TEMPLATES, SEEN_TEMPLATES, SPLITS
from vlmbot.types import Outcome


@pytest.mark.parametrize("task", list(FAMILIES))
@pytest.mark.parametrize("split", SPLITS)
def test_every_family_builds_in_every_split(task, split):
    for seed in range(3):
        episode = build_episode(EpisodeSpec(task, seed, split))
        assert episode.instruction.strip()
        ids = {o.id for o in episode.scene.objects}
        assert episode.involved is not None and episode.involved <= ids
        if task in ACTIONABLE:
            assert episode.expected is Outcome.ACT
        categories = {o.category for o in episode.scene.objects}
        if split != "heldout_categories":
            assert not categories & HELDOUT_CATEGORIES
        if split != "heldout_colors":
            assert not {(o.category, o.color) for o in episode.scene.objects} & HELDOUT_COLOR_COMBOS


def test_same_spec_same_episode_and_override():
    spec = EpisodeSpec("refer_relation", 11, "seen")
    assert build_episode(spec) == build_episode(spec)
    other = build_episode(EpisodeSpec("refer_relation", 11, "seen", instruction="grab it"))
    assert other.instruction == "grab it"
    assert other.goal == build_episode(spec).goal and other.scene == build_episode(spec).scene


def test_heldout_splits_do_what_they_say():
    seen_words = {name for c in CONCEPTS.values() for name in c.names}
    for seed in range(20):
        ep = build_episode(EpisodeSpec("put_in", seed, "heldout_categories"))
        target = ep.scene.object("target")
        assert target.category in HELDOUT_CATEGORIES
        ep = build_episode(EpisodeSpec("put_in", seed, "heldout_colors"))
        target = ep.scene.object("target")
        assert (target.category, target.color) in HELDOUT_COLOR_COMBOS
    heldout_words = {n for names in HELDOUT_NAMES.values() for n in names}
    assert not heldout_words & seen_words
    from vlmbot.lexicon.concepts import AFFORDANCE_PHRASES
    from vlmbot.tasks.families_act import AFFORDANCE_REFS

    heldout_refs = {p for refs in AFFORDANCE_REFS["heldout"].values() for p in refs}
    seen_phrases = {p for phrases in AFFORDANCE_PHRASES.values() for p in phrases}
    assert not heldout_refs & (seen_phrases | {p for ps in DESCRIPTIONS.values() for p in ps})
    for category, phrases in DESCRIPTIONS.items():
        for phrase in phrases:
            assert not any(f" {w}" in f" {phrase}" for w in heldout_words), (category, phrase)
    for family, templates in HELDOUT_TEMPLATES.items():
        assert not set(templates) & set(SEEN_TEMPLATES[family])


def test_balanced_sampling_covers_families_and_splits():
    specs = sample_specs(72, seed=4)
    assert specs == sample_specs(72, seed=4)
    pairs = {(s.task, s.split) for s in specs}
    assert len(pairs) == len(FAMILIES) * len(SPLITS)
    with pytest.raises(InputError):
        sample_specs(0)


def test_family_9_outcomes():
    outcomes = {
        build_episode(EpisodeSpec("clarify_or_refuse", s, "seen")).expected for s in range(30)
    }
    assert outcomes == {Outcome.CLARIFY, Outcome.REFUSE}
    for s in range(10):
        goal = build_episode(EpisodeSpec("clarify_or_refuse", s, "seen")).goal
        assert isinstance(goal, NoActGoal)


@pytest.mark.parametrize(
    ("kind", "truth", "answer", "ok"),
    [
        ("count", "3", "There are 3 blocks.", True),
        ("count", "3", "three", True),
        ("count", "0", "none", True),
        ("count", "2", "3", False),
        ("exists", "yes", "Yes, there is one.", True),
        ("exists", "no", "yes", False),
        ("color", "red", "It is red.", True),
        ("color", "red", "red or blue", False),
        ("which", "mug", "the red mug", True),
        ("which", "mug", "the duck", False),
    ],
)
def test_answer_matching(kind, truth, answer, ok):
    names = ("mug", "cup") if kind == "which" else ()
    assert check_answer(AnswerGoal(kind, truth, names), answer) is ok


def test_parse_count():
    assert parse_count("I count 12") == 12 and parse_count("nothing") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"task": "put_in"}', "needs"),
        ('{"task": "fly", "seed": 1}', "unknown task"),
        ('{"task": "put_in", "seed": -4}', "seed must be"),
        ('{"task": "put_in", "seed": 1, "split": "mars"}', "unknown split"),
        ('{"task": "put_in", "seed": 1, "colour": "red"}', "unknown keys"),
    ],
)
def test_malformed_episode_files(tmp_path, line, message):
    path = tmp_path / "eps.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        read_episodes_file(path)


def test_episode_file_round_trip(tmp_path):
    path = tmp_path / "eps.jsonl"
    rows = [
        {"task": "stack", "seed": 3},
        {
            "task": "question",
            "seed": 4,
            "split": "heldout_wording",
            "instruction": "how many cubes?",
        },
    ]
    path.write_text("# comment\n\n" + "\n".join(json.dumps(r) for r in rows))
    specs = read_episodes_file(path)
    assert specs == [
        EpisodeSpec("stack", 3),
        EpisodeSpec("question", 4, "heldout_wording", "how many cubes?"),
    ]
    with pytest.raises(InputError, match="not found"):
        read_episodes_file(tmp_path / "missing.jsonl")
