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


@dataclass(frozen=True)
class ModelFeature:
    name: str
    sql: str  # an aggregate over one employer's wage cases (f_awards a, f_award_enforcement e)
    zh: str
    en: str


FEATURES = (
    ModelFeature("cases", "count(*)", "劳动争议案件数", "wage cases"),
    ModelFeature(
        "mediation_share",
        "avg((a.close_method = '调解')::DOUBLE)",
        "调解结案占比",
        "share closed by mediation",
    ),
    ModelFeature(
        # Settling for a fraction of what is owed is what sets a mediation mill apart from
        # an employer whose disputes end amicably and in full.
        "low_mediation_share",
        "avg(coalesce(a.close_method = '调解' AND a.award_amount < 0.5 * a.claim_amount,"
        " false)::DOUBLE)",
        "调解金额不足请求半数占比",
        "share mediated for under half the claim",
    ),
    ModelFeature(
        "recovery_rate",
        "median(a.award_amount / a.claim_amount) FILTER (WHERE a.claim_amount > 0)",
        "获赔金额占请求比例",
        "share of the claim obtained",
    ),
    ModelFeature(
        "days_to_close",
        "median(date_diff('day', a.filed_date, a.closed_date))",
        "结案天数中位数",
        "median days from filing to closing",
    ),
    ModelFeature(
        "days_founding_to_first_claim",
        "date_diff('day', any_value(c.founded), min(a.filed_date))",
        "成立至首宗仲裁天数",
        "days from founding to the first claim",
    ),
    ModelFeature(
        "enforced_share",
        "avg((coalesce(e.enforcements, 0) > 0)::DOUBLE)",
        "申请强制执行占比",
        "share of cases taken to enforcement",
    ),
    ModelFeature(
        "claims_per_worker",
        "count(*) / count(DISTINCT a.applicant_hash)",
        "人均案件数",
        "cases per worker",
    ),
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
    return [f for f in FEATURES if settings.features is None or f.name in settings.features]


def _feature_frame(
    con: duckdb.DuckDBPyConnection, features: list[ModelFeature], min_cases: int
) -> pl.DataFrame:
    columns = ", ".join(f"{f.sql} AS {f.name}" for f in features)
    frame = pl.from_arrow(
        con.sql(
            f"""SELECT c.subject_key, {columns}
                FROM f_awards a JOIN subject_company c ON c.entity_id = a.respondent_id
                LEFT JOIN f_award_enforcement e USING (case_no)
                WHERE a.wage_claim AND NOT c.is_person AND a.closed_date IS NOT NULL
                GROUP BY c.subject_key HAVING count(*) >= ?
                ORDER BY c.subject_key""",
            params=[min_cases],
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
