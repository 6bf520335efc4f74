"""Where company and person names occur in the canonical tables: the mentions to resolve.

Each mention is one name cell of one row (table, file, row, role), with the evidence the
row carries beside it: a valid USCC, the keyed hash of a person's ID number, and a place
the row is tied to (the court's district, the project's district, the arbitration
committee's: :mod:`screening.committees`).
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.committees import committee_sql


@dataclass(frozen=True)
class MentionSource:
    table: str
    role: str  # the name column
    uscc: str  # SQL for a valid USCC, or NULL
    person_hash: str  # SQL for the keyed hash of a valid ID number, or NULL
    context: str  # SQL for the text of a place the row is tied to, or NULL


def _uscc(column: str) -> str:
    return f"CASE WHEN {column}_status = 'valid' THEN {column} END"


def _party(column: str, kind: str) -> str:
    """A party code of one kind (uscc / id_number); for a person, its keyed hash."""
    value = f"{column}_hash" if kind == "id_number" else column
    return f"CASE WHEN {column}_kind = '{kind}' AND {column}_status = 'valid' THEN {value} END"


MENTION_SOURCES = (
    MentionSource("registry", "company_name", _uscc("uscc"), "NULL", "address"),
    MentionSource("projects", "client_name", _uscc("client_uscc"), "NULL", "district"),
    MentionSource("projects", "contractor_name", _uscc("contractor_uscc"), "NULL", "district"),
    MentionSource("deposits", "contractor_name", _uscc("contractor_uscc"), "NULL", "NULL"),
    MentionSource(
        "arbitrations",
        "respondent_name",
        _uscc("respondent_uscc"),
        "NULL",
        committee_sql("case_no"),
    ),
    MentionSource(
        "enforcements",
        "applicant_name",
        _party("applicant_code", "uscc"),
        _party("applicant_code", "id_number"),
        "court",
    ),
    MentionSource(
        "enforcements",
        "respondent_name",
        _party("respondent_code", "uscc"),
        _party("respondent_code", "id_number"),
        "court",
    ),
)
# One row per mention: the name cells are the table's, and (file, row, role) tell them apart.
MENTION_ORDER = "source_table, source_file, source_row, role"


def mentions_sql() -> str:
    """SQL for every non-empty name cell of the canonical tables (unordered: see
    MENTION_ORDER). Kept a query, not a table: at province scale a copy of the mentions
    costs GBs, and reading the canonical tables again costs about a second."""
    return " UNION ALL ".join(
        f"""SELECT '{source.table}' AS source_table, source_file, source_row,
                   '{source.role}' AS role, {source.role} AS name, {source.uscc} AS uscc,
                   {source.person_hash} AS person_hash, {source.context} AS context
            FROM {source.table} WHERE {source.role} IS NOT NULL"""
        for source in MENTION_SOURCES
    )
