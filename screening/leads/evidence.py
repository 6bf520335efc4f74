"""The source rows behind a lead: file and row of every record a rule's evidence names.

Each subject's YAML (``features/subjects/``) says where the evidence of each source table
comes from: the subject's own record or one of its relations. A lead gets the rows of the
tables its rules ask for, so a prosecutor can open the exact line of the exact extract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import polars as pl
from sqlglot import exp

from screening.backend import Backend, backend_of
from screening.features.compile import evidence_query
from screening.features.library import FeatureLibrary, library


def evidence_queries(features: FeatureLibrary | None = None) -> dict[tuple[str, str], exp.Select]:
    """(subject, table) -> query giving (subject_key, source_file, source_row): the rows
    each subject's ``evidence`` entry names (its own record, or a relation's rows)."""
    features = features or library()
    return {
        (name, table): evidence_query(subject, source)
        for name, subject in features.subjects.items()
        for table, source in subject.spec.evidence.items()
    }


def evidence_rows(
    target: Backend | duckdb.DuckDBPyConnection,
    leads: pl.DataFrame,
    tables: Mapping[str, Sequence[str]],
    features: FeatureLibrary | None = None,
) -> pl.DataFrame:
    """(lead_id, source_table, source_file, source_row) for every lead, in a stable order;
    ``tables`` names the evidence tables of each contribution (a rule id, ANOMALY)."""
    backend = backend_of(target)
    wanted = leads.select(
        "lead_id",
        "subject",
        "subject_key",
        pl.col("rules")
        .str.split(",")
        .map_elements(
            lambda ids: sorted({t for i in ids for t in tables[i]}),
            return_dtype=pl.List(pl.String),
        )
        .alias("source_table"),
    ).explode("source_table")
    frames = []
    for (subject, table), rows in evidence_queries(features).items():
        needed = wanted.filter(subject=subject, source_table=table)
        if needed.is_empty():
            continue
        query = (
            exp.select(
                exp.column("lead_id", table="n"),
                exp.Literal.string(table).as_("source_table"),
                *(exp.column(c, table="e") for c in ("source_file", "source_row")),
            )
            .from_(rows.subquery("e"))
            .join(
                exp.to_table("needed").as_("n"),
                on=exp.column("subject_key", table="n").eq(exp.column("subject_key", table="e")),
            )
        )
        backend.register("needed", needed.select("lead_id", "subject_key"))
        try:
            frames.append(backend.fetch(query))
        finally:
            backend.unregister("needed")
    schema = pl.Schema(
        {
            "lead_id": pl.String(),
            "source_table": pl.String(),
            "source_file": pl.String(),
            "source_row": pl.Int32(),
        }
    )
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.cast(schema) for f in frames]).unique().sort(schema.names())


SOURCE_TABLES = ("registry", "projects", "deposits", "arbitrations", "enforcements")
# What locates a record, not what it says: left out of its content hash, so a re-delivered
# extract with the same records under another file name changes no fingerprint.
_LOCATION = "source_file, source_row, duplicate_of_row"
_KEY = ("source_table", "source_file", "source_row")


def evidence_fingerprints(con: duckdb.DuckDBPyConnection, evidence: pl.DataFrame) -> pl.DataFrame:
    """(lead_id, evidence_hash): a hash of the contents of every record behind each lead.

    A reviewer's dismissal holds while the fingerprint does; a new, changed or vanished
    record changes it and re-opens the lead (see ``screening.review``)."""
    contents = " UNION ALL ".join(
        f"""SELECT '{table}' AS source_table, source_file, source_row,
                   md5(to_json(struct_pack(*COLUMNS(* EXCLUDE ({_LOCATION}))))) AS content
            FROM {table}
            WHERE (source_file, source_row) IN (
                SELECT (source_file, source_row) FROM lead_rows WHERE source_table = '{table}')"""
        for table in SOURCE_TABLES
    )
    con.register("lead_rows", evidence.select("lead_id", *_KEY).to_arrow())
    try:
        frame = pl.from_arrow(
            con.sql(
                f"""SELECT e.lead_id,
                           md5(string_agg(c.source_table || ':' || c.content, ','
                                          ORDER BY c.source_table, c.content)) AS evidence_hash
                    FROM lead_rows e JOIN ({contents}) c USING ({", ".join(_KEY)})
                    GROUP BY e.lead_id ORDER BY e.lead_id"""
            ).to_arrow_table()
        )
    finally:
        con.unregister("lead_rows")
    assert isinstance(frame, pl.DataFrame)
    return frame
