"""``screening report``: a run's leads as an HTML report and an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from screening.cli.common import console, reports_errors


@reports_errors
def report(
    out: Annotated[Path, typer.Option(help="Folder to write report.html and leads.xlsx into.")],
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
    run: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the latest published run).")
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, help="Leads in the overall list, each with its dossier.")
    ] = 20,
    per_outcome: Annotated[
        int, typer.Option(min=0, help="Leads listed (with dossiers) for each outcome.")
    ] = 5,
) -> None:
    """Write a run's self-contained HTML report (counts, charts, top leads with their
    evidence; printable, no network needed) and leads.xlsx for dispatch (a sheet per
    outcome, Chinese headers, an evidence sheet). ID and phone numbers are masked.

    Example: screening report --out reports/2026-09

    Example: screening report --db screening.duckdb --run run-000003 --out reports/run-3
    """
    from screening.report import write_report

    written = write_report(db, out, run, top=top, per_outcome=per_outcome)
    console.print(
        f"wrote {written.html} ({written.dossiers} lead dossiers) and {written.workbook} "
        f"({written.leads} leads) for {written.run_id}",
        highlight=False,
    )
