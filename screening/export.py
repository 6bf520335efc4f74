"""Leads written out for people and other tools: Parquet, CSV or Excel, by the file's suffix.

Excel gets Chinese headers (English beside them) for dispatch; Parquet and CSV keep the
column names other tools expect. ID and phone numbers that a name or reason may carry are
masked in every format.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.styles import Font

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
        masked.write_csv(path, include_bom=True)  # the BOM makes Excel read UTF-8
    else:
        _write_excel(masked, path)


def _write_excel(leads: pl.DataFrame, path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "线索 leads"
    sheet.append([HEADERS[column] for column in leads.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in leads.iter_rows():
        # Excel has no decimal type: amounts (exact in the database) become numbers here.
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    sheet.freeze_panes = "A2"
    workbook.save(path)
