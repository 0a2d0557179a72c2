"""Shape priors: features, fitting, files, and how they move category posteriors."""

import json

import numpy as np
import pytest

from vlmbot.errors import InputError
from vlmbot.lexicon.concepts import CONCEPTS
from vlmbot.models.tiny.weights import load_tiny
from vlmbot.reasoning.builder import DEFAULT_GRAPH, CategoryClassifier
from vlmbot.reasoning.shapes import (
    SHAPE_WORDS,
    ShapePrior,
    embedded_shape_prior,
    shape_features,
)

JENGA = (0.115, 0.038, 0.025)
DOMINO = (0.08, 0.045, 0.011)


def _samples(size, n=60, noise=0.04, seed=0):
    rng = np.random.default_rng(seed)
    return np.asarray(size) * np.exp(rng.normal(0, noise, size=(n, 3)))


def test_features_ignore_footprint_order_and_ratios_ignore_scale():
    a = shape_features(np.array([[0.08, 0.04, 0.02], [0.04, 0.08, 0.02]]))
    np.testing.assert_allclose(a[0], a[1])
    doubled = shape_features(np.array([[0.16, 0.08, 0.04]]))[0]
    np.testing.assert_allclose(doubled[1:], a[0, 1:])
    assert doubled[0] == pytest.approx(a[0, 0] + np.log(2))


def test_every_concept_has_a_known_shape_word():
    words = {c.shape for c in CONCEPTS.values()} | {c.proportions for c in CONCEPTS.values()}
    assert words <= set(SHAPE_WORDS)


@pytest.mark.parametrize(
    ("extent", "top", "kind", "rivals"),
    [
        # a 2:1 tile is a domino, not a star (both are flat, described kinds)
        ((0.09, 0.046, 0.014), 0.95, "domino", ("star", "marker")),
        # a flat outline as wide as long is a star, not a domino
        ((0.075, 0.072, 0.016), 0.92, "star", ("domino", "marker")),
        # a thin stick lying down is a marker, not a domino or a star
        ((0.13, 0.018, 0.018), 0.55, "marker", ("domino", "star")),
        # a deep bowl's size is no marker's: as wide as long, as tall as wide
        ((0.075, 0.064, 0.052), 0.73, "teddy_bear", ("marker",)),
    ],
)
def test_described_forms_tell_untrained_kinds_apart(extent, top, kind, rivals):
    prior = ShapePrior({})
    columns = {c: i for i, c in enumerate(prior.categories)}
    loglik = prior.log_likelihood(np.array([extent]), tops=None)[0]
    with_top = ShapePrior.fit({"jenga_block": np.c_[_samples(JENGA), np.full(60, 0.95)]})
    loglik_top = with_top.log_likelihood(np.array([extent]), tops=np.array([top]))[0]
    for rival in rivals:
        assert loglik[columns[kind]] > loglik[columns[rival]] + 1
        assert loglik_top[columns[kind]] > loglik_top[columns[rival]] + 1


def test_fit_recovers_the_measured_shape_and_its_outlier_rate():
    jenga = _samples(JENGA)
    jenga[:3] = [0.03, 0.03, 0.03]  # three broken measurements
    prior = ShapePrior.fit({"jenga_block": jenga, "mug": _samples((0.07, 0.06, 0.065), n=4)})
    assert set(prior.measured) == {"jenga_block"}  # too few mug samples to fit
    shape = prior.measured["jenga_block"]
    np.testing.assert_allclose(shape.mean, shape_features(np.array([JENGA]))[0], atol=0.03)
    assert shape.outlier_weight == pytest.approx((3 + 1) / (60 + 2))


def test_measured_shapes_explain_their_category_and_described_ones_the_rest():
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA)})
    columns = {c: i for i, c in enumerate(prior.categories)}
    loglik = prior.log_likelihood(np.array([JENGA, DOMINO, (0.05, 0.05, 0.05)]))
    jenga, domino, ball = loglik[:, columns["jenga_block"]], loglik[:, columns["domino"]], None
    assert jenga[0] > domino[0] + 3  # a jenga block is best explained as one
    assert domino[1] > jenga[1] + 5  # a flat tile is no jenga block
    ball = loglik[2, columns["soccer_ball"]]
    assert ball > loglik[2, columns["domino"]]  # a round thing is no flat tile


