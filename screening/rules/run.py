"""Running rules over a database as of a date: which subjects each rule fires on, and its score."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from screening.features.library import FeatureLibrary
from screening.features.spec import SUBJECTS
from screening.features.views import build_views
from screening.rules.compile import Overrides, compile_subject
from screening.rules.load import LoadedRule
from screening.store import Store

HITS_SCHEMA = {
    "rule_id": pl.String,
    "subject": pl.String,
    "subject_key": pl.String,
    "score": pl.Float64,
}


def run_rules(
    store: Store,
    rules: list[LoadedRule],
    as_of: date,
    overrides: Overrides | None = None,
    features: FeatureLibrary | None = None,
) -> pl.DataFrame:
    """One row per (rule, subject) that fired, ordered by rule and subject key."""
    build_views(store.con, as_of, features)
    return fire(store.con, rules, overrides, features)


def fire(
    con: duckdb.DuckDBPyConnection,
    rules: list[LoadedRule],
    overrides: Overrides | None = None,
    features: FeatureLibrary | None = None,
) -> pl.DataFrame:
    """Like :func:`run_rules` over subject views already built on ``con`` (tuning runs one
    rule many times over the same views)."""
    hits: list[tuple[str, str, str, float]] = []
    for subject in SUBJECTS:
        query = compile_subject(subject, rules, overrides, features)
        if not query.rule_ids:
            continue
        for row in con.execute(query.sql, query.parameters).fetchall():
            key, flags = row[0], row[1:]
            for number, rule_id in enumerate(query.rule_ids):
                fired, score = flags[2 * number], flags[2 * number + 1]
                if fired:
                    hits.append((rule_id, subject, str(key), float(score)))
    return pl.DataFrame(hits, schema=HITS_SCHEMA, orient="row").sort("rule_id", "subject_key")
