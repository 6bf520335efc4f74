"""The anomaly model's run: employers whose wage cases look like no other's, which no rule
names, each explained in words an analyst reads.

:func:`score_employers` fits one :class:`~screening.model.estimator.EmployerAnomalyModel`
per lens (how an employer's cases close; how its claims arrive) on the population's
features (:func:`screening.model.features.employer_features`). An employer is an outlier
when it is one through any lens, and scores what its most unusual lens gives it: an
isolation forest over every feature at once lets the employer unusual on many features
(a mediation mill: five closing marks) bury the one unusual on a few (a shell: its cases
all open, none closed to measure), since a feature on which an employer is typical only
lengthens its isolation path. Each outlier becomes a contribution: a 0–1 score and the
three features of that lens that set it furthest from the typical employer
(结案方式：调解结案占比偏高（0.97，常见0.40）…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from screening.config import ModelSettings
from screening.model.features import EmployerFeatures, ModelFeature, lens_titles

if TYPE_CHECKING:
    from screening.model.estimator import EmployerAnomalyModel

HIGH, LOW = "偏高", "偏低"
EVIDENCE = ("arbitrations",)  # a flagged employer's wage cases
MIN_EMPLOYERS = 10  # with fewer, nothing is "unusual": there is no typical employer
# Applies a per-row function (frame in, one row out per row in) to a frame's rows.
RowMap = Callable[[pl.DataFrame, Callable[[pl.DataFrame], pl.DataFrame], pl.Schema], pl.DataFrame]


def _here(
    rows: pl.DataFrame, work: Callable[[pl.DataFrame], pl.DataFrame], _schema: pl.Schema
) -> pl.DataFrame:
    return work(rows)


@dataclass(frozen=True)
class AnomalyResult:
    flagged: pl.DataFrame  # subject_key, anomaly (0–1), reason
    companies: int  # employers scored
    features: tuple[str, ...]


def score_employers(
    employers: EmployerFeatures, settings: ModelSettings, map_rows: RowMap | None = None
) -> AnomalyResult:
    """Fit the model on the employers and flag its outliers, at most ``settings.max_leads``.

    The model is fit here, on every employer (as the embedded engine does: a sample would
    give other scores); ``map_rows`` scores them (default: here, all at once;
    :meth:`Backend.map_rows <screening.backend.base.Backend.map_rows>` on Spark's executors).
    """
    names = tuple(f.name for f in employers.features)
    frame = employers.frame
    if frame.height < MIN_EMPLOYERS:
        empty = pl.DataFrame(
            schema={"subject_key": pl.String, "anomaly": pl.Float64, "reason": pl.String}
        )
        return AnomalyResult(empty, frame.height, names)
    titles = lens_titles()
    lenses = [
        _score_lens(
            employers,
            [f for f in employers.features if f.lens == name],
            title,
            settings,
            map_rows or _here,
        )
        for name, title in titles.items()
        if any(f.lens == name for f in employers.features)
    ]
    # Each lens scores 0 at its outlier threshold and 1 for its most unusual employer, so
    # that the lenses rank alike: on one depth scale, the lens with fewer features isolates
    # its outliers sooner and would push the other lens's out of the list (measured: 40 of
    # 40 shells and 8–30 of 40 mills in the top 100). The lens that finds the employer most
    # unusual speaks for it (the first, on a tie).
    scores = np.column_stack([lens.scores for lens in lenses])
    best = np.argmax(scores, axis=1)
    rows = np.arange(frame.height)
    scored = frame.select("subject_key").with_columns(
        pl.Series("anomaly", scores[rows, best]),
        pl.Series("reason", [lenses[lens].reasons[i] for i, lens in enumerate(best)]),
        pl.Series("outlier", np.column_stack([lens.outliers for lens in lenses]).any(axis=1)),
    )
    flagged = (
        scored.filter("outlier")
        .sort(["anomaly", "subject_key"], descending=[True, False])
        .head(settings.max_leads)
        .drop("outlier")
    )
    return AnomalyResult(flagged, frame.height, names)


@dataclass(frozen=True)
class _LensScores:
    scores: np.ndarray  # 0–1 per employer: 0 at the lens's threshold, 1 its most unusual
    outliers: np.ndarray  # bool per employer
    reasons: list[str]


# What scoring a lens gives each employer (:func:`_lens_rows`).
LENS_ROWS = pl.Schema({"anomaly": pl.Float64, "outlier": pl.Boolean, "reason": pl.String})


def _score_lens(
    employers: EmployerFeatures,
    features: list[ModelFeature],
    title: str,
    settings: ModelSettings,
    map_rows: RowMap,
) -> _LensScores:
    """Fit the model on one lens's features, then score and explain each employer by them
    through ``map_rows`` (on Spark: on its executors, the fitted model sent to each)."""
    from screening.model.estimator import EmployerAnomalyModel  # scikit-learn: ~1 s to import

    values = employers.frame.select(f.name for f in features).to_numpy().astype(float)
    model = EmployerAnomalyModel(
        n_estimators=settings.n_estimators,
        contamination=settings.contamination,
        random_state=settings.random_state,
    ).fit(values)
    # The values as fitted, bit for bit, whichever engine scores them.
    rows = pl.DataFrame(values, schema=[f.name for f in features], orient="row")
    scored = map_rows(rows, partial(_lens_rows, model, tuple(features), title), LENS_ROWS)
    return _LensScores(
        scored["anomaly"].to_numpy(), scored["outlier"].to_numpy(), scored["reason"].to_list()
    )


def _lens_rows(
    model: EmployerAnomalyModel,
    features: tuple[ModelFeature, ...],
    title: str,
    rows: pl.DataFrame,
) -> pl.DataFrame:
    """Each employer's score, whether it is an outlier, and why, by one fitted lens; a row
    depends on that employer's values only, so rows can be scored in any batches."""
    values = rows.to_numpy().astype(float)
    imputed, deviations = model.imputed(values), model.deviations(values)
    # Each row's features, furthest from the typical employer first: one sort of all rows
    # (the same order as each row's own argsort) rather than one call per employer.
    furthest = np.argsort(-np.abs(deviations), axis=1)[:, :3]
    reasons = [
        f"异常用人单位 unusual employer: {title}："
        + _reason(furthest[i], deviations[i], imputed[i], model.typical_, features)
        for i in range(len(values))
    ]
    anomaly, predicted = model.score_and_predict(values)
    return pl.DataFrame(
        {"anomaly": anomaly, "outlier": predicted == -1, "reason": reasons},
        schema=LENS_ROWS,
    )


def _reason(
    furthest: np.ndarray,
    deviations: np.ndarray,
    values: np.ndarray,
    typical: np.ndarray,
    features: tuple[ModelFeature, ...],
) -> str:
    """The ``furthest`` features (those furthest from the typical employer), in words:
    调解结案占比偏高（0.97，常见0.40）."""
    parts = [
        f"{features[i].zh}{HIGH if deviations[i] > 0 else LOW}"
        f"（{values[i]:.2f}，常见{typical[i]:.2f}）"
        for i in furthest
    ]
    return "；".join(parts)
