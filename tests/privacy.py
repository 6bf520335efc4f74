"""The sample world's personal numbers, to prove none reaches what a person sees.

Every cell of the sample's wage-case and court extracts that is a valid ID number or a
mobile number is collected from the raw files (not from the database, which stores them
masked), so a scan of a notebook, report or workbook for them can only pass if masking
worked. Ingest keeps free text as typed, so :func:`plant_in_top_lead` also types an ID and
a phone number into a remark behind the top lead: only display masking can hide those.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import duckdb
import openpyxl
from sample_job import CSV_ENCODINGS, SAMPLE

from screening.identifiers import ID_NUMBER_PATTERN, PHONE_PATTERN, is_valid_id_number

MOBILE = re.compile(r"1[3-9]\d{9}")


# Typed into a remark by plant_in_top_lead.
PLANTED_ID, PLANTED_PHONE = "440607199001011234", "13812345678"
PERSON_SOURCES = ("arbitration", "enforcement")  # extract folders with workers' numbers
COMPANY_SOURCES = ("registry", "projects", "deposits")  # company codes only


@cache
def sample_personal_numbers() -> frozenset[str]:
    """ID numbers and mobile numbers typed in the sample's wage-case and court extracts,
    and the planted two."""
    found = {PLANTED_ID, PLANTED_PHONE}
    for cell in _cells(*PERSON_SOURCES):
        text = cell.strip().upper()
        if (len(text) == 18 and is_valid_id_number(text)) or MOBILE.fullmatch(text):
            found.add(text)
    # A company's USCC can pass the ID checksum by chance; it is public, not personal.
    return frozenset(found - {cell.strip().upper() for cell in _cells(*COMPANY_SOURCES)})


def unmasked_in(text: str) -> list[str]:
    """The sample's personal numbers that appear in ``text`` as they were typed."""
    return sorted(number for number in sample_personal_numbers() if number in text.upper())


def unmasked_numbers(text: str, public: set[str]) -> list[str]:
    """ID- and mobile-shaped numbers in ``text``, but for the ``public`` record numbers."""
    found = set(ID_NUMBER_PATTERN.findall(text)) | set(PHONE_PATTERN.findall(text))
    return sorted(found - public)


def public_numbers(database: Path) -> set[str]:
    """Record numbers shown as typed that can have an ID number's shape: building permits
    (region, date, sequence) and company codes."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """SELECT permit_no FROM projects UNION SELECT permit_no FROM deposits
               UNION SELECT uscc FROM registry UNION SELECT contractor_uscc FROM projects
               UNION SELECT client_uscc FROM projects UNION SELECT contractor_uscc FROM deposits
               UNION SELECT respondent_uscc FROM arbitrations"""
        ).fetchall()
    return {number for (number,) in rows if number}


def plant_in_top_lead(database: Path) -> str:
    """Type PLANTED_ID and PLANTED_PHONE into the remark of the first wage case behind the
    best-ranked lead that has one; returns that lead's id."""
    with duckdb.connect(str(database)) as con:
        ((lead, file, row),) = con.execute(
            """SELECT lead_id, source_file, source_row FROM lead_evidence
               JOIN leads USING (run_id, lead_id) WHERE source_table = 'arbitrations'
               ORDER BY rank, source_file, source_row LIMIT 1"""
        ).fetchall()
        con.execute(
            """UPDATE arbitrations SET remark = '申请人身份证' || ? || '，电话' || ?
               WHERE source_file = ? AND source_row = ?""",
            [PLANTED_ID, PLANTED_PHONE, file, row],
        )
    return str(lead)


def _cells(*sources: str) -> list[str]:
    cells: list[str] = []
    for folder in (SAMPLE / "extracts" / source for source in sources):
        for path in sorted(folder.glob("*.xlsx")):
            for sheet in openpyxl.load_workbook(path, read_only=True).worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells += [str(value) for value in row if value is not None]
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding=CSV_ENCODINGS[folder.name], newline="") as handle:
                for row in csv.reader(handle):
                    cells += row
    return cells
