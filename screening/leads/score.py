"""Scoring: from resolved data to ranked leads with their evidence — the one path the job
and ``screening tune`` share.

A :class:`Scorer` builds the subject views as of a date once, runs the anomaly model once,
and then fires any set of rules and ranks any set of hits the same way (guards, weights,
minimum score, reviewers' suppressions). The job fires every rule once; tuning fires one
rule again per parameter value and ranks each value's hits beside the other rules'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from screening.backend import Backend, DuckDBBackend
from screening.config import JobConfig
from screening.features.coverage import Coverage, feature_coverage, rule_coverage
from screening.features.library import FeatureLibrary
from screening.features.views import build_views
from screening.leads.evidence import evidence_fingerprints, evidence_rows
from screening.leads.rank import ANOMALY, Ranked, rank_leads
from screening.model.anomaly import EVIDENCE as ANOMALY_EVIDENCE
from screening.model.anomaly import AnomalyResult, score_employers
from screening.model.features import chosen_features, employer_features
from screening.rules.compile import Overrides
from screening.rules.load import LoadedRule
from screening.rules.run import fire


@dataclass(frozen=True)
class Scored:
    hits: pl.DataFrame  # rule_id, subject, subject_key, score: every rule hit
    model: AnomalyResult | None
    ranked: Ranked
    evidence: pl.DataFrame  # lead_id, source_table, source_file, source_row
    fingerprints: pl.DataFrame  # lead_id, evidence_hash
    coverage: list[Coverage]  # each rule and anomaly feature: live, partial or dead


class Scorer:
    """The views and the model as of ``as_of``, ready to fire and rank rules: on ``con``
    (the store's DuckDB connection), or on ``views`` (another engine's backend, which
    reads the same tables)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        config: JobConfig,
        rules: list[LoadedRule],
        as_of: date,
        *,
        silenced: pl.DataFrame | None = None,
        features: FeatureLibrary | None = None,
        views: Backend | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.con, self.config, self.rules, self.as_of = con, config, rules, as_of
        self.silenced = silenced
        self.features = features
        # The engine of the SQL stages; ``con`` keeps the canonical tables either way.
        self.views = views or DuckDBBackend(con)
        build_views(self.views, as_of, features, progress)
        self.model: AnomalyResult | None = None

    def fire(self, rules: Sequence[LoadedRule], overrides: Overrides | None = None) -> pl.DataFrame:
        """Which subjects ``rules`` fire on, with the job's parameter overrides unless
        others are given."""
        chosen = dict(self.config.parameters) if overrides is None else overrides
        return fire(self.views, list(rules), chosen, self.features)

    def run_model(self) -> AnomalyResult | None:
        if self.model is None and self.config.model.enabled:
            employers = employer_features(self.views, self.as_of, self.config.model)
            self.model = score_employers(employers, self.config.model, self.views.map_rows)
        return self.model

    def rank(self, hits: pl.DataFrame) -> Ranked:
        model = self.run_model()
        return rank_leads(
            self.views,
            hits,
            self.rules,
            model.flagged if model is not None else None,
            settings=self.config.ranking,
            silenced=self.silenced,
        )

    def coverage(self, hits: pl.DataFrame) -> list[Coverage]:
        """Which rules and anomaly features the data feeds (:mod:`screening.features.coverage`)."""
        fired = dict(hits.group_by("rule_id").len().iter_rows())
        found = rule_coverage(self.con, self.rules, fired, self.features)
        if self.config.model.enabled:
            names = [f.name for f in chosen_features(self.config.model)]
            found += feature_coverage(self.con, names, self.features, views=self.views)
        return found

    def evidence(self, ranked: Ranked) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The source rows behind each lead and the fingerprint of their contents."""
        tables: dict[str, Sequence[str]] = {ANOMALY: ANOMALY_EVIDENCE}
        tables |= {loaded.rule.id: loaded.rule.evidence for loaded in self.rules}
        evidence = evidence_rows(self.views, ranked.leads, tables, self.features)
        return evidence, evidence_fingerprints(self.con, evidence)
