"""The bench's naive baseline (bench/baseline.py) on the sample world: it finds leads for
most patterns, in the truth's keys, and scores like ``screening evaluate``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from sample_job import SAMPLE

from screening.evaluate import TOP_K, planted_truth

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from baseline import PATTERNS, baseline_leads, score_baseline

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def leads(sample_db: Path) -> pl.DataFrame:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        return baseline_leads(con, AS_OF)


def test_leads_for_most_patterns_in_the_truths_keys(leads: pl.DataFrame) -> None:
    assert leads["rank"].to_list() == list(range(1, leads.height + 1))
    assert leads.select("subject_key", "outcome").is_unique().all()
    planted = {
        (row["subject_key"], row["outcome_type"]): row["pattern"]
        for row in planted_truth(SAMPLE)
        if row["role"] == "lead"
    }
    found_by_pattern = {
        pattern
        for key, outcome, rules in leads.select("subject_key", "outcome", "rules").iter_rows()
        for pattern in rules
        if planted.get((key, outcome)) == pattern
    }
    # each of these patterns found at least one of its own planted leads, keyed as the
    # truth keys it (project number, case number, USCC)
    assert len(found_by_pattern) >= 5, found_by_pattern
    assert found_by_pattern <= PATTERNS.keys()
    ranked = leads.select("points", "amount").rows()
    assert ranked == sorted(ranked, key=lambda r: (-r[0], -(r[1] or 0)))


def test_scored_like_evaluate(leads: pl.DataFrame) -> None:
    scores = score_baseline(leads, SAMPLE)
    assert scores.leads == leads.height
    assert set(scores.precision_at) == set(TOP_K)
    assert all(0 <= p <= 1 for p in scores.precision_at.values())
    assert 0 < scores.recall < 1  # no anomaly model: the anomaly plants stay unfound
    assert scores.recall_by_pattern["ANOMALY-MEDIATION-MILL"][0] == 0
    assert set(scores.precision_by_rule) <= PATTERNS.keys()
    assert sum(found for found, _ in scores.recall_by_pattern.values()) > 0
    # the truth folder works as well as the world's
    assert score_baseline(leads, SAMPLE / "truth") == scores


def test_columns_a_dialect_lacks_are_tolerated(sample_db: Path, leads: pl.DataFrame) -> None:
    """All-NULL columns (a dialect without them) change what is found, never break it."""
    blanked = {
        "projects": ["project_status", "permit_no"],
        "deposits": ["permit_no", "notice_start", "guarantee_valid_until"],
        "arbitrations": ["project_text", "respondent_uscc", "effective_date", "remark"],
        "enforcements": ["basis", "respondent_code_kind"],
        "registry": ["dereg_reason", "reg_capital"],
    }
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{sample_db}' AS sample (READ_ONLY)")
        for table in ("registry", "projects", "deposits", "arbitrations", "enforcements"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM sample.{table}")
            for column in blanked.get(table, []):
                con.execute(f"UPDATE {table} SET {column} = NULL")
        blank = baseline_leads(con, AS_OF)
    assert blank.height > 0
    assert blank.schema == leads.schema
    assert score_baseline(blank, SAMPLE).leads == blank.height
