"""Byte-for-byte reproducible CSV and XLSX files (see :mod:`screening.synth.xlsx`)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from screening.synth.render import Cell, Table
from screening.synth.xlsx import write_xlsx


def write_table(table: Table, extracts: Path, rows: Iterable[list[Cell]] | None = None) -> Path:
    """Write ``table`` under ``extracts``; ``rows`` (default: the table's) may be streamed."""
    path = extracts / table.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        _write_xlsx(table, path, table.rows if rows is None else rows)
    else:
        _write_csv(table, path, table.rows if rows is None else rows)
    return path


def _write_csv(table: Table, path: Path, rows: Iterable[list[Cell]]) -> None:
    # Written as it goes: a whole province file held as one string would cost gigabytes.
    with path.open("w", encoding=table.encoding, newline="") as file:
        # Agencies' systems export Windows line endings.
        writer = csv.writer(file, lineterminator="\r\n")
        if table.title:
            writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows(
            [cell if type(cell) is str else _text(cell) for cell in row] for row in rows
        )


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        return f"{cell:.2f}"
    return str(cell)


def _write_xlsx(table: Table, path: Path, rows: Iterable[list[Cell]]) -> None:
    head: list[list[Cell]] = [[table.title]] if table.title else []
    head.append(list(table.headers))
    sheet_name = (table.sheet or Path(table.path).stem.split("_")[0])[:31]
    write_xlsx(path, sheet_name, itertools.chain(head, rows))
