"""`vlmbot model eval`: detection AP50, referring-expression grounding and zero-shot
classification per generalisation split, on freshly rendered scenes never used in training,
plus detection latency.

Splits: seen (seen objects, colours, wording); heldout_wording (names, colour words and
affordance phrases never trained on); heldout_color_combos (colour-category combinations never
rendered for training); heldout_categories (categories excluded from training, queried by
name; chance level reported beside it).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmbot.boxes import box_iou
from vlmbot.lexicon.concepts import CONCEPTS

SPLITS = ("seen", "heldout_wording", "heldout_color_combos", "heldout_categories")
EVAL_SEED = 7_000_003  # scene seeds are drawn from this stream; training uses another
MIN_PIXELS = 40


@dataclass
class Target:
    category: str
    color: str
    box: np.ndarray


@dataclass
class SplitStats:
    ap_hits: dict[str, list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))
    ap_positives: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    grounding: list[bool] = field(default_factory=list)
    chance: list[float] = field(default_factory=list)
    classification: list[bool] = field(default_factory=list)
    frames: int = 0


def average_precision(hits: list[tuple[float, bool]], positives: int) -> float:
    """All-point interpolated AP (VOC 2010+) of scored detections against `positives` objects."""
    if positives == 0:
        return float("nan")
    if not hits:
        return 0.0
    ordered = sorted(hits, key=lambda h: -h[0])
    tp = np.cumsum([h[1] for h in ordered])
    fp = np.cumsum([not h[1] for h in ordered])
    recall = tp / positives
    precision = tp / np.maximum(tp + fp, 1)
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[1.0], precision, [0.0]])
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    steps = np.nonzero(recall[1:] != recall[:-1])[0]
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def match_detections(
    boxes: np.ndarray, scores: np.ndarray, truth: np.ndarray
) -> list[tuple[float, bool]]:
    """Greedy IoU ≥ 0.5 matching, best score first; each true box matches once."""
    hits = []
    used = np.zeros(len(truth), bool)
    for i in np.argsort(-scores):
        ok = False
        if len(truth):
            iou = box_iou(boxes[i : i + 1], truth)[0]
            iou[used] = 0
            j = int(np.argmax(iou))
            if iou[j] >= 0.5:
                used[j] = ok = True
        hits.append((float(scores[i]), ok))
    return hits


class Vocabulary:
    """How each split names categories, colours and affordances."""

    def __init__(self, split: str, rng: np.random.Generator) -> None:
        from vlmbot.tasks.wording import HELDOUT_COLOR_WORDS, HELDOUT_NAMES

        self.split, self.rng = split, rng
        self.heldout_names, self.heldout_colors = HELDOUT_NAMES, HELDOUT_COLOR_WORDS

    def name(self, category: str) -> str:
        if self.split == "heldout_wording":
            return str(self.rng.choice(self.heldout_names[category]))
        return str(self.rng.choice(CONCEPTS[category].names))

    def color(self, color: str) -> str:
        if self.split == "heldout_wording":
            return str(self.rng.choice(self.heldout_colors[color]))
        return color

    def label(self, category: str) -> str:
        """The one label per category used for classification."""
        return (
            self.heldout_names[category][0]
            if self.split == "heldout_wording"
            else CONCEPTS[category].name
        )

    def affordance_phrase(self, category: str, present: list[str]) -> str | None:
        """An affordance phrase that singles the category out among those present, if any."""
        from vlmbot.tasks.families_act import AFFORDANCE_REFS

        table = AFFORDANCE_REFS["heldout" if self.split == "heldout_wording" else "seen"]
        for affordance in ("drinkware", "animal", "soft", "round"):
            owners = {c for c in present if affordance in CONCEPTS[c].affordances}
            if owners == {category} and affordance in table and present.count(category) == 1:
                return str(self.rng.choice(table[affordance]))
        return None


def _scene(split: str, index: int) -> Any:
    from vlmbot.sim.catalog import HELDOUT_CATEGORIES, heldout_colors_of, training_categories
    from vlmbot.sim.scene import LayoutError, ObjectRequest, SceneSampler

    rng = np.random.default_rng([EVAL_SEED, SPLITS.index(split), index])
    sim_split = {"heldout_color_combos": "heldout_colors"}.get(
        split, split if split != "heldout_wording" else "seen"
    )
    sampler = SceneSampler(rng, sim_split)
    seen = [c for c in training_categories("seen") if CONCEPTS[c].graspable]
    containers = ["tray", "bowl", "plate"]
    for _ in range(20):
        requests = [ObjectRequest(str(rng.choice(containers)))] if rng.random() < 0.7 else []
        if split == "heldout_categories":
            held = sorted(HELDOUT_CATEGORIES)
            requests += [
                ObjectRequest(str(rng.choice(held))) for _ in range(int(rng.integers(1, 3)))
            ]
        if split == "heldout_color_combos":
            for _ in range(int(rng.integers(1, 3))):
                category = str(rng.choice([c for c in seen if heldout_colors_of(c)]))
                requests.append(
                    ObjectRequest(category, str(rng.choice(heldout_colors_of(category))))
                )
        requests += [ObjectRequest(str(rng.choice(seen))) for _ in range(int(rng.integers(2, 5)))]
        try:
            return sampler.sample(requests, distractors=0)
        except LayoutError:
            continue
    raise RuntimeError("no layout")


def _targets(frame: Any, specs: dict[int, Any]) -> list[Target]:
    targets = []
    for body, spec in specs.items():
        v, u = np.nonzero(frame.segmentation == body)
        if len(u) >= MIN_PIXELS:
            box = np.array([u.min(), v.min(), u.max() + 1, v.max() + 1], dtype=np.float32)
            targets.append(Target(spec.category, spec.color, box))
    return targets


def _is_subject(split: str, target: Target) -> bool:
    """Which objects a split's grounding and classification are about."""
    from vlmbot.sim.catalog import HELDOUT_CATEGORIES, HELDOUT_COLOR_COMBOS

    if split == "heldout_categories":
        return target.category in HELDOUT_CATEGORIES
    if split == "heldout_color_combos":
        return (target.category, target.color) in HELDOUT_COLOR_COMBOS
    return target.category not in HELDOUT_CATEGORIES


