"""Leads: one per subject and outcome, whatever number of rules fired on it, ranked.

A lead's score is the sum of its contributions: each rule's weight times the band that
held, times the job's rule weight; and, for an employer the model flags, the anomaly
score (0–1, by rank) times the job's anomaly weight. The amount at stake and the workers
affected break ties, then the lead id. A guard rule (outcome ``suppress``, e.g. FAKE-CLAIM)
removes every other lead on its subject. Lead ids derive from the subject and the
outcome, so a lead keeps its id from run to run and a reviewer's decision can follow it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import polars as pl
from sqlglot import exp

from screening.backend import Backend, backend_of
from screening.config import RankingSettings
from screening.features.library import view_table
from screening.features.spec import SUBJECTS, Subject
from screening.gazetteer import load_gazetteer
from screening.rules.load import LoadedRule

SUPPRESS = "suppress"
SCORE_DECIMALS = 4
ANOMALY = "ANOMALY"  # the anomaly model's contribution, beside the rules' ids
ANOMALY_OUTCOME = "administrative_supervision"  # an unusual employer: for the labour inspectors
# What is at stake per subject, from its view: name, amount in yuan, workers affected, and
# where: a district's name (projects) or the 6-digit area code of the employer's registration.
KEY_COLUMNS = ("subject", "subject_key")
STAKE_COLUMNS = ("subject_key", "subject_name", "amount", "workers", "district", "area")


def _stakes_query(subject: Subject) -> exp.Select:
    """subject, then STAKE_COLUMNS, of every subject of one kind (the view ``s``)."""
    view = exp.to_table(view_table(subject)).as_("s")
    place = exp.column("place", table="e")
    none = exp.cast(exp.null(), exp.DataType.build("VARCHAR"))
    no_workers = exp.cast(exp.null(), exp.DataType.build("BIGINT"))
    values: tuple[exp.Expr, ...]
    if subject == "award":
        values = (exp.column("respondent_name", table="s"), exp.column("award_amount", table="s"))
        values += (exp.cast(exp.Literal.number(1), exp.DataType.build("BIGINT")), none, place)
        entity = exp.column("respondent_id", table="s")
    elif subject == "project":
        values = (exp.column("project_name", table="s"), exp.column("contract_amount", table="s"))
        values += (no_workers, exp.column("district", table="s"), none)
        entity = None
    else:
        values = (exp.column("name", table="s"), exp.column("unpaid_award_total", table="s"))
        values += (exp.column("unpaid_workers", table="s"), none, place)
        entity = exp.column("entity_id", table="s")
    query = exp.select(
        exp.Literal.string(subject).as_("subject"),
        exp.column("subject_key", table="s"),
        *(value.as_(column) for value, column in zip(values, STAKE_COLUMNS[1:], strict=True)),
    ).from_(view)
    if entity is not None:
        query = query.join(
            exp.to_table("entities").as_("e"),
            on=exp.column("entity_id", table="e").eq(entity),
            join_type="left",
        )
    return query


@dataclass(frozen=True)
class Ranked:
    leads: pl.DataFrame  # lead_id, rank, subject, subject_key, subject_name, outcome, score, …
    contributions: pl.DataFrame  # lead_id, source (rule id), score
    suppressed: int  # leads a guard removed
    silenced: int  # rule hits left out by a reviewer's suppression


def lead_id(subject: str, subject_key: str, outcome: str) -> str:
    digest = hashlib.blake2b(f"{subject}|{subject_key}|{outcome}".encode(), digest_size=6)
    return f"L-{digest.hexdigest()}"


def rank_leads(
    target: Backend | duckdb.DuckDBPyConnection,
    hits: pl.DataFrame,
    rules: list[LoadedRule],
    anomalies: pl.DataFrame | None = None,
    *,
    settings: RankingSettings | None = None,
    silenced: pl.DataFrame | None = None,
) -> Ranked:
    """Leads from the rules' hits (:func:`rules.run.run_rules`) and the anomaly model's
    flagged employers (subject_key, anomaly 0–1, reason), less the hits a reviewer
    silenced (rule_id, subject, subject_key); the subject views must be built on ``target``
    (run_rules builds them)."""
    settings = settings or RankingSettings()
    by_id = {loaded.rule.id: loaded.rule for loaded in rules}
    weights = {i: settings.rule_weight * settings.rule_weights.get(i, 1.0) for i in by_id}
    hits = hits.with_columns(
        pl.col("rule_id").replace_strict({i: r.outcome for i, r in by_id.items()}).alias("outcome"),
        pl.col("rule_id").replace_strict({i: r.title.zh for i, r in by_id.items()}).alias("reason"),
        pl.col("score") * pl.col("rule_id").replace_strict(weights, return_dtype=pl.Float64),
    )
    if anomalies is not None and not anomalies.is_empty():
        hits = pl.concat(
            [
                hits,
                anomalies.select(
                    pl.lit(ANOMALY).alias("rule_id"),
                    pl.lit("company").alias("subject"),
                    "subject_key",
                    (pl.col("anomaly") * settings.anomaly_weight).alias("score"),
                    pl.lit(ANOMALY_OUTCOME).alias("outcome"),
                    "reason",
                ),
            ]
        )
    silenced_hits = 0
    if silenced is not None and not silenced.is_empty():
        before = hits.height
        hits = hits.join(silenced, on=["rule_id", "subject", "subject_key"], how="anti")
        silenced_hits = before - hits.height
    # Four decimals are all a reader needs, and a long float can look like a phone number.
    kept, suppressed = guard(hits.with_columns(pl.col("score").round(SCORE_DECIMALS)))
    leads = (
        kept.sort("rule_id")
        .group_by("lead_id", "subject", "subject_key", "outcome", maintain_order=True)
        .agg(
            pl.col("score").sum(),
            pl.col("rule_id").str.join(",").alias("rules"),
            pl.col("reason").str.join("；"),
        )
        .filter(pl.col("score") >= settings.min_score)
        .join(_stakes(backend_of(target), kept), on=["subject", "subject_key"], how="left")
        .sort(
            ["score", "amount", "workers", "lead_id"],
            descending=[True, True, True, False],
            nulls_last=True,
        )
        .with_row_index("rank", offset=1)
    )
    contributions = kept.join(leads.select("lead_id"), on="lead_id").select(
        "lead_id", pl.col("rule_id").alias("source"), "score"
    )
    return Ranked(leads, contributions.sort("lead_id", "source"), suppressed, silenced_hits)


def guard(hits: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The hits (with their ``outcome``) that make leads, each with its lead id: a guard
    rule's hit removes every other hit on its subject. Also how many hits it removed."""
    guarded = hits.filter(pl.col("outcome") == SUPPRESS).select("subject", "subject_key")
    candidates = hits.filter(pl.col("outcome") != SUPPRESS)
    kept = candidates.join(guarded, on=["subject", "subject_key"], how="anti").with_columns(
        pl.struct("subject", "subject_key", "outcome")
        .map_elements(
            lambda row: lead_id(row["subject"], row["subject_key"], row["outcome"]),
            return_dtype=pl.String,
        )
        .alias("lead_id")
    )
    return kept, candidates.height - kept.height


def _stakes(backend: Backend, hits: pl.DataFrame) -> pl.DataFrame:
    """Name, amount and workers of each subject with a hit (amounts stay DECIMAL)."""
    union = exp.union(*(_stakes_query(subject) for subject in SUBJECTS), distinct=False)
    query = (
        exp.select(*(exp.column(c, table="s") for c in ("subject", *STAKE_COLUMNS)))
        .from_(union.subquery("s"))
        .join(
            exp.to_table("hit_subjects").as_("h"),
            on=exp.and_(
                *(exp.column(c, table="h").eq(exp.column(c, table="s")) for c in KEY_COLUMNS)
            ),
        )
    )
    backend.register("hit_subjects", hits.select(*KEY_COLUMNS).unique())
    try:
        frame = backend.fetch(query)
    finally:
        backend.unregister("hit_subjects")
    names = {place.code: place.name for place in load_gazetteer().places()}
    return frame.with_columns(
        pl.col("workers").cast(pl.Int64),
        pl.coalesce("district", pl.col("area").replace_strict(names, default=None)),
    ).drop("area")
