"""The canonical tables: the contract between ingest and every later stage.

Each source maps onto one table with English snake_case columns of a fixed kind. The
kind decides how a raw cell is cleaned and typed (see :mod:`screening.ingest.parse`) and
which extra columns it produces: an identifier keeps its check status beside it, a worker's
ID number is stored only masked plus a keyed hash. Every row also carries ``source_file``,
``source_row`` (the row a person sees in Excel or an editor) and ``duplicate_of_row``.

Store migration 3 created the tables from the SQL :func:`canonical_ddl` produced then,
frozen as text in ``screening/store/schema/0003_ingest.sql``: changing a table here needs a
new migration there (``tests/test_store_schema.py`` fails until the two agree again).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # free text: NFKC, trimmed, inner whitespace runs collapsed
    NAME = "name"  # a company or person name as typed (cleaned like text)
    CODE = "code"  # case, permit and project numbers: NFKC, all whitespace removed
    USCC = "uscc"  # + <column>_status: valid | invalid | missing (never corrected)
    ID_NUMBER = "id_number"  # masked; + <column>_hash, <column>_status
    PARTY_CODE = "party_code"  # a USCC or an ID number: + _kind, _status, _hash
    PHONE = "phone"  # masked
    DATE = "date"
    AMOUNT = "amount"  # yuan as DECIMAL(18,2); the manifest may give the unit 万元
    RATE = "rate"  # a fraction: 2% and 0.02 both become 0.02
    FLAG = "flag"  # 是/否 → true/false
    INTEGER = "integer"


SQL_TYPES = {
    Kind.DATE: "DATE",
    Kind.AMOUNT: "DECIMAL(18,2)",
    Kind.RATE: "DECIMAL(9,6)",
    Kind.FLAG: "BOOLEAN",
    Kind.INTEGER: "BIGINT",
}
# Extra columns each kind adds after its own, as (suffix, SQL type).
COMPANION_COLUMNS = {
    Kind.USCC: (("status", "VARCHAR"),),
    Kind.ID_NUMBER: (("hash", "VARCHAR"), ("status", "VARCHAR")),
    Kind.PARTY_CODE: (("kind", "VARCHAR"), ("hash", "VARCHAR"), ("status", "VARCHAR")),
}
PROVENANCE_COLUMNS = (
    ("source_file", "VARCHAR NOT NULL"),
    ("source_row", "INTEGER NOT NULL"),
    ("duplicate_of_row", "INTEGER"),  # an exact copy of that earlier row of the same file
)


@dataclass(frozen=True)
class CanonicalTable:
    name: str
    title: str  # what analysts read: Chinese first, English beside it
    columns: dict[str, Kind]

    def sql_columns(self) -> list[tuple[str, str]]:
        """(column, SQL type) in table order, companions after their column."""
        result: list[tuple[str, str]] = []
        for column, kind in self.columns.items():
            result.append((column, SQL_TYPES.get(kind, "VARCHAR")))
            result.extend(
                (f"{column}_{suffix}", sql) for suffix, sql in COMPANION_COLUMNS.get(kind, ())
            )
        return result


K = Kind
TABLES = {
    table.name: table
    for table in (
        CanonicalTable(
            "registry",
            "企业登记 Company registry",
            {
                "company_name": K.NAME,
                "uscc": K.USCC,
                "legal_rep": K.NAME,
                "company_type": K.TEXT,
                "reg_status": K.TEXT,
                "status_date": K.DATE,
                "dereg_reason": K.TEXT,
                "reg_capital": K.AMOUNT,
                "paid_capital": K.AMOUNT,
                "founded": K.DATE,
                "address": K.TEXT,
            },
        ),
        CanonicalTable(
            "projects",
            "施工项目 Construction projects",
            {
                "project_no": K.CODE,
                "project_name": K.NAME,
                "permit_no": K.CODE,
                "client_name": K.NAME,
                "client_uscc": K.USCC,
                "contractor_name": K.NAME,
                "contractor_uscc": K.USCC,
                "contract_amount": K.AMOUNT,
                "permit_date": K.DATE,
                "start_date": K.DATE,
                "completion_date": K.DATE,
                "project_status": K.TEXT,
                "district": K.TEXT,
            },
        ),
        CanonicalTable(
            "deposits",
            "工资保证金 Wage-guarantee deposits",
            {
                "project_name": K.NAME,
                "permit_no": K.CODE,
                "contractor_name": K.NAME,
                "contractor_uscc": K.USCC,
                "contract_amount": K.AMOUNT,
                "deposit_rate": K.RATE,
                "required_amount": K.AMOUNT,
                "actual_amount": K.AMOUNT,
                "method": K.TEXT,
                "guarantee_valid_until": K.DATE,
                "deposit_date": K.DATE,
                "used_amount": K.AMOUNT,
                "used_date": K.DATE,
                "refund_applied_date": K.DATE,
                "notice_start": K.DATE,
                "notice_end": K.DATE,
                "refund_date": K.DATE,
                "remark": K.TEXT,
            },
        ),
        CanonicalTable(
            "arbitrations",
            "劳动仲裁 Labour arbitration",
            {
                "case_no": K.CODE,
                "applicant_name": K.NAME,
                "applicant_id": K.ID_NUMBER,
                "applicant_phone": K.PHONE,
                "respondent_name": K.NAME,
                "respondent_uscc": K.USCC,
                "project_text": K.TEXT,
                "cause": K.TEXT,
                "claim_amount": K.AMOUNT,
                "award_amount": K.AMOUNT,
                "filed_date": K.DATE,
                "closed_date": K.DATE,
                "close_method": K.TEXT,
                "final_award": K.FLAG,
                "effective_date": K.DATE,
                "remark": K.TEXT,
            },
        ),
        CanonicalTable(
            "enforcements",
            "法院执行 Court enforcement",
            {
                "case_no": K.CODE,
                "court": K.NAME,
                "applicant_name": K.NAME,
                "applicant_code": K.PARTY_CODE,
                "respondent_name": K.NAME,
                "respondent_code": K.PARTY_CODE,
                "basis": K.CODE,
                "cause": K.TEXT,
                "filed_date": K.DATE,
                "closed_date": K.DATE,
                "close_method": K.TEXT,
                "target_amount": K.AMOUNT,
                "executed_amount": K.AMOUNT,
                "unpaid_amount": K.AMOUNT,
                "dishonest": K.FLAG,
                "remark": K.TEXT,
            },
        ),
    )
}


def canonical_ddl() -> list[str]:
    """CREATE TABLE statements for the canonical tables."""
    statements = []
    for table in TABLES.values():
        columns = [*table.sql_columns(), *PROVENANCE_COLUMNS]
        body = ",\n    ".join(f"{name} {sql}" for name, sql in columns)
        statements.append(f"CREATE TABLE {table.name} (\n    {body}\n)")
    return statements
