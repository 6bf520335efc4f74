"""``screening report``: a run's leads for people, as a self-contained HTML report for
supervisors and an Excel workbook for dispatch.

Example::

    from screening.report import write_report

    written = write_report(Path("screening.duckdb"), Path("reports/2026-09"))
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.errors import ConfigError
from screening.report.content import gather
from screening.report.html import render_html
from screening.report.workbook import build_workbook
from screening.store import Store

HTML_NAME = "report.html"
WORKBOOK_NAME = "leads.xlsx"


@dataclass(frozen=True)
class WrittenReport:
    run_id: str
    html: Path
    workbook: Path
    leads: int
    dossiers: int


def write_report(
    db: Path,
    out: Path,
    run_id: str | None = None,
    *,
    top: int = 20,
    per_outcome: int = 5,
) -> WrittenReport:
    """Write ``out/report.html`` and ``out/leads.xlsx`` for run ``run_id`` of the database
    ``db`` (default: its latest published run), creating ``out`` if needed. Both files are
    built before either is written, and each replaces its old copy in one step."""
    if out.exists() and not out.is_dir():
        raise ConfigError(
            "this is a file, not a folder", where=str(out), hint="give a folder for the report"
        )
    with Store.open(db, read_only=True) as store:
        content = gather(store, run_id, top=top, per_outcome=per_outcome)
    html = render_html(content)
    workbook = build_workbook(content)
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path, workbook_path = out / HTML_NAME, out / WORKBOOK_NAME
        _replace(html_path, lambda path: path.write_text(html, encoding="utf-8"))
        _replace(workbook_path, workbook.save)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the report: {exc.strerror or exc}",
            where=str(out),
            hint="choose a folder you can write to",
        ) from exc
    return WrittenReport(
        content.run.run_id, html_path, workbook_path, content.leads.height, len(content.dossiers)
    )


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``path``, so a failed write leaves the old
    copy whole."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


__all__ = ["WrittenReport", "write_report"]
