"""The anomaly model's run: employers whose wage cases look like no other's, which no rule
names, each explained in words an analyst reads.

:func:`score_employers` fits :class:`~screening.model.estimator.EmployerAnomalyModel` on the
population's features (:func:`screening.model.features.employer_features`) and turns its
outliers into contributions: a 0–1 score and the three features that set the employer
furthest from the typical one (调解结案占比偏高（0.97，常见0.40）…).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.config import ModelSettings
from screening.model.features import EmployerFeatures, ModelFeature

HIGH, LOW = "偏高", "偏低"
EVIDENCE = ("arbitrations",)  # a flagged employer's wage cases
MIN_EMPLOYERS = 10  # with fewer, nothing is "unusual": there is no typical employer


@dataclass(frozen=True)
class AnomalyResult:
    flagged: pl.DataFrame  # subject_key, anomaly (0–1), reason
    companies: int  # employers scored
    features: tuple[str, ...]


def score_employers(employers: EmployerFeatures, settings: ModelSettings) -> AnomalyResult:
    """Fit the model on the employers and flag its outliers, at most ``settings.max_leads``."""
    names = tuple(f.name for f in employers.features)
    frame = employers.frame
    if frame.height < MIN_EMPLOYERS:
        empty = pl.DataFrame(
            schema={"subject_key": pl.String, "anomaly": pl.Float64, "reason": pl.String}
        )
        return AnomalyResult(empty, frame.height, names)
    from screening.model.estimator import EmployerAnomalyModel  # scikit-learn: ~1 s to import

    values = employers.matrix().to_numpy().astype(float)
    model = EmployerAnomalyModel(
        n_estimators=settings.n_estimators,
        contamination=settings.contamination,
        random_state=settings.random_state,
    ).fit(values)
    imputed, deviations = model.imputed(values), model.deviations(values)
    reasons = [
        _reason(deviations[i], imputed[i], model.typical_, employers.features)
        for i in range(frame.height)
    ]
    scored = frame.select("subject_key").with_columns(
        pl.Series("anomaly", model.anomaly_score(values)),
        pl.Series("reason", reasons),
        pl.Series("outlier", model.predict(values) == -1),
    )
    flagged = (
        scored.filter("outlier")
        .sort(["anomaly", "subject_key"], descending=[True, False])
        .head(settings.max_leads)
        .drop("outlier")
    )
    return AnomalyResult(flagged, frame.height, names)


def _reason(
    deviations: np.ndarray,
    values: np.ndarray,
    typical: np.ndarray,
    features: tuple[ModelFeature, ...],
) -> str:
    """The three features furthest from the typical employer, in words:
    调解结案占比偏高（0.97，常见0.40）."""
    order = np.argsort(-np.abs(deviations))[:3]
    parts = [
        f"{features[i].zh}{HIGH if deviations[i] > 0 else LOW}"
        f"（{values[i]:.2f}，常见{typical[i]:.2f}）"
        for i in order
    ]
    return "异常用人单位 unusual employer: " + "；".join(parts)
