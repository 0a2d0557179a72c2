"""Ground referring expressions in the scene graph: a score in [0, 1] per object.

The noun goes through the model's text alignment (region-text probability) and through the
text encoder's view of the known vocabulary (names, descriptions, affordance phrases) mapped to
the objects' category distributions; colour words through the colour lexicon; size words
through 3D extents; relations and superlatives through geometry in the viewer frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.errors import InputError
from vlmbot.language.reference import Reference, singular
from vlmbot.lexicon.colors import BASIC_COLORS
from vlmbot.lexicon.concepts import (
    AFFORDANCE_PHRASES,
    CONCEPTS,
    DESCRIPTIONS,
    HYPERNYMS,
    covered_by,
    hypernym_members,
)
from vlmbot.lexicon.wordnet import load_wordnet
from vlmbot.models.stages import SentenceEncoder, VisionStages, sigmoid
from vlmbot.reasoning.graph import GraphObject, SceneGraph
from vlmbot.reasoning.shapes import ShapePrior


@dataclass(frozen=True)
class GroundingConfig:
    """similarity_floor: sentence similarity below which a phrase names no known category, and
    similarity_ramp the span over which confidence then rises to 1; temperature: softmax
    temperature over known phrases; anchor_min: an anchor ("the mug" in "next to the mug") needs
    this score; peer_fraction / peer_floor: objects within this fraction of the best score (and
    above the floor) are the ones a superlative or "closest" compares; next_to_reach /
    near_reach: metres of footprint gap a "next to" / "near" anchor allows; relation_decay:
    metres over which a worse "closest" or "next to" candidate's factor falls by e, and
    reach_decay beyond the reach;
    superlative_decay: metres for leftmost/rightmost/frontmost/backmost/middle;
    lightness_decay: CIELAB L* units at least for lightest/darkest; size_ratio: volumes within
    this ratio are the same size; lexical_confidence: how familiar a noun is that WordNet ties
    to a known name as a synonym of its most frequent sense, less lexical_step for each later
    sense and each hypernym level (`vlmbot.lexicon.wordnet`); lexical_depth: hypernym levels
    looked up."""

    similarity_floor: float = 0.42
    similarity_ramp: float = 0.12
    temperature: float = 0.04
    anchor_min: float = 0.15
    peer_fraction: float = 0.4
    peer_floor: float = 0.05
    next_to_reach: float = 0.10
    near_reach: float = 0.20
    relation_decay: float = 0.04
    reach_decay: float = 0.05
    superlative_decay: float = 0.03
    lightness_decay: float = 2.0
    size_ratio: float = 1.3
    lexical_confidence: float = 0.9
    lexical_step: float = 0.1
    lexical_depth: int = 2

    def __post_init__(self) -> None:
        for name in (
            "similarity_floor",
            "anchor_min",
            "peer_fraction",
            "peer_floor",
            "lexical_confidence",
            "lexical_step",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"GroundingConfig.{name} must be in [0, 1]")
        for name in (
            "similarity_ramp",
            "temperature",
            "next_to_reach",
            "near_reach",
            "relation_decay",
            "reach_decay",
            "superlative_decay",
        ):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise InputError(f"GroundingConfig.{name} must be in (0, 1]")
        if self.size_ratio < 1.0:
            raise InputError("GroundingConfig.size_ratio must be >= 1")
        if not 0.0 < self.lightness_decay <= 50.0:
            raise InputError("GroundingConfig.lightness_decay must be in (0, 50] L* units")
        if not 0 <= self.lexical_depth <= 5:
            raise InputError("GroundingConfig.lexical_depth must be in [0, 5]")


DEFAULT_GROUNDING = GroundingConfig()

GENERIC_HEADS = {
    "",
    "object",
    "thing",
    "item",
    "something",
    "anything",
    "stuff",
    "everything",
    "one",
}

#: Words that make a phrase more than modifiers and a head noun ("something that rolls",
#: "thing you drink from"): the head-noun rule of `category_weights` leaves those alone.
_FUNCTION_WORDS = frozenset(
    {"that", "which", "who", "you", "i", "we", "to", "for", "with", "from", "of", "in", "on", "at",
     "can", "could", "is", "are", "be", "it"}
)  # fmt: skip


@dataclass(frozen=True)
class Grounding:
    """scores: (N,) per graph object in [0, 1]; order: indices best first."""

    reference: Reference
    scores: np.ndarray
    ids: tuple[str, ...]
    novelty: float = 0.0  # how much the noun means categories the model never saw
    untrained: frozenset[str] = frozenset()  # categories the model never saw
    # (N,) the model's direct region-text scores for a paraphrased noun (None for a known
    # name or a generic one): a second opinion on what the vocabulary route decided
    region: np.ndarray | None = None
    # how well the text encoder ties the noun to known names and phrases (1: a known name)
    familiarity: float = 1.0
    # (N,) how much each object is what the noun and colours name, before relations and
    # superlatives choose among them
    members: np.ndarray | None = None
    # (N,) how much each object is what the noun alone names (members before the colours)
    kind: np.ndarray | None = None

    @property
    def order(self) -> np.ndarray:
        return np.argsort(-self.scores, kind="stable")

    def best(self) -> tuple[str, float] | None:
        if not len(self.scores):
            return None
        i = int(self.order[0])
        return self.ids[i], float(self.scores[i])

    def runner_up(self) -> tuple[str, float] | None:
        if len(self.scores) < 2:
            return None
        i = int(self.order[1])
        return self.ids[i], float(self.scores[i])

    def above(self, threshold: float) -> list[str]:
        return [self.ids[i] for i in self.order if self.scores[i] >= threshold]


def _names_of(category: str) -> tuple[str, ...]:
    """A category's names and its own name in words ("teddy_bear" → "teddy bear")."""
    return (*CONCEPTS[category].names, category.replace("_", " "))


