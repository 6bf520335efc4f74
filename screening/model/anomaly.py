"""The anomaly model: employers whose wage cases look like no other's, which no rule names.

Per company with enough wage cases, a handful of documented features (how its cases end,
how much workers recover, how fast, how soon after founding …) are robust-scaled and scored
by an IsolationForest (seeded). Each flagged company is explained by the features that set
it furthest from the typical employer, in words an analyst reads. The subject views must
be built on the connection (``rules.run.run_rules`` builds them).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from screening.config import ModelSettings
from screening.features.compile import DIALECT
from screening.features.library import library


@dataclass(frozen=True)
class ModelFeature:
    name: str  # a column of the company view (features/subjects/company.yaml)
    zh: str
    en: str


def model_features() -> tuple[ModelFeature, ...]:
    """The company features the model reads (``anomaly.features`` of the company subject)."""
    company = library().subjects["company"]
    assert company.spec.anomaly is not None
    return tuple(
        ModelFeature(name, company.feature(name).spec.zh, company.feature(name).spec.en)
        for name in company.spec.anomaly.features
    )


HIGH, LOW = "偏高", "偏低"
EVIDENCE = ("arbitrations",)  # a flagged employer's wage cases


@dataclass(frozen=True)
class AnomalyResult:
    flagged: pl.DataFrame  # subject_key, anomaly (0–1), reason
    companies: int  # employers scored
    features: tuple[str, ...]


def score_employers(con: duckdb.DuckDBPyConnection, settings: ModelSettings) -> AnomalyResult:
    """Score every employer with at least ``settings.min_cases`` wage cases; flag outliers."""
    from sklearn.ensemble import IsolationForest  # ~1 s to import: only when the model runs

    chosen = chosen_features(settings)
    frame = _feature_frame(con, chosen, settings.min_cases)
    empty = pl.DataFrame(
        schema={"subject_key": pl.String, "anomaly": pl.Float64, "reason": pl.String}
    )
    if frame.height < 10:  # too few employers to say what is unusual
        return AnomalyResult(empty, frame.height, tuple(f.name for f in chosen))
    values = frame.select(f.name for f in chosen).to_numpy().astype(float)
    median = np.nanmedian(values, axis=0)
    values = np.where(np.isnan(values), median, values)
    spread = np.subtract(*np.percentile(values, [75, 25], axis=0))
    spread[spread == 0] = 1.0
    scaled = (values - median) / spread  # robust scaling: one extreme employer moves nothing
    forest = IsolationForest(
        n_estimators=settings.n_estimators,
        contamination=settings.contamination,
        random_state=settings.random_state,
    ).fit(scaled)
    raw = -forest.score_samples(scaled)  # higher: easier to isolate, more unusual
    outlier = forest.predict(scaled) == -1
    # 0 at the forest's outlier threshold, 1 for the most unusual employer: the weight in
    # the job config means the same thing in every world, and a borderline outlier scores
    # far below a blatant one (a rank would give every flagged employer nearly 1).
    threshold = -forest.offset_
    anomaly = np.clip((raw - threshold) / max(raw.max() - threshold, 1e-9), 0.0, 1.0)
    reasons = [_reason(row, values[i], median, chosen) for i, row in enumerate(scaled)]
    scored = frame.select("subject_key").with_columns(
        pl.Series("anomaly", anomaly), pl.Series("reason", reasons), pl.Series("outlier", outlier)
    )
    flagged = (
        scored.filter("outlier")
        .sort(["anomaly", "subject_key"], descending=[True, False])
        .head(settings.max_leads)
        .drop("outlier")
    )
    return AnomalyResult(flagged, frame.height, tuple(f.name for f in chosen))


def chosen_features(settings: ModelSettings) -> list[ModelFeature]:
    """The features the settings ask for: all unless a subset is named."""
    return [f for f in model_features() if settings.features is None or f.name in settings.features]


def _feature_frame(
    con: duckdb.DuckDBPyConnection, features: list[ModelFeature], min_cases: int
) -> pl.DataFrame:
    """The population's features from the company view, one row per company."""
    company = library().subjects["company"]
    assert company.anomaly_population is not None
    population = company.anomaly_population.sql(dialect=DIALECT)
    columns = ", ".join(f.name for f in features)
    frame = pl.from_arrow(
        con.sql(
            f"""SELECT subject_key, {columns} FROM subject_company
                WHERE {population} ORDER BY subject_key""",
            params={"min_cases": min_cases},
        ).to_arrow_table()
    )
    assert isinstance(frame, pl.DataFrame)
    return frame


def _reason(
    scaled: np.ndarray, values: np.ndarray, median: np.ndarray, features: list[ModelFeature]
) -> str:
    """The three features furthest from the typical employer, in words:
    调解结案占比偏高（0.97，常见0.40）."""
    order = np.argsort(-np.abs(scaled))[:3]
    parts = [
        f"{features[i].zh}{HIGH if scaled[i] > 0 else LOW}（{values[i]:.2f}，常见{median[i]:.2f}）"
        for i in order
    ]
    return "异常用人单位 unusual employer: " + "；".join(parts)