def _expression(target: Target, targets: list[Target], vocab: Vocabulary, split: str) -> str:
    present = [t.category for t in targets]
    same = [t for t in targets if t.category == target.category]
    if split != "heldout_color_combos" and vocab.rng.random() < 0.3:
        phrase = vocab.affordance_phrase(target.category, present)
        if phrase:
            return phrase
    name = vocab.name(target.category)
    needs_color = len(same) > 1 or split == "heldout_color_combos" or vocab.rng.random() < 0.5
    return f"{vocab.color(target.color)} {name}" if needs_color else name


def _evaluate_frame(
    model: Any,
    frame: Any,
    camera: Any,
    targets: list[Target],
    split: str,
    stats: SplitStats,
    vocab: Vocabulary,
) -> None:
    proposals = model.propose_detections(frame.rgb, frame.depth, camera)
    subjects = [t for t in targets if _is_subject(split, t)]
    # Detection AP50: one query per category present that the split is about.
    categories = sorted({t.category for t in subjects})
    if categories:
        queries = model.encode_queries([vocab.label(c) for c in categories])
        scores = model.score_proposals(proposals, queries)
        for j, category in enumerate(categories):
            truth = np.array([t.box for t in targets if t.category == category])
            keep = scores[:, j] >= 0.05
            stats.ap_hits[category] += match_detections(
                proposals.xyxy[keep], scores[keep, j], truth
            )
            stats.ap_positives[category] += len(truth)
    # Referring-expression grounding: the right object ranked first among all proposals.
    for target in subjects:
        expression = _expression(target, targets, vocab, split)
        scores = model.score_proposals(proposals, model.encode_queries([expression]))[:, 0]
        correct = (
            len(scores) > 0
            and box_iou(proposals.xyxy[int(np.argmax(scores))][None], target.box[None])[0, 0] >= 0.5
        )
        stats.grounding.append(bool(correct))
        stats.chance.append(1.0 / len(targets))
    # Zero-shot classification of ground-truth crops.
    if subjects:
        from vlmbot.sim.catalog import HELDOUT_CATEGORIES, training_categories

        label_categories = training_categories("seen")
        if split == "heldout_categories":
            label_categories = [*label_categories, *sorted(HELDOUT_CATEGORIES)]
        labels = [vocab.label(c) for c in label_categories]
        result = model.classify_regions(frame.rgb, np.array([t.box for t in subjects]), labels)
        for target, top in zip(subjects, result.top, strict=True):
            stats.classification.append(top == vocab.label(target.category))
    stats.frames += 1


