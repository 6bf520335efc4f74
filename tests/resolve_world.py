"""Small resolver worlds on real DuckDB files: a registry, enforcement rows naming
companies, and the links a resolve gives them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from screening.resolve.link import resolve
from screening.store import Store

CITY_COURT = "佛山市中级人民法院"


def registry_world(
    tmp_path: Path,
    registry: list[tuple[str, str, str]],
    enforcement: list[tuple[str, str | None, str | None]],
    courts: dict[int, str] | None = None,
) -> Path:
    """A database with ``registry`` (name, USCC, address) and enforcement rows (respondent,
    USCC, ID number), numbered from 2, each heard by the city's court unless ``courts``
    names another for its row."""
    db = tmp_path / "names.duckdb"
    with Store.open(db) as store:
        for row, (name, uscc, address) in enumerate(registry, start=2):
            store.con.execute(
                """INSERT INTO registry (company_name, uscc, uscc_status, address,
                   source_file, source_row) VALUES (?, ?, 'valid', ?, 'r.xlsx', ?)""",
                [name, uscc, address, row],
            )
        for row, (name, uscc, id_hash) in enumerate(enforcement, start=2):
            kind = "uscc" if uscc else "id_number" if id_hash else None
            store.con.execute(
                """INSERT INTO enforcements (case_no, court, respondent_name, respondent_code,
                   respondent_code_kind, respondent_code_status, respondent_code_hash,
                   source_file, source_row)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'e.csv', ?)""",
                [
                    f"(2024)粤06执{row}号",
                    (courts or {}).get(row, CITY_COURT),
                    name,
                    uscc or ("id" if id_hash else None),
                    kind,
                    "valid" if kind else "missing",
                    id_hash,
                    row,
                ],
            )
    return db


def add_arbitrations(db: Path, respondent: str, case_numbers: list[str]) -> None:
    """Arbitration cases against ``respondent``, one per case number, numbered from 2."""
    with Store.open(db) as store:
        for row, case_no in enumerate(case_numbers, start=2):
            store.con.execute(
                """INSERT INTO arbitrations (case_no, respondent_name, source_file, source_row)
                   VALUES (?, ?, 'a.xlsx', ?)""",
                [case_no, respondent, row],
            )


def enforcement_links(db: Path) -> dict[int, tuple[str, str]]:
    """Each enforcement row's (entity, method)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT source_row, entity_id, method FROM mentions
               WHERE source_table = 'enforcements' ORDER BY source_row"""
        ).fetchall()
    return {row: (entity, method) for row, entity, method in rows}


def enforcement_confidences(db: Path) -> dict[int, float]:
    """Each enforcement row's link confidence."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT source_row, confidence FROM mentions WHERE source_table = 'enforcements'"
        ).fetchall()
    return dict(rows)


def resolved_links(db: Path) -> dict[int, tuple[str, str]]:
    """Resolve ``db``, then :func:`enforcement_links`."""
    with Store.open(db) as store:
        resolve(store)
    return enforcement_links(db)
