"""Byte-for-byte reproducible CSV and XLSX files.

xlsx files are zip archives with timestamps and document properties inside; both are
pinned so the same seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from screening.synth.render import Cell, Table

# Document properties are pinned: a creation time of "now" would change every file.
FIXED_CREATED = datetime(2026, 1, 1, 0, 0, 0)


def write_table(table: Table, extracts: Path) -> Path:
    path = extracts / table.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        _write_xlsx(table, path)
    else:
        _write_csv(table, path)
    return path


def _write_csv(table: Table, path: Path) -> None:
    buffer = io.StringIO(newline="")
    # Agencies' systems export Windows line endings.
    writer = csv.writer(buffer, lineterminator="\r\n")
    if table.title:
        writer.writerow([table.title])
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if cell is None else _text(cell) for cell in row])
    path.write_bytes(buffer.getvalue().encode(table.encoding))


def _text(cell: Cell) -> str:
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        return f"{cell:.2f}"
    return str(cell)


def _write_xlsx(table: Table, path: Path) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"created": FIXED_CREATED, "author": "screening synth"})
    sheet = workbook.add_worksheet(Path(table.path).stem.split("_")[0][:31])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    row_number = 0
    if table.title:
        sheet.write_string(row_number, 0, table.title)
        row_number += 1
    for column, header in enumerate(table.headers):
        sheet.write_string(row_number, column, header)
    for row in table.rows:
        row_number += 1
        for column, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            if isinstance(cell, date):
                sheet.write_datetime(
                    row_number, column, datetime(cell.year, cell.month, cell.day), date_format
                )
            elif isinstance(cell, int | float):
                sheet.write_number(row_number, column, cell)
            else:
                sheet.write_string(row_number, column, cell)
    workbook.close()