def _latency(model: Any, frames: list[tuple[Any, Any]]) -> dict[str, float]:
    """detect() with 10 cached queries, depth and camera: the per-frame cost of a robot tick."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    queries = model.encode_queries([
        "red block", "blue cube", "mug", "yellow duck", "the bowl", "green plate", "tray",
        "small cylinder", "lego brick", "something you can drink from",
    ])  # fmt: skip
    times = []
    for frame, camera in frames:
        model.detect(frame.rgb, queries, depth=frame.depth, camera=camera)
    for frame, camera in frames:
        start = time.perf_counter()
        model.detect(frame.rgb, queries, depth=frame.depth, camera=camera)
        times.append((time.perf_counter() - start) * 1000)
    torch.set_num_threads(threads)
    return {
        "median": round(float(np.median(times)), 2),
        "p90": round(float(np.percentile(times, 90)), 2),
        "frames": len(times),
    }


def evaluate_model(
    model: Any, scenes_per_split: int = 40, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Metrics per split (see module docstring) and latency, as `vlmbot model eval --json`."""
    from vlmbot.sim.env import TabletopEnv

    progress = progress or (lambda message: print(message, file=sys.stderr, flush=True))
    result: dict[str, Any] = {"splits": {}}
    latency_frames: list[tuple[Any, Any]] = []
    with TabletopEnv() as env:
        for split in SPLITS:
            stats = SplitStats()
            vocab = Vocabulary(split, np.random.default_rng([EVAL_SEED, 99, SPLITS.index(split)]))
            for index in range(scenes_per_split):
                scene = _scene(split, index)
                env.reset(scene)
                specs = {env.bodies[s.id]: s for s in scene.objects}
                for name, camera in env.cameras.items():
                    frame = env.render(name)
                    _evaluate_frame(
                        model, frame, camera, _targets(frame, specs), split, stats, vocab
                    )
                    if split == "seen" and len(latency_frames) < 30:
                        latency_frames.append((frame, camera))
            result["splits"][split] = _summarize(split, stats)
            progress(f"model eval: {split}: {result['splits'][split]}")
    result["latency_ms"] = _latency(model, latency_frames)
    return result


def _summarize(split: str, stats: SplitStats) -> dict[str, Any]:
    aps = [average_precision(stats.ap_hits[c], n) for c, n in stats.ap_positives.items() if n]
    summary: dict[str, Any] = {
        "ap50": round(float(np.nanmean(aps)), 4) if aps else None,
        "grounding_top1": round(float(np.mean(stats.grounding)), 4) if stats.grounding else None,
        "classification": round(float(np.mean(stats.classification)), 4)
        if stats.classification
        else None,
        "n": len(stats.grounding),
        "frames": stats.frames,
    }
    if split == "heldout_categories":
        summary["chance"] = round(float(np.mean(stats.chance)), 4) if stats.chance else None
    return summary