#: Every known name → its category (the first in catalogue order that has it).
_CATEGORY_OF: dict[str, str] = {}
for _category in CONCEPTS:
    for _name in _names_of(_category):
        _CATEGORY_OF.setdefault(_name, _category)


def _outranks(lexical: tuple[np.ndarray, float], weights: np.ndarray, confidence: float) -> bool:
    """Whether a WordNet reading replaces encoder weights: it is more confident, or it does
    not cover the encoder's best category."""
    return lexical[1] > confidence or lexical[0][np.argmax(weights)] < 1.0


class VocabularyIndex:
    """The text encoder's map from any noun phrase to the known categories and affordances."""

    def __init__(
        self,
        sentences: SentenceEncoder,
        trained_categories: frozenset[str] | None = None,
        config: GroundingConfig = DEFAULT_GROUNDING,
        categories: tuple[str, ...] | None = None,
    ) -> None:
        """categories: the vocabulary objects may belong to (a cell's; default: every known)."""
        self.sentences = sentences
        self.trained_categories = trained_categories
        self.config = config
        self.categories = list(categories or CONCEPTS)
        phrases: list[str] = []
        owners: list[list[str]] = []
        for category in self.categories:
            concept = CONCEPTS[category]
            for phrase in (*concept.names, *DESCRIPTIONS.get(category, ())):
                phrases.append(phrase)
                owners.append([category])
        for affordance, texts in AFFORDANCE_PHRASES.items():
            members = [c for c in self.categories if affordance in CONCEPTS[c].affordances]
            if not members:
                continue
            for phrase in texts:
                phrases.append(phrase)
                owners.append(members)
        self.phrases, self.owners = phrases, owners
        self.all_known = False
        self._vectors = sentences.encode(phrases)
        self._weights: dict[str, tuple[np.ndarray, float]] = {}
        self._unrelated: dict[str, bool] = {}
        # Names WordNet readings may land on (this vocabulary's), and the words that count as
        # known when asking whether a noun is unrelated (every category's, and their heads).
        self._names = {n for c in self.categories for n in _names_of(c)}
        every = {n for c in CONCEPTS for n in _names_of(c)}
        self._known_words = every | {n.split()[-1] for n in every}

    def category_weights(self, head: str) -> tuple[np.ndarray, float]:
        """(C,) weights in [0, 1] over categories for a noun phrase, and a confidence.

        A softmax over the known phrases; each phrase gives its whole weight to every category
        it describes ("something round": the ball and the soccer ball, each fully). The
        confidence falls when even the best similarity is low: a word unlike anything known
        ("banana") must not confidently name a known category. Where WordNet ties the phrase
        (or, for modifiers and a noun, its head noun) to a known name, more confidently or to
        another category, that name's weights count instead ("the tin": a can).
        """
        if head not in self._weights:
            self._weights[head] = self._category_weights(head)
        weights, confidence = self._weights[head]
        return weights.copy(), confidence

    def _category_weights(self, head: str) -> tuple[np.ndarray, float]:
        weights, confidence = self._encoder_weights(head)
        lexical = self.lexical_weights(head)
        if lexical is not None and _outranks(lexical, weights, confidence):
            # An explicit link outranks a similarity: "beaker" is a cup to WordNet, however
            # near the encoder puts it to "a bucket".
            weights, confidence = lexical
        words = head.split()
        if 1 < len(words) <= 3 and not (set(words) & (GENERIC_HEADS | _FUNCTION_WORDS)):
            # A modifier alone never names the category: "round pillar" is not a ball because
            # balls are round. The phrase is only as familiar as its head noun; where WordNet
            # knows the head better than the encoder knows the phrase, or otherwise, it is that
            # ("metal tin": a can; "round pillar": a cylinder).
            head_lexical = self.lexical_weights(words[-1]) if lexical is None else None
            if head_lexical is not None and _outranks(head_lexical, weights, confidence):
                weights, confidence = head_lexical
            known = self.category_weights(words[-1])[1]
            if known < confidence:
                known = max(known, self._corroboration(words[-1], weights))
            confidence = min(confidence, known)
        return weights, confidence

    def _corroboration(self, head: str, weights: np.ndarray) -> float:
        """How familiar a head noun the encoder does not know is, where its dictionary
        definition describes the category the whole phrase names ("wooden slat": "a thin
        strip (wood or metal)", like "a wooden stick", a jenga block): as familiar as a
        WordNet link lexical_depth levels removed, and no more than the encoder knows the
        definition. 0 where the definition describes another category or nothing known: a
        definition only confirms what the modifiers say, never names a category itself."""
        wordnet = load_wordnet()
        definition = None if wordnet is None else wordnet.definition(head)
        if definition is None:
            return 0.0
        defined, confidence = self.category_weights(definition)
        best = int(np.argmax(weights))
        if int(np.argmax(defined)) != best or defined[best] < 0.5:
            return 0.0
        cfg = self.config
        return min(confidence, cfg.lexical_confidence - cfg.lexical_step * cfg.lexical_depth)

    def lexical_weights(self, head: str) -> tuple[np.ndarray, float] | None:
        """(C,) weights and a confidence from WordNet's synonyms and hypernyms of a phrase
        that is no known name (see `vlmbot.lexicon.wordnet`), or None where it says nothing."""
        wordnet = load_wordnet()
        if wordnet is None or self.exact_category(head) is not None:
            return None
        reading = wordnet.reading(head, self._names, HYPERNYMS, self.config.lexical_depth)
        if reading is None:
            return None
        category = self.exact_category(reading.name)
        weights = (
            np.array([float(c == category) for c in self.categories])
            if category is not None
            else self.hypernym_weights(reading.name)
        )
        if weights is None:
            return None
        step = self.config.lexical_step * (reading.sense + reading.depth)
        return weights, max(0.0, self.config.lexical_confidence - step)

    def unrelated(self, head: str) -> bool:
        """Whether WordNet knows the noun as an object that has nothing to do with any known
        category ("toothbrush"; see `WordNet.unrelated`): no appearance score may then stand in
        for it. The head nouns of known names count as known ("brick": the toy brick)."""
        if head not in self._unrelated:
            wordnet = load_wordnet()
            self._unrelated[head] = (
                wordnet is not None
                and head not in GENERIC_HEADS
                and self.exact_category(head) is None
                and self.hypernym_weights(head) is None
                and self.lexical_weights(head) is None
                and wordnet.unrelated(head, self._known_words, HYPERNYMS)
            )
        return self._unrelated[head]

    def _encoder_weights(self, head: str) -> tuple[np.ndarray, float]:
        vector = self.sentences.encode([head])[0]
        similarity = self._vectors @ vector
        mass = np.exp((similarity - similarity.max()) / self.config.temperature)
        mass /= mass.sum()
        weights = np.zeros(len(self.categories))
        for share, owner in zip(mass, self.owners, strict=True):
            for category in owner:
                weights[self.categories.index(category)] += share
        floor, ramp = self.config.similarity_floor, self.config.similarity_ramp
        confidence = float(np.clip((similarity.max() - floor) / ramp, 0.0, 1.0))
        return np.clip(weights, 0.0, 1.0), confidence

    def untrained_mask(self) -> np.ndarray:
        """(C,) True for categories the model was not trained on (from its metadata); none
        when perception is given (all_known, for ground-truth objects)."""
        trained = self.trained_categories
        if not trained or self.all_known:
            return np.zeros(len(self.categories), dtype=bool)
        return np.array([c not in trained for c in self.categories])

    def exact_category(self, head: str) -> str | None:
        return _CATEGORY_OF.get(head)

    def hypernym_weights(self, head: str) -> np.ndarray | None:
        """(C,) 1 for each category a hypernym covers ("toy animal": duck, teddy bear), or
        None when the head is not a hypernym the knowledge base knows."""
        members = hypernym_members(head) or hypernym_members(singular(head))
        if not members:
            return None
        return np.array([float(c in members) for c in self.categories])


