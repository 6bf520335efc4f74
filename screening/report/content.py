"""What a report shows, gathered once from the database for both the HTML and the workbook.

The leads worth a dossier are the top ones overall and the top few of every outcome, so
each kind of case reaches a supervisor even when one kind dominates the ranking. Values
are formatted here, once, for people: amounts with thousands separators, flags in words,
and for each lead, how the company names in its records were linked to companies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from screening import dossier
from screening.ingest.canonical import TABLES, Kind
from screening.rules.model import OUTCOME_TITLES
from screening.store import RunRecord, Store

# Records shown per source table in a lead's dossier; the workbook lists them all.
RECORDS_SHOWN = 10
# Identifiers kept on one line, so a masked number reads as one: 440606********3400.
WHOLE = {Kind.ID_NUMBER, Kind.PHONE, Kind.PARTY_CODE, Kind.USCC}


@dataclass(frozen=True)
class Cell:
    text: str
    style: str = ""  # "num" (right-aligned), "date" or "code" (kept on one line)


@dataclass(frozen=True)
class RecordTable:
    """A lead's records from one source table, as rows of cells."""

    title: str  # the source table's title, e.g. 劳动仲裁 Labour arbitration
    headers: list[str]
    rows: list[list[Cell]]  # the first cell of each row: source file and row
    more: int  # records left out (see RECORDS_SHOWN)


@dataclass(frozen=True)
class LeadView:
    """One lead's dossier as the report shows it."""

    lead: dict[str, Any]  # the row of dossier.run_leads
    outcome: str
    subject: str
    change: str
    contributions: list[dict[str, Any]]  # source, title, score, share
    records: list[RecordTable]
    # How the company names in the records were linked, least certain first: name,
    # entity_name, entity_id, method (in words), confidence, records.
    links: list[dict[str, Any]]


@dataclass(frozen=True)
class ReportContent:
    run: RunRecord
    inputs: pl.DataFrame  # dossier.run_inputs
    leads: pl.DataFrame  # dossier.run_leads: every lead of the run
    counts: pl.DataFrame  # dossier.outcome_counts
    top: pl.DataFrame  # the first leads by rank
    by_outcome: list[tuple[str, pl.DataFrame]]  # (outcome title, its first leads)
    contributions: pl.DataFrame  # dossier.run_contributions of the top leads
    dossiers: list[LeadView]  # every lead shown above, in rank order
    evidence: pl.DataFrame  # every lead's records: rank, lead_id, source_table, file, row


def gather(store: Store, run_id: str | None, *, top: int, per_outcome: int) -> ReportContent:
    """Read what the report of run ``run_id`` (default: the latest published) shows."""
    run = dossier.published_run(store, run_id)
    con = store.con
    leads = dossier.run_leads(con, run.run_id)
    first = leads.head(top)
    by_outcome = []
    for outcome, title in OUTCOME_TITLES.items():
        firsts = leads.filter(outcome=outcome).head(per_outcome)
        if not firsts.is_empty():
            by_outcome.append((title, firsts))
    shown = pl.concat([first, *(frame for _, frame in by_outcome)]).unique(
        "lead_id", maintain_order=True
    )
    contributions = dossier.run_contributions(con, run.run_id, dossier.rule_titles())
    records = dossier.evidence_records(con, run.run_id)
    links = dossier.entity_links(con, run.run_id).filter(kind="company")
    return ReportContent(
        run=run,
        inputs=dossier.run_inputs(con, run.run_id),
        leads=leads,
        counts=dossier.outcome_counts(leads),
        top=first,
        by_outcome=by_outcome,
        contributions=contributions.filter(pl.col("lead_id").is_in(first["lead_id"].implode())),
        dossiers=[
            _lead_view(lead, contributions, records, links)
            for lead in shown.sort("rank").iter_rows(named=True)
        ],
        evidence=_evidence_index(leads, records),
    )


def _lead_view(
    lead: dict[str, Any],
    contributions: pl.DataFrame,
    records: dict[str, pl.DataFrame],
    links: pl.DataFrame,
) -> LeadView:
    tables = []
    for table, frame in records.items():
        mine = frame.filter(lead_id=lead["lead_id"])
        if mine.is_empty():
            continue
        shown = mine.head(RECORDS_SHOWN)
        # Columns no shown record fills are left out: the table stays readable.
        fields = [f for f in dossier.FIELDS[table] if shown[f].null_count() < shown.height]
        rows = [
            [
                Cell(f"{record['source_file']}\n第 {record['source_row']} 行 row"),
                *(_cell(record[field], TABLES[table].columns[field]) for field in fields),
            ]
            for record in shown.iter_rows(named=True)
        ]
        tables.append(
            RecordTable(
                title=TABLES[table].title,
                headers=["来源 source", *(dossier.FIELD_TITLES[field] for field in fields)],
                rows=rows,
                more=max(0, mine.height - RECORDS_SHOWN),
            )
        )
    return LeadView(
        lead=lead,
        outcome=OUTCOME_TITLES.get(lead["outcome"], lead["outcome"]),
        subject=dossier.SUBJECT_TITLES.get(lead["subject"], lead["subject"]),
        change=dossier.CHANGE_TITLES.get(lead["change"], lead["change"]),
        contributions=contributions.filter(lead_id=lead["lead_id"])
        .select("source", "title", "score", "share")
        .to_dicts(),
        records=tables,
        links=links.filter(lead_id=lead["lead_id"])
        .group_by("name", "entity_name", "entity_id", "method", "confidence")
        .len("records")
        .with_columns(pl.col("method").replace(dossier.METHOD_TITLES))
        .sort("confidence", "name", "entity_id", "method")
        .to_dicts(),
    )


def _cell(value: object, kind: Kind) -> Cell:
    if kind in WHOLE:
        return Cell(str(value or ""), style="code")
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell("是 yes" if value else "否 no")
    if isinstance(value, Decimal | float):
        return Cell(f"{value:,.2f}", style="num")
    if isinstance(value, int):
        return Cell(f"{value:,}", style="num")
    if isinstance(value, date):
        return Cell(value.isoformat(), style="date")
    return Cell(str(value))


def _evidence_index(leads: pl.DataFrame, records: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every lead's records by rank: rank, lead_id, outcome, source_table, file, row."""
    columns = ["lead_id", "source_table", "source_file", "source_row"]
    listed = [
        frame.select("lead_id", pl.lit(table).alias("source_table"), "source_file", "source_row")
        for table, frame in records.items()
    ]
    empty = pl.DataFrame(schema={**dict.fromkeys(columns, pl.String), "source_row": pl.Int32})
    every = pl.concat(listed) if listed else empty
    return (
        leads.select("rank", "lead_id", "outcome")
        .join(every, on="lead_id")
        .sort("rank", "source_table", "source_file", "source_row")
    )
