"""A run's leads written beside the previous run's: new or persisting, and those gone.

A lead keeps its id from run to run (:func:`screening.leads.rank.lead_id`), so each run's
list is compared with the last published one; a run whose scoring was reused publishes the
previous leads again, all persisting.
"""

from __future__ import annotations

import json

import duckdb
import polars as pl

from screening.features.coverage import Coverage
from screening.leads.score import Scored
from screening.store import insert_frame


def publish_leads(
    con: duckdb.DuckDBPyConnection, run_id: str, previous: str | None, scored: Scored
) -> None:
    """Write the run's leads (new or persisting beside the previous run), their
    contributions, evidence rows and the counts behind them."""
    ranked = scored.ranked
    leads = ranked.leads.join(scored.fingerprints, on="lead_id", how="left").with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.when(pl.col("lead_id").is_in(lead_ids(con, previous)))
        .then(pl.lit("persisting"))
        .otherwise(pl.lit("new"))
        .alias("change"),
    )
    insert_frame(con, "leads", leads)
    insert_frame(
        con, "lead_contributions", ranked.contributions.with_columns(run_id=pl.lit(run_id))
    )
    insert_frame(con, "lead_evidence", scored.evidence.with_columns(run_id=pl.lit(run_id)))
    counts = {"suppressed": ranked.suppressed, "silenced": ranked.silenced}
    coverage = [item.to_dict() for item in scored.coverage]
    con.execute(
        "UPDATE runs SET counts = ?, coverage = ? WHERE run_id = ?",
        [json.dumps(counts), json.dumps(coverage, ensure_ascii=False), run_id],
    )


def copy_leads(con: duckdb.DuckDBPyConnection, previous: str | None, run_id: str) -> None:
    """Publish the previous run's leads again: same inputs, same leads, all persisting."""
    for table in ("leads", "lead_contributions", "lead_evidence"):
        change = ", 'persisting' AS change" if table == "leads" else ""
        con.execute(
            f"""INSERT INTO {table} BY NAME
                SELECT * REPLACE (? AS run_id{change}) FROM {table} WHERE run_id = ?""",
            [run_id, previous],
        )
    con.execute(
        """UPDATE runs SET counts = p.counts, coverage = p.coverage
           FROM (SELECT counts, coverage FROM runs WHERE run_id = ?) p WHERE run_id = ?""",
        [previous, run_id],
    )


def lead_ids(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[str]:
    rows = con.execute("SELECT lead_id FROM leads WHERE run_id = ?", [run_id]).fetchall()
    return [lead for (lead,) in rows]


def gone_leads(con: duckdb.DuckDBPyConnection, previous: str | None, run_id: str) -> int:
    """How many of the previous run's leads this run no longer has."""
    return len(set(lead_ids(con, previous)) - set(lead_ids(con, run_id)))


def scoring_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    row = con.execute("SELECT counts FROM runs WHERE run_id = ?", [run_id]).fetchall()
    return json.loads(row[0][0]) if row and row[0][0] else {}


def run_coverage(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Coverage]:
    """The coverage a published run recorded (empty for runs before it was recorded)."""
    row = con.execute("SELECT coverage FROM runs WHERE run_id = ?", [run_id]).fetchall()
    if not row or not row[0][0]:
        return []
    return [
        Coverage(**{**item, "missing": tuple(item["missing"])}) for item in json.loads(row[0][0])
    ]