def test_save_load_round_trip(tmp_path):
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA)})
    path = tmp_path / "shapes.json"
    prior.save(path)
    loaded = ShapePrior.load(path)
    extents = np.array([JENGA, DOMINO])
    np.testing.assert_allclose(loaded.log_likelihood(extents), prior.log_likelihood(extents))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("{not json", "not valid"),
        (json.dumps({"measured": 3}), "not valid"),
        (
            json.dumps(
                {"measured": {"mug": {"mean": [0], "cov": [], "count": 1, "outlier_weight": 0.1}}}
            ),
            "not valid",
        ),
        (  # one category with top width, one without
            json.dumps(
                {
                    "measured": {
                        c: {
                            "mean": [0.0] * k,
                            "cov": np.eye(k).tolist(),
                            "count": 9,
                            "outlier_weight": 0.1,
                        }
                        for c, k in (("mug", 3), ("block", 4))
                    }
                }
            ),
            "same features",
        ),
    ],
)
def test_bad_shape_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "shapes.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        ShapePrior.load(path)


def test_embedded_prior_covers_what_the_embedded_model_was_trained_on():
    prior = embedded_shape_prior()
    trained = set(load_tiny().metadata["training"]["categories"])
    assert set(prior.measured) == trained
    assert all(0 < s.outlier_weight < 0.2 for s in prior.measured.values())


class _JengaLookingScorer:
    """Appearance: every region looks like a jenga block."""

    name = "jenga-looking"

    def embed_regions(self, image, proposals):
        return np.ones((len(proposals), 1))

    def encode_text(self, texts):
        return np.array([[1.0 if "jenga" in t else 0.0] for t in texts])

    def region_text_logits(self, regions, texts):
        return np.asarray(regions) @ np.asarray(texts).T * 12.0 - 6.0


ALL_BUT_DOMINO = frozenset(c for c in CONCEPTS if c != "domino")


def test_shape_turns_a_jenga_lookalike_into_the_untrained_domino():
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA)})
    classifier = CategoryClassifier(_JengaLookingScorer(), ALL_BUT_DOMINO, prior)
    regions = np.ones((2, 1))
    appearance_only = classifier(regions)
    jenga, domino = (
        classifier.categories.index("jenga_block"),
        classifier.categories.index("domino"),
    )
    assert (appearance_only.argmax(axis=1) == jenga).all()
    with_shape = classifier(regions, np.array([JENGA, DOMINO]))
    assert with_shape[0].argmax() == jenga and with_shape[1].argmax() == domino
    np.testing.assert_allclose(with_shape.sum(axis=1), 1.0)


def test_a_second_reading_of_the_extents_counts_as_much_as_the_first():
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA)})
    classifier = CategoryClassifier(_JengaLookingScorer(), ALL_BUT_DOMINO, prior)
    regions = np.ones((1, 1))
    domino = classifier.categories.index("domino")
    seen_flat = classifier(regions, np.array([DOMINO]))[0]
    either = classifier(regions, np.array([DOMINO]), np.array([JENGA]))[0]
    no_second = classifier(regions, np.array([DOMINO]), np.full((1, 3), np.nan))[0]
    np.testing.assert_allclose(no_second, seen_flat)  # a NaN row is no second reading
    # the likelihood is the mean over both readings: the one a category explains well counts
    jenga = classifier.categories.index("jenga_block")
    assert seen_flat.argmax() == domino and either.argmax() == jenga
    np.testing.assert_allclose(either.sum(), 1.0)


def test_a_tray_wall_seen_again_is_no_object_but_what_stands_inside_is():
    from vlmbot.reasoning.builder import _wall_echo

    tray = (np.array([0.5, 0.2, 0.0265]), np.array([0.30, 0.30, 0.053]), 0.0)
    wall = (np.array([0.64, 0.2, 0.034]), np.array([0.117, 0.044, 0.049]), 0.0)
    jenga_along_wall = (np.array([0.63, 0.2, 0.018]), np.array([0.115, 0.038, 0.025]), 0.0)
    block_at_wall = (np.array([0.63, 0.2, 0.034]), np.array([0.05, 0.05, 0.05]), 0.0)
    far_wall_of_turned_tray = (np.array([0.5, 0.34, 0.034]), np.array([0.117, 0.044, 0.049]), 0.0)
    assert _wall_echo(wall, tray, DEFAULT_GRAPH)
    assert _wall_echo(far_wall_of_turned_tray, tray, DEFAULT_GRAPH)
    assert not _wall_echo(
        jenga_along_wall, tray, DEFAULT_GRAPH
    )  # lower than the rim: a real object
    assert not _wall_echo(block_at_wall, tray, DEFAULT_GRAPH)  # not long and thin
    assert not _wall_echo(
        (np.array([0.5, 0.2, 0.034]), wall[1], 0.0), tray, DEFAULT_GRAPH
    )  # mid-tray


def _box_points(x, y, z0, z1, size=0.055, n=400, seed=0):
    rng = np.random.default_rng(seed)
    low, high = np.array([x, y, z0]), np.array([x + size, y + size, z1])
    return low + rng.random((n, 3)) * (high - low)


def _perceived(points, lab=(50.0, 60.0, 40.0)):
    from vlmbot.perception.scene import PerceivedObject

    return PerceivedObject(points, np.zeros(4), np.array(lab), 0.9, {"front": [10, 10, 20, 20]})


