"""What a job would screen: the extract files per source, their sizes, rows and hashes.

Until the ingest stage reads files through manifests, a run takes stock of its inputs:
each source is a sub-folder of the extracts folder (``registry/``, ``projects/`` …).
The hashes go into the run record, so a later run can tell unchanged inputs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel

from screening.errors import IngestError
from screening.store import sha256_file

SOURCES = ("registry", "projects", "deposits", "arbitration", "enforcement")
SOURCE_TITLES = {
    "registry": "企业登记 Company registry",
    "projects": "施工项目 Construction projects",
    "deposits": "工资保证金 Wage-guarantee deposits",
    "arbitration": "劳动仲裁 Labour arbitration",
    "enforcement": "法院执行 Court enforcement",
}
EXTENSIONS = (".xlsx", ".csv", ".parquet")
# Tried in order when a CSV's encoding is not declared; GB18030 is a superset of GBK.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class InputFile:
    source: str
    path: Path
    relative: str  # path relative to the extracts folder, with forward slashes
    sha256: str
    bytes: int
    data_rows: int


def take_inventory(extracts: Path) -> list[InputFile]:
    """Every extract file under ``extracts``, by source then name. Raises if none is found."""
    if not extracts.is_dir():
        raise IngestError(
            "extracts folder not found",
            where=str(extracts),
            hint="point `sources` in the job config at the folder holding registry/, projects/ …",
        )
    files = []
    for source in SOURCES:
        folder = extracts / source
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.suffix.lower() in EXTENSIONS and path.is_file():
                files.append(
                    InputFile(
                        source=source,
                        path=path,
                        relative=path.relative_to(extracts).as_posix(),
                        sha256=sha256_file(path),
                        bytes=path.stat().st_size,
                        data_rows=count_data_rows(path),
                    )
                )
    if not files:
        raise IngestError(
            "no extract files found",
            where=str(extracts),
            hint=f"put .xlsx/.csv/.parquet files in sub-folders named {', '.join(SOURCES)}",
        )
    return files


def count_data_rows(path: Path) -> int:
    """Rows below the header; a leading title line (a single filled cell) is not data."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import polars as pl

        return int(pl.scan_parquet(path).select(pl.len()).collect().item())
    rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    if not rows:
        return 0
    header_lines = 2 if sum(1 for cell in rows[0] if cell not in ("", None)) == 1 else 1
    return max(0, len(rows) - header_lines)


def _xlsx_rows(path: Path) -> list[list[object]]:
    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
    except Exception as exc:  # fastexcel raises its own exception types per failure
        raise IngestError(
            f"cannot read workbook: {exc}", where=str(path), hint="check it opens in Excel"
        ) from None
    columns = sheet.to_polars().rows()
    return [list(row) for row in columns]


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise IngestError(
        "cannot decode CSV as UTF-8 or GBK/GB18030",
        where=str(path),
        hint="declare the file's encoding in the manifest or re-export it as UTF-8",
    )
