"""The workbook for dispatch: a summary sheet, one sheet of leads per outcome, and the
evidence sheet that points every lead at its source records (table, file, row).

Headers are Chinese first with English beside them (``export.HEADERS``); outcome, subject
and change read as words; names and reasons arrive masked from :mod:`screening.dossier`.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import polars as pl
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from screening.dossier import readable_leads
from screening.export import append_row
from screening.ingest.canonical import TABLES
from screening.report.content import ReportContent
from screening.rules.model import OUTCOME_TITLES

SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
SUMMARY_SHEET = "概况 summary"
EVIDENCE_SHEET = "证据 evidence"
EVIDENCE_HEADERS = (
    "排名 rank",
    "线索编号 lead id",
    "线索类型 outcome",
    "来源表 source table",
    "来源文件 source file",
    "行号 row",
)
# Column widths in characters (a Chinese character counts about two).
WIDTHS = {"理由 reason": 48, "名称 name": 34, "规则 rules": 24, "来源文件 source file": 48}


def build_workbook(report: ReportContent) -> openpyxl.Workbook:
    """The dispatch workbook of ``report``'s run."""
    workbook = openpyxl.Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _write_summary(summary, report)
    for outcome, title in OUTCOME_TITLES.items():
        leads = report.leads.filter(outcome=outcome)
        if not leads.is_empty():
            _write_frame(workbook.create_sheet(sheet_name(title)), readable_leads(leads))
    evidence = report.evidence.select(
        "rank",
        "lead_id",
        pl.col("outcome").replace(OUTCOME_TITLES),
        pl.col("source_table").replace({name: table.title for name, table in TABLES.items()}),
        "source_file",
        "source_row",
    )
    _write_frame(
        workbook.create_sheet(EVIDENCE_SHEET),
        evidence.rename(dict(zip(evidence.columns, EVIDENCE_HEADERS, strict=True))),
    )
    return workbook


def sheet_name(title: str) -> str:
    """An outcome's title cut to Excel's limit at a word: 行政违法监督 administrative."""
    words = title.split(" ")
    while len(" ".join(words)) > SHEET_NAME_LIMIT and len(words) > 1:
        words.pop()
    return " ".join(words)[:SHEET_NAME_LIMIT]


def _write_summary(sheet: Worksheet, report: ReportContent) -> None:
    run = report.run
    for label, value in (
        ("运行编号 run", run.run_id),
        ("截至日期 as of", run.as_of.isoformat() if run.as_of else ""),
        ("完成时间 finished (UTC)", f"{run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else ""),
        ("线索 leads", report.leads.height),
    ):
        append_row(sheet, [label, value])
    sheet.append([])
    counts = report.counts.select(
        pl.col("title").alias("线索类型 outcome"),
        pl.col("leads").alias("线索 leads"),
        pl.col("new").alias("新增 new"),
        pl.col("persisting").alias("持续 persisting"),
        pl.col("amount").alias("涉及金额（元）amount (yuan)"),
        pl.col("workers").alias("涉及劳动者 workers"),
    )
    _append_frame(sheet, counts)
    for row in sheet.iter_rows(max_col=1):
        row[0].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 18


def _write_frame(sheet: Worksheet, frame: pl.DataFrame) -> None:
    """``frame`` as a table with a bold, frozen, filterable header row."""
    _append_frame(sheet, frame)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        sheet.column_dimensions[cell.column_letter].width = WIDTHS.get(str(cell.value), 16)


def _append_frame(sheet: Worksheet, frame: pl.DataFrame) -> None:
    append_row(sheet, frame.columns)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in frame.iter_rows():
        # Text stays text (never a formula, see screening.export); amounts become numbers.
        append_row(sheet, row)
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