@pytest.mark.parametrize(
    ("lower_top", "lower_lab", "joined"),
    [
        (0.02, (50.0, 60.0, 40.0), True),  # a 1.3 cm slice under a mug: the mug's bottom
        (0.02, (60.0, -40.0, 30.0), False),  # another colour: another object
        (0.064, (50.0, 60.0, 40.0), False),  # a whole mug under a mug: a real stack
    ],
)
def test_one_object_seen_as_two_slices_is_joined(lower_top, lower_lab, joined):
    from types import SimpleNamespace

    from vlmbot.reasoning.builder import _join_slices

    prior = ShapePrior.fit({"mug": _samples((0.07, 0.055, 0.064))})
    classifier = SimpleNamespace(categories=list(CONCEPTS), shapes=prior, config=DEFAULT_GRAPH)
    lower = _perceived(_box_points(0.6, 0.0, 0.007, lower_top), lower_lab)
    upper = _perceived(_box_points(0.6, 0.0, lower_top, lower_top + 0.055, seed=1))
    perceived = [lower, upper]
    geometry = [p.geometry(0.0) for p in perceived]
    probs = np.zeros((2, len(CONCEPTS)))
    probs[:, list(CONCEPTS).index("mug")] = 1.0
    result = _join_slices(perceived, geometry, probs, classifier)
    if not joined:
        assert result is None
        return
    assert result is not None and len(result) == 1
    assert len(result[0].points) == 800
    assert result[0].geometry(0.0)[1][2] == pytest.approx(lower_top + 0.055 - 0.007, abs=0.004)


def test_typical_extent_and_volume_are_the_measured_medians():
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA, noise=0.01)})
    np.testing.assert_allclose(prior.typical_extent("jenga_block"), JENGA, rtol=0.03)
    assert prior.typical_volume("jenga_block") == pytest.approx(np.prod(JENGA), rel=0.06)
    assert prior.typical_extent("domino") is None and prior.typical_volume("domino") is None


SQUAT_CYLINDER = (0.05, 0.05, 0.05)  # as tall as it is wide: the extents of a ball


def _with_tops(size, top, n=60, seed=0):
    rng = np.random.default_rng(seed)
    return np.column_stack([_samples(size, n, seed=seed), top + rng.normal(0, 0.04, n)])


@pytest.mark.parametrize(("top", "best"), [(1.0, "cylinder"), (0.55, "soccer_ball")])
def test_top_width_tells_a_squat_cylinder_from_a_ball(top, best):
    prior = ShapePrior.fit({"cylinder": _with_tops((0.045, 0.045, 0.07), 1.0)})
    columns = ["cylinder", "soccer_ball"]
    loglik = prior.log_likelihood(np.array([SQUAT_CYLINDER]), columns, np.array([top]))[0]
    assert columns[int(np.argmax(loglik))] == best


def test_an_unmeasured_top_width_gives_the_marginal():
    prior = ShapePrior.fit({"jenga_block": _with_tops(JENGA, 1.0)})
    extents = np.array([JENGA, DOMINO])
    marginal = prior.log_likelihood(extents)
    np.testing.assert_allclose(prior.log_likelihood(extents, tops=np.array([np.nan] * 2)), marginal)
    mixed = prior.log_likelihood(extents, tops=np.array([1.0, np.nan]))
    np.testing.assert_allclose(mixed[1], marginal[1])
    assert not np.allclose(mixed[0], marginal[0])
    # The marginal of the measured Gaussian over the extents alone.
    shape = prior.measured["jenga_block"]
    three = type(shape)(shape.mean[:3], shape.cov[:3, :3], shape.count, shape.outlier_weight)
    features = shape_features(extents)
    np.testing.assert_allclose(shape.log_density(features), three.log_density(features))


def test_a_prior_fit_without_top_width_ignores_it():
    prior = ShapePrior.fit({"jenga_block": _samples(JENGA)})
    extents = np.array([JENGA, DOMINO])
    assert not prior.measures_tops
    np.testing.assert_allclose(
        prior.log_likelihood(extents, tops=np.array([1.0, 0.3])), prior.log_likelihood(extents)
    )


def test_save_load_round_trip_with_top_width(tmp_path):
    prior = ShapePrior.fit({"jenga_block": _with_tops(JENGA, 1.0)})
    prior.save(tmp_path / "shapes.json")
    loaded = ShapePrior.load(tmp_path / "shapes.json")
    extents, tops = np.array([JENGA, DOMINO]), np.array([1.0, 0.9])
    np.testing.assert_allclose(
        loaded.log_likelihood(extents, tops=tops), prior.log_likelihood(extents, tops=tops)
    )


def test_the_shipped_prior_measures_top_width():
    assert embedded_shape_prior().measures_tops
