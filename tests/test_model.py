"""The anomaly model: a scikit-learn estimator (scikit-learn's own estimator checks), and
its run over an employer feature frame with explanations in words."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from screening.config import ModelSettings
from screening.errors import ConfigError
from screening.model.anomaly import MIN_EMPLOYERS, score_employers
from screening.model.estimator import EmployerAnomalyModel
from screening.model.features import (
    EmployerFeatures,
    chosen_features,
    lens_titles,
    model_features,
)


@parametrize_with_checks([EmployerAnomalyModel(n_estimators=20)])
def test_scikit_learn_estimator_checks(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)


MEDIATION = [f.name for f in model_features()].index("mediation_share")
CHEAP = [f.name for f in model_features()].index("low_mediation_share")


def _employers(rng: np.random.Generator, typical: int, unusual: int) -> EmployerFeatures:
    """``typical`` employers around the same values, then ``unusual`` whose every case
    ends in mediation, and cheaply (two features of one lens far above the rest)."""
    features = model_features()
    values = rng.normal(loc=1.0, scale=0.1, size=(typical + unusual, len(features)))
    values[typical:, MEDIATION] = 25.0  # mediation share, far from everybody else
    values[typical:, CHEAP] = 12.0  # mediated for under half the claim, less far
    frame = pl.DataFrame(values, schema=[f.name for f in features], orient="row")
    keys = pl.Series("subject_key", [f"E{i:04d}" for i in range(typical + unusual)])
    return EmployerFeatures(date(2026, 9, 30), features, frame.insert_column(0, keys))


def test_fit_returns_self_and_learns_underscore_attributes() -> None:
    model = EmployerAnomalyModel(n_estimators=30)
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((3, 2)))
    values = np.random.default_rng(0).normal(size=(50, 3))
    assert model.fit(values) is model
    assert model.get_params() == {"n_estimators": 30, "contamination": "auto", "random_state": 0}
    assert model.n_features_in_ == 3 and model.typical_.shape == (3,)
    assert model.most_unusual_ >= -model.offset_  # the most unusual is at least as deep


def test_same_seed_same_scores_other_seed_other_forest() -> None:
    values = np.random.default_rng(1).normal(size=(80, 4))
    first = EmployerAnomalyModel(n_estimators=40, random_state=3).fit(values)
    again = EmployerAnomalyModel(n_estimators=40, random_state=3).fit(values)
    other = EmployerAnomalyModel(n_estimators=40, random_state=4).fit(values)
    assert np.array_equal(first.score_samples(values), again.score_samples(values))
    assert not np.array_equal(first.score_samples(values), other.score_samples(values))


def test_missing_value_counts_as_typical_and_scaling_is_robust() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(size=(101, 2))
    model = EmployerAnomalyModel(n_estimators=20).fit(values)
    probe = np.array([[np.nan, values[0, 1]]])
    assert model.imputed(probe)[0, 0] == pytest.approx(np.median(values[:, 0]))
    assert model.deviations(probe)[0, 0] == pytest.approx(0.0)
    # One absurd employer moves the typical employer's deviations hardly at all (a mean
    # and standard deviation scaling would squash them all to about 0).
    extreme = np.vstack([values, [[1e6, 1e6]]])
    shifted = EmployerAnomalyModel(n_estimators=20).fit(extreme)
    common = values[:100]
    assert np.abs(shifted.deviations(common) - model.deviations(common)).max() < 0.1
    assert shifted.deviations(extreme[-1:]).min() > 1e5


def test_only_a_clear_outlier_scores_one() -> None:
    """Noise has a most unusual point too; it is no clear outlier and scores below 1."""
    noise = np.random.default_rng(3).normal(size=(300, 5))
    assert EmployerAnomalyModel(n_estimators=100).fit(noise).anomaly_score(noise).max() < 0.8
    with_one = np.vstack([noise, np.full((1, 5), 30.0)])
    model = EmployerAnomalyModel(n_estimators=100).fit(with_one)
    assert model.anomaly_score(with_one).max() == pytest.approx(1.0)


def test_one_pass_scores_and_flags_as_the_two_calls_do() -> None:
    """score_and_predict is anomaly_score and predict with one pass through the forest."""
    values = np.vstack([np.random.default_rng(4).normal(size=(200, 3)), np.full((2, 3), 9.0)])
    model = EmployerAnomalyModel(n_estimators=30).fit(values)
    scores, predicted = model.score_and_predict(values)
    assert np.array_equal(scores, model.anomaly_score(values))
    assert np.array_equal(predicted, model.predict(values))
    assert (predicted == -1).any() and (predicted == 1).any()


def test_unusual_employers_flagged_first_and_explained() -> None:
    employers = _employers(np.random.default_rng(5), typical=300, unusual=3)
    result = score_employers(employers, ModelSettings(n_estimators=100))
    assert result.companies == 303
    top = result.flagged.head(3)
    assert set(top["subject_key"]) == {"E0300", "E0301", "E0302"}
    assert top["anomaly"][0] == pytest.approx(1.0)
    assert ((result.flagged["anomaly"] >= 0) & (result.flagged["anomaly"] <= 1)).all()
    mediation = model_features()[MEDIATION]
    expected = f"异常用人单位 unusual employer: {lens_titles()[mediation.lens]}：{mediation.zh}偏高"
    assert top["reason"].str.starts_with(expected).all()
    # Ordered by score, then key: deterministic.
    assert result.flagged["anomaly"].is_sorted(descending=True)


def test_an_employer_unusual_through_one_lens_is_not_buried_by_the_other() -> None:
    """Far out on every closing feature (a mill) or on two arrival features only (a shell):
    each lens scores its own, so the shell is flagged as surely as the mill."""
    features = model_features()
    closing = [i for i, f in enumerate(features) if f.lens == "closing"]
    arrival = [i for i, f in enumerate(features) if f.lens == "arrival"]
    values = np.random.default_rng(7).normal(loc=1.0, scale=0.1, size=(306, len(features)))
    values[300:303, closing] = 25.0  # three mills
    values[303:306, arrival[1:3]] = 25.0  # three shells: two marks, the rest typical
    frame = pl.DataFrame(values, schema=[f.name for f in features], orient="row")
    keys = pl.Series("subject_key", [f"E{i:04d}" for i in range(306)])
    employers = EmployerFeatures(date(2026, 9, 30), features, frame.insert_column(0, keys))
    flagged = score_employers(employers, ModelSettings(n_estimators=100)).flagged
    top = flagged.head(6)
    assert set(top["subject_key"]) == {f"E{i:04d}" for i in range(300, 306)}
    titles = lens_titles()
    reasons = dict(zip(top["subject_key"], top["reason"], strict=True))
    assert all(titles["closing"] in reasons[f"E{i:04d}"] for i in range(300, 303))
    assert all(titles["arrival"] in reasons[f"E{i:04d}"] for i in range(303, 306))


def test_at_most_max_leads_and_nothing_from_too_few_employers() -> None:
    employers = _employers(np.random.default_rng(6), typical=300, unusual=3)
    assert score_employers(employers, ModelSettings(max_leads=2)).flagged.height == 2
    few = _employers(np.random.default_rng(6), typical=MIN_EMPLOYERS - 2, unusual=1)
    result = score_employers(few, ModelSettings())
    assert result.flagged.is_empty() and result.companies == MIN_EMPLOYERS - 1


def test_a_job_may_choose_an_optional_feature_and_not_an_unknown_one() -> None:
    defaults = [f.name for f in chosen_features(ModelSettings())]
    assert "reg_capital" not in defaults and "mediation_share" in defaults
    chosen = chosen_features(ModelSettings(features=["mediation_share", "reg_capital"]))
    assert [f.name for f in chosen] == ["mediation_share", "reg_capital"]
    with pytest.raises(ConfigError, match="no_such_feature"):
        chosen_features(ModelSettings(features=["no_such_feature"]))
