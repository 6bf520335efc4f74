"""The sample world's personal numbers, to prove none reaches what a person sees.

Every cell of the sample extracts that is a valid ID number or a mobile number is
collected from the raw files (not from the database, which stores them masked), so a scan
of a notebook, report or workbook for them can only pass if masking worked.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import openpyxl

from screening.identifiers import is_valid_id_number, is_valid_uscc

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
MOBILE = re.compile(r"1[3-9]\d{9}")
CSV_ENCODINGS = {"enforcement": "gbk", "projects": "gbk", "deposits": "utf-8"}


@cache
def sample_personal_numbers() -> frozenset[str]:
    """ID numbers and mobile numbers typed anywhere in the sample extracts."""
    found: set[str] = set()
    for cell in _cells(SAMPLE / "extracts"):
        text = cell.strip().upper()
        # A company's USCC can pass the ID checksum by chance; it is public, not personal.
        person = len(text) == 18 and is_valid_id_number(text) and not is_valid_uscc(text)
        if person or MOBILE.fullmatch(text):
            found.add(text)
    return frozenset(found)


def unmasked_in(text: str) -> list[str]:
    """The sample's personal numbers that appear in ``text`` as they were typed."""
    return sorted(number for number in sample_personal_numbers() if number in text.upper())


def _cells(folder: Path) -> list[str]:
    cells: list[str] = []
    for path in sorted(folder.rglob("*.xlsx")):
        for sheet in openpyxl.load_workbook(path, read_only=True).worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [str(value) for value in row if value is not None]
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding=CSV_ENCODINGS[path.parent.name], newline="") as handle:
            for row in csv.reader(handle):
                cells += row
    return cells
