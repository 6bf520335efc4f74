"""The anomaly model as a scikit-learn estimator: which employers' wage cases look like no
other's.

A :class:`~sklearn.pipeline.Pipeline` of median imputation, robust scaling and a seeded
IsolationForest. Robust scaling (median and interquartile range) keeps one extreme employer
from moving everybody else's scaled values; median imputation lets an employer with a
feature it cannot have (no closed case yet: no days to close) be scored on the others.

Importing scikit-learn costs about a second: import this module only where the model runs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import RobustScaler
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted, validate_data

# Isolation depth (-score_samples: 0.5 is an average point, 1 one isolated at once) of a
# clear outlier. Where the most unusual employer is shallower — a population, or a lens of
# the model, without a real outlier — its top employer scores below 1 (noise in 5 features
# of 300 employers reaches about 0.6; the generated worlds' mills and shells 0.8).
CLEAR_OUTLIER_DEPTH = 0.7


class EmployerAnomalyModel(OutlierMixin, BaseEstimator):
    """Isolation-forest outlier model over per-employer features.

    >>> model = EmployerAnomalyModel(n_estimators=50, random_state=0).fit(features)
    >>> model.anomaly_score(features)   # 0 at the outlier threshold, 1 for the most unusual
    >>> model.predict(features)         # -1 outlier, 1 inlier (scikit-learn's convention)
    """

    def __init__(
        self,
        n_estimators: int = 200,
        contamination: float | Literal["auto"] = "auto",
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a feature an employer cannot have yet is missing
        return tags

    def fit(self, X: np.ndarray, y: object = None) -> EmployerAnomalyModel:
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        self.pipeline_ = Pipeline(
            [
                # keep_empty_features: a feature no employer has stays a (constant) column,
                # so the columns keep their meaning for the explanations.
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", RobustScaler()),
                (
                    "forest",
                    IsolationForest(
                        n_estimators=self.n_estimators,
                        contamination=self.contamination,
                        random_state=self.random_state,
                    ),
                ),
            ]
        ).fit(X)
        forest: IsolationForest = self.pipeline_.named_steps["forest"]
        self.typical_ = self.pipeline_.named_steps["impute"].statistics_  # per-feature medians
        # decision_function = score_samples - offset_, negative for outliers (as the forest's).
        self.offset_ = forest.offset_
        # The most unusual employer seen in fitting, in isolation depth (-score_samples).
        self.most_unusual_ = float(np.max(-self.pipeline_.score_samples(X)))
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """scikit-learn's convention: the lower, the more abnormal."""
        checked = self._checked(X)
        return np.asarray(self.pipeline_.score_samples(checked))

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Negative for outliers, positive for inliers (scikit-learn's convention)."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """-1 for an outlier, 1 for an inlier."""
        return self._predictions(self.score_samples(X))

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        """0 at the outlier threshold, 1 for the most unusual employer seen in fitting —
        if that one is a clear outlier; if not, nobody reaches 1.

        A weight on this score means the same thing in every world, and a borderline
        outlier scores far below a blatant one (a rank would give every outlier nearly 1).
        """
        return self._anomaly_scores(self.score_samples(X))

    def score_and_predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`anomaly_score` and :meth:`predict` from one pass through the forest,
        which is most of either's cost."""
        samples = self.score_samples(X)
        return self._anomaly_scores(samples), self._predictions(samples)

    def _predictions(self, samples: np.ndarray) -> np.ndarray:
        return np.where(samples - self.offset_ < 0, -1, 1)

    def _anomaly_scores(self, samples: np.ndarray) -> np.ndarray:
        depth, threshold = -samples, -self.offset_
        span = max(self.most_unusual_, CLEAR_OUTLIER_DEPTH) - threshold
        span = max(span, 1e-9)
        return np.clip((depth - threshold) / span, 0.0, 1.0)

    def deviations(self, X: np.ndarray) -> np.ndarray:
        """Each feature's distance from the typical employer in interquartile ranges
        (signed), after imputation: what the explanations rank features by."""
        checked = self._checked(X)
        return np.asarray(self.pipeline_[:-1].transform(checked))

    def imputed(self, X: np.ndarray) -> np.ndarray:
        """The feature values the forest saw: missing values replaced by the typical one."""
        checked = self._checked(X)
        return np.asarray(self.pipeline_.named_steps["impute"].transform(checked))

    def _checked(self, X: np.ndarray) -> np.ndarray:
        """``X`` as float, with as many features as in fitting (NaN allowed)."""
        check_is_fitted(self)
        return validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
