"""The source rows behind a lead: file and row of every record a rule's evidence names.

For each subject and source table, SQL that lists the rows tied to a subject (built on the
subject views' temporary tables). A lead gets the rows of the tables its rules ask for, so
a prosecutor can open the exact line of the exact extract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import polars as pl

# (subject, table) -> SQL giving (subject_key, source_file, source_row).
ROWS: dict[tuple[str, str], str] = {
    ("award", "arbitrations"): "SELECT case_no, source_file, source_row FROM f_awards",
    ("award", "enforcements"): (
        "SELECT award_case_no, source_file, source_row FROM f_enforcements_by_award"
    ),
    ("award", "projects"): """SELECT a.case_no, p.source_file, p.source_row
        FROM f_award_project a JOIN f_projects p USING (project_no)""",
    ("award", "registry"): """SELECT a.case_no, r.source_file, r.source_row
        FROM f_awards a JOIN registry r ON 'C-' || r.uscc = a.respondent_id
        WHERE r.duplicate_of_row IS NULL""",
    ("project", "projects"): "SELECT project_no, source_file, source_row FROM f_projects",
    ("project", "deposits"): "SELECT project_no, source_file, source_row FROM f_deposits",
    ("project", "arbitrations"): (
        "SELECT project_no, source_file, source_row FROM f_awards_by_project"
    ),
    ("company", "arbitrations"): """SELECT c.subject_key, a.source_file, a.source_row
        FROM subject_company c JOIN f_awards a ON a.respondent_id = c.entity_id""",
    ("company", "enforcements"): """SELECT c.subject_key, e.source_file, e.source_row
        FROM subject_company c JOIN f_enforcements e ON e.respondent_id = c.entity_id""",
    ("company", "projects"): """SELECT c.subject_key, p.source_file, p.source_row
        FROM subject_company c JOIN f_projects p ON p.contractor_id = c.entity_id""",
    ("company", "deposits"): """SELECT c.subject_key, d.source_file, d.source_row
        FROM subject_company c JOIN f_deposits d ON d.contractor_id = c.entity_id""",
    ("company", "registry"): """SELECT c.subject_key, r.source_file, r.source_row
        FROM subject_company c JOIN registry r ON r.uscc = c.subject_key
        WHERE r.duplicate_of_row IS NULL""",
}


def evidence_rows(
    con: duckdb.DuckDBPyConnection, leads: pl.DataFrame, tables: Mapping[str, Sequence[str]]
) -> pl.DataFrame:
    """(lead_id, source_table, source_file, source_row) for every lead, in a stable order;
    ``tables`` names the evidence tables of each contribution (a rule id, ANOMALY)."""
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
    for (subject, table), sql in ROWS.items():
        needed = wanted.filter(subject=subject, source_table=table)
        if needed.is_empty():
            continue
        con.register("needed", needed.select("lead_id", "subject_key").to_arrow())
        frame = pl.from_arrow(
            con.sql(
                f"""SELECT n.lead_id, '{table}' AS source_table, e.source_file, e.source_row
                    FROM ({sql}) e(subject_key, source_file, source_row)
                    JOIN needed n USING (subject_key)"""
            ).to_arrow_table()
        )
        con.unregister("needed")
        assert isinstance(frame, pl.DataFrame)
        frames.append(frame)
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
