"""Leads written out for people and other tools: Parquet, CSV or Excel, by the file's suffix.

Excel gets Chinese headers (English beside them) for dispatch; Parquet and CSV keep the
column names other tools expect. ID and phone numbers that a name or reason may carry are
masked in every format.

Names and remarks come from agencies' extracts, so a cell may start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return: a spreadsheet would run it as a formula
(``=HYPERLINK(…)``, ``=cmd|…``; "CSV injection"). In a workbook every text is written as a
text cell, unchanged, marked quote-prefixed so that editing it in Excel keeps it text
(:func:`append_row`); characters XML cannot hold are replaced by U+FFFD. A CSV has no
types, so — as OWASP advises — a text cell starting with one of those characters gets a
leading single quote, which Excel and LibreOffice show as text (:func:`csv_safe`); numbers
are left as they are. Parquet is typed and read by programs: unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from screening.errors import ConfigError
from screening.identifiers import mask_personal_numbers

HEADERS = {
    "rank": "排名 rank",
    "lead_id": "线索编号 lead id",
    "outcome": "线索类型 outcome",
    "subject": "对象类型 subject",
    "subject_key": "对象标识 subject key",
    "subject_name": "名称 name",
    "district": "区县 district",
    "score": "得分 score",
    "amount": "涉及金额（元）amount (yuan)",
    "workers": "涉及劳动者 workers",
    "rules": "规则 rules",
    "reason": "理由 reason",
    "change": "变化 change",
}
FORMATS = (".parquet", ".csv", ".xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run
_FORMULA_START = r"^[=+\-@\t\r]"


def check_export_path(path: Path) -> None:
    """Refuse a path leads cannot be written to (checked before a job starts, too)."""
    if path.suffix not in FORMATS:
        raise ConfigError(
            f"cannot export to a {path.suffix or 'suffix-less'} file",
            where=str(path),
            hint=f"name the file with one of {', '.join(FORMATS)}",
        )
    if not path.parent.is_dir():
        raise ConfigError(f"the folder {path.parent} does not exist", where=str(path))


def masked_text(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """``frame`` with ID and phone numbers masked in its free-text ``columns`` (a name or
    reason can carry one a clerk typed)."""
    return frame.with_columns(
        pl.col(column).map_elements(mask_personal_numbers, return_dtype=pl.String)
        for column in columns
    )


def export_leads(leads: pl.DataFrame, path: Path) -> None:
    """Write ``leads`` (the columns of HEADERS) to ``path``; the suffix picks the format."""
    check_export_path(path)
    masked = masked_text(leads.select(list(HEADERS)), "subject_name", "reason")
    if path.suffix == ".parquet":
        masked.write_parquet(path)
    elif path.suffix == ".csv":
        csv_safe(masked).write_csv(path, include_bom=True)  # the BOM makes Excel read UTF-8
    else:
        _write_excel(masked, path)


def _write_excel(leads: pl.DataFrame, path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "线索 leads"
    append_row(sheet, [HEADERS[column] for column in leads.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in leads.iter_rows():
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    workbook.save(path)


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """``values`` as the sheet's next row: text always as a text cell (never a formula),
    amounts as numbers (Excel has no decimal type; they are exact in the database)."""
    sheet.append([_cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl makes "=…" a formula; this is a name or a remark
            if cell.value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True  # and Excel keeps it text when someone edits it


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each text cell that a spreadsheet would run as a formula prefixed
    with a single quote (OWASP's advice for CSV files opened in Excel)."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