class Grounder:
    """Scores graph objects for references (see module docstring)."""

    def __init__(
        self,
        stages: VisionStages,
        graph: SceneGraph,
        vocabulary: VocabularyIndex,
        shapes: ShapePrior | None = None,
    ) -> None:
        self.scorer, self.colors = stages.scorer, stages.colors
        self.config = vocabulary.config
        self.graph = graph
        self.vocabulary = vocabulary
        self.shapes = shapes  # category norms for size words with nothing to compare
        self.ids = tuple(o.id for o in graph.objects)

    def ground(
        self, reference: Reference, exclude: tuple[str, ...] = (), prior: np.ndarray | None = None
    ) -> Grounding:
        """Scores for a reference; prior (N,) multiplies them (e.g. "in the X" → containers)."""
        objects = self.graph.objects
        if not objects:
            return Grounding(reference, np.zeros(0), ())
        if reference.members:
            return self._union(reference, exclude, prior)
        noun = self.noun_scores(reference.head)
        scores = noun
        if prior is not None:
            scores = np.maximum(scores, self._unfamiliar_destination(reference.head, scores, prior))
        # Everything but the noun: what the rest of the phrase says of each object.
        factors = np.ones(len(objects)) if prior is None else prior.astype(float)
        colors = self.color_factors(reference)
        factors = factors * colors
        if reference.size:
            factors = factors * self._size_factors(
                reference.size, scores * factors, norms=not reference.plural
            )
        if reference.relation is not None:
            factors = factors * self._relation_factors(
                *reference.relation, relevance=scores * factors
            )
        if reference.superlative or reference.ordinal is not None:
            factors = factors * self._superlative_factors(
                reference.superlative or "leftmost", scores * factors, reference.ordinal
            )
        for i, node in enumerate(objects):
            if node.id in exclude:
                factors[i] = 0.0
        scores = scores * factors
        novelty = self.novelty_of(reference.head)
        untrained = frozenset(
            c
            for c, u in zip(
                self.vocabulary.categories, self.vocabulary.untrained_mask(), strict=True
            )
            if u
        )
        region = self.paraphrase_region_scores(reference.head)
        familiarity = 1.0
        if region is not None:
            region = region * factors  # what the rest of the phrase rules out cannot dissent
            familiarity = self.vocabulary.category_weights(singular(reference.head))[1]
        return Grounding(
            reference,
            np.clip(scores, 0.0, 1.0),
            self.ids,
            novelty,
            untrained,
            region,
            familiarity,
            np.clip(noun * colors, 0.0, 1.0),
            np.clip(noun, 0.0, 1.0),
        )

    def _union(
        self, reference: Reference, exclude: tuple[str, ...], prior: np.ndarray | None
    ) -> Grounding:
        """A coordination ("the mug and the duck"): each object's best score over the members."""
        parts = [self.ground(m, exclude, prior) for m in reference.members]
        scores = np.max(np.stack([p.scores for p in parts]), axis=0)
        members = [p.members if p.members is not None else p.scores for p in parts]
        kinds = [p.kind if p.kind is not None else p.scores for p in parts]
        return Grounding(
            reference,
            scores,
            self.ids,
            max(p.novelty for p in parts),
            parts[0].untrained,
            None,
            min(p.familiarity for p in parts),
            np.max(np.stack(members), axis=0),
            np.max(np.stack(kinds), axis=0),
        )

    def _unfamiliar_destination(self, head: str, noun: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """For a destination named with unfamiliar words ("in the basin"), the posterior over
        the objects the prior favours (containers), given whatever the words do say: with one
        container on the table, that is the one. Familiar names keep their own scores."""
        if head in GENERIC_HEADS or self.vocabulary.exact_category(singular(head)) is not None:
            return np.zeros(len(noun))
        likely = prior >= 0.5
        if not likely.any():
            return np.zeros(len(noun))
        weights = np.where(likely, prior * (noun + 0.02), 0.0)
        return 0.5 * weights / weights.sum()

    def affordance_prior(self, affordances: tuple[str, ...], floor: float = 0.05) -> np.ndarray:
        """(N,) probability that each object has one of the affordances (from its categories)."""
        members = [c for c, k in CONCEPTS.items() if set(affordances) & k.affordances]
        mass = np.array(
            [sum(o.category_probs.get(c, 0.0) for c in members) for o in self.graph.objects]
        )
        return np.clip(mass, floor, 1.0)

    # --- parts ---------------------------------------------------------------------------------
    def noun_scores(self, head: str) -> np.ndarray:
        objects = self.graph.objects
        if head in GENERIC_HEADS:
            return np.ones(len(objects))
        head = singular(head) if head not in self._all_names() else head
        categories = self.vocabulary.categories
        probs = np.array([[o.category_probs.get(c, 0.0) for c in categories] for o in objects])
        exact = self.vocabulary.exact_category(head)
        if exact is not None:
            if exact not in categories:  # a known category this cell has none of
                return np.zeros(len(objects))
            covered = [categories.index(c) for c in covered_by(exact) if c in categories]
            return np.clip(probs[:, covered].sum(axis=1), 0.0, 1.0)
        hypernym = self.vocabulary.hypernym_weights(head)
        if hypernym is not None:
            return np.clip(probs @ hypernym, 0.0, 1.0)
        if self.vocabulary.unrelated(head):
            return np.zeros(len(objects))  # "the toothbrush": none of what the model knows
        weights, confidence = self.vocabulary.category_weights(head)
        region = self._region_scores(head)
        # How much of the phrase the known names and affordances explain decides whom to
        # trust: the objects' categories, or the model's direct region-text score.
        by_category = np.clip(probs @ weights, 0.0, 1.0)
        return confidence * by_category + (1.0 - confidence) * region

    def _region_scores(self, head: str) -> np.ndarray:
        embeddings = np.stack([o.embedding for o in self.graph.objects])
        logits = self.scorer.region_text_logits(embeddings, self.scorer.encode_text([head]))
        return sigmoid(logits[:, 0])

    def paraphrase_region_scores(self, head: str) -> np.ndarray | None:
        """(N,) region-text scores for a noun that is neither generic nor a known name."""
        if head in GENERIC_HEADS or not self.graph.objects:
            return None
        head = singular(head) if head not in self._all_names() else head
        if self.vocabulary.exact_category(head) is not None:
            return None
        if self.vocabulary.hypernym_weights(head) is not None or self.vocabulary.unrelated(head):
            return None
        return self._region_scores(head)

    def novelty_of(self, head: str) -> float:
        """How much a noun phrase means categories the model was never trained on (0..1)."""
        if head in GENERIC_HEADS:
            return 0.0
        head = singular(head) if head not in self._all_names() else head
        untrained = self.vocabulary.untrained_mask()
        exact = self.vocabulary.exact_category(head)
        if exact is not None:
            if exact not in self.vocabulary.categories:
                return 0.0
            return float(untrained[self.vocabulary.categories.index(exact)])
        hypernym = self.vocabulary.hypernym_weights(head)
        weights, confidence = (
            (hypernym, 1.0) if hypernym is not None else self.vocabulary.category_weights(head)
        )
        if confidence < 0.3 or weights.sum() <= 0:
            return 0.0
        return float(weights[untrained].sum() / weights.sum())

    def color_factors(self, reference: Reference) -> np.ndarray:
        factors = np.ones(len(self.graph.objects))
        for word in reference.colors:
            factors *= np.array([self._color_score(o, word) for o in self.graph.objects])
        for word in reference.not_colors:
            factors *= 1.0 - np.array([self._color_score(o, word) for o in self.graph.objects])
        return factors

    def _color_score(self, node: GraphObject, word: str) -> float:
        """Closeness to the word's colour, at least 0.8 when the object's basic colour name is
        the word's (shading moves a render's colour, not its name)."""
        namer = self.colors
        try:
            score = float(namer.score(node.lab, word))
            references = namer.references(word)
        except KeyError:
            return 0.5
        # Only a word that means a basic colour (itself one, or near one: "crimson") may lend
        # its basic name; "violet", between blue and purple, lends either.
        basic = len(references) > 1 or word in BASIC_COLORS
        names = {namer.name(r) for r in (references[1:] or references)}
        same_name = basic and node.color in names
        return max(score, 0.8) if same_name else score

    def _size_factors(self, size: str, relevance: np.ndarray, norms: bool = True) -> np.ndarray:
        """Compared among the objects the noun fits; with nothing to compare, a single object
        ("the little cylinder") against its category's norm when `norms`, else neutral."""
        volumes = np.array([float(np.prod(o.obj.extent)) for o in self.graph.objects])
        peers = relevance >= 0.5 * float(relevance.max())
        if relevance.max() <= 0 or not peers.any():
            return np.ones(len(volumes))
        low, high = volumes[peers].min(), volumes[peers].max()
        if high <= low * self.config.size_ratio:
            return self._size_against_norms(size, volumes) if norms else np.full(len(volumes), 0.5)
        ratio = (volumes - low) / (high - low)
        return np.clip(0.1 + 0.9 * (1 - ratio if size in ("small",) else ratio), 0.02, 1.0)

    def _size_against_norms(self, size: str, volumes: np.ndarray) -> np.ndarray:
        """No two comparable objects: "small" and "large" against each object's category norm
        (the shape prior's median volume); 0.5 where no norm is known. With nothing to set it
        apart from, a size word describes more than it selects ("the little duck", where rubber
        ducks are little): it counts against an object only as far as the object contradicts it
        (log volume ratio to the norm on the wrong side)."""
        factors = np.full(len(volumes), 0.5)
        if self.shapes is None:
            return factors
        for i, node in enumerate(self.graph.objects):
            typical = self.shapes.typical_volume(node.category)
            if typical is None:
                continue
            ratio = float(np.log(max(volumes[i], 1e-9) / typical))
            contrary = ratio if size == "small" else -ratio
            factors[i] = float(np.clip(1.0 - max(contrary, 0.0), 0.1, 1.0))
        return factors

    def _anchor(self, reference: Reference) -> GraphObject | None:
        grounding = self.ground(reference)
        best = grounding.best()
        if best is None or best[1] < self.config.anchor_min:
            return None
        return self.graph.get(best[0])

    def _relation_factors(
        self, relation: str, anchor_reference: Reference, relevance: np.ndarray
    ) -> np.ndarray:
        """Per-object factor for "X <relation> anchor"; closest/farthest compare among the
        objects the noun fits (relevance), not among everything on the table."""
        objects, cfg = self.graph.objects, self.config
        anchor = self._anchor(anchor_reference)
        if anchor is None:
            return np.zeros(len(objects))
        distances = np.array([np.linalg.norm(o.xy - anchor.xy) for o in objects])
        factors = np.zeros(len(objects))
        others = [i for i, o in enumerate(objects) if o.id != anchor.id]
        if not others:
            return factors
        if relation in ("closest", "farthest"):
            sign = 1.0 if relation == "closest" else -1.0
            peers = self._peers(others, relevance)
            best = min(sign * distances[i] for i in (peers or others))
            for i in others:
                factors[i] = np.exp(-(sign * distances[i] - best) / cfg.relation_decay)
            return factors
        if relation in ("next_to", "near"):
            # The noun-matching object nearest the anchor, if it is near at all.
            peers = self._peers(others, relevance)
            gaps = np.array(
                [max(self.graph.gap(objects[i], anchor), 0.0) for i in range(len(objects))]
            )
            nearest = min(gaps[i] for i in (peers or others))
            reach = cfg.next_to_reach if relation == "next_to" else cfg.near_reach
            for i in others:
                factors[i] = np.exp(-(gaps[i] - nearest) / cfg.relation_decay) * np.exp(
                    -max(gaps[i] - reach, 0.0) / cfg.reach_decay
                )
            return factors
        for i in others:
            if relation in ("in", "on"):
                factors[i] = float(self.graph.relation(objects[i], anchor, relation))
            else:
                factors[i] = 1.0 if self.graph.relation(objects[i], anchor, relation) else 0.1
        return factors

    def _peers(self, candidates: list[int], relevance: np.ndarray) -> list[int]:
        """The candidates the noun fits about as well as the best (what a comparison ranks)."""
        floor = max(self.config.peer_fraction * float(relevance.max()), self.config.peer_floor)
        return [i for i in candidates if relevance[i] >= floor]

    def _superlative_factors(
        self, superlative: str, relevance: np.ndarray, ordinal: int | None = None
    ) -> np.ndarray:
        """Per-object factor for a superlative (and an ordinal along its order: "the second
        block from the left") among the objects the noun fits (relevance)."""
        objects = self.graph.objects
        peers = relevance >= max(0.4 * float(relevance.max()), 0.1)
        if not peers.any():
            return np.zeros(len(objects))
        measure, scale = self._superlative_measure(superlative, peers)
        values = np.sort(measure[peers])[::-1]
        if superlative == "middle":
            wanted = float(np.median(values))
        else:
            rank = 1 if ordinal is None else ordinal
            if rank > len(values) or rank == 0 or -rank > len(values):
                return np.zeros(len(objects))  # "the fourth block" among three
            wanted = float(values[rank - 1] if rank > 0 else values[rank])
        return np.where(peers, np.exp(-np.abs(wanted - measure) / scale), 0.0)

    def _superlative_measure(self, superlative: str, peers: np.ndarray) -> tuple[np.ndarray, float]:
        """(N,) a measure that is largest for the most-superlative object, and its scale."""
        objects = self.graph.objects
        if superlative in ("largest", "smallest", "tallest", "shortest"):
            tall = superlative in ("tallest", "shortest")
            measure = np.array(
                [o.obj.extent[2] if tall else np.prod(o.obj.extent) for o in objects]
            )
            measure = -measure if superlative in ("smallest", "shortest") else measure
            return measure, max(float(np.ptp(measure[peers])), 1e-9) / 3
        if superlative in ("lightest", "darkest"):
            lightness = np.nan_to_num(np.array([float(o.lab[0]) for o in objects]))
            measure = lightness if superlative == "lightest" else -lightness
            return measure, max(float(np.ptp(measure[peers])) / 3, self.config.lightness_decay)
        offsets = self.graph.workspace.to_viewer(np.stack([o.xy for o in objects]))
        axis = {
            "leftmost": (1, 1.0), "middle": (1, 1.0), "rightmost": (1, -1.0),
            "frontmost": (0, -1.0), "backmost": (0, 1.0),
        }  # fmt: skip
        column, sign = axis[superlative]
        return sign * offsets[:, column], self.config.superlative_decay

    def _all_names(self) -> set[str]:
        return {name for concept in CONCEPTS.values() for name in concept.names}
