"""Read one extract file into rows of text, numbered as a person sees them.

Every reader returns a :class:`RawSheet`: the header cells, and a frame of the data rows
with one text column per header, ``source_row`` (the 1-based row in Excel, or the line a
record starts on in a text editor) and ``field_count`` (cells the row really had, so a
truncated or over-long CSV line can be rejected rather than silently padded). Wholly blank
rows are not data and are skipped. Nothing is typed here; see :mod:`screening.ingest.parse`.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from screening.errors import IngestError

HEADER_SEARCH_ROWS = 20  # a title block above the header is at most this tall
ROW_COLUMN, FIELDS_COLUMN = "source_row", "field_count"
TEXT_FORMATS = ("csv", "txt")


@dataclass
class RawSheet:
    path: Path
    header_row: int
    headers: list[str]  # as found, normalised for matching (NFKC, no spaces)
    rows: pl.DataFrame  # header -> text, plus source_row and field_count


def header_key(text: object) -> str:
    """How headers are matched: NFKC (full-width brackets are ASCII ones), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def read_sheet(
    path: Path,
    *,
    expected: list[str],
    file_format: str | None = None,
    sheet: str | int = 0,
    encoding: str | None = None,
    delimiter: str = ",",
    header_row: int | None = None,
) -> RawSheet:
    """Read ``path``; ``expected`` are the manifest's headers, used to find the header row."""
    if not path.is_file():
        raise IngestError(f"file not found: {path}", hint="check the manifest's 'files' pattern")
    kind = file_format or path.suffix.lower().lstrip(".")
    if kind in ("xlsx", "xlsm", "xls"):
        lines, first_row = _xlsx_lines(path, sheet)
    elif kind in TEXT_FORMATS:
        lines, first_row = _csv_lines(path, encoding, delimiter), 1
    elif kind == "parquet":
        lines, first_row = _parquet_lines(path), 1
    else:
        raise IngestError(
            f"{path}: unknown format '{kind}'", hint="set format: xlsx, csv or parquet"
        )
    if not any(any(cell for cell in cells) for _, cells in lines):
        raise IngestError(f"{path}: the file is empty", hint="re-export it from the agency system")
    index = _header_index(path, lines, expected, header_row, first_row)
    number, header_cells = lines[index]
    headers = [header_key(cell) for cell in header_cells]
    _check_unique(path, number, headers)
    data = [(n, cells) for n, cells in lines[index + 1 :] if any(cells)]
    if not data:
        raise IngestError(
            f"{path}: only a header row, no data rows",
            hint="re-export the file with its rows, or remove it from the source folder",
        )
    return RawSheet(path, number, headers, _frame(headers, data, count_fields=kind in TEXT_FORMATS))


# ----- formats ------------------------------------------------------------------------

Lines = list[tuple[int, list[str]]]  # (row number, cells as text; "" for empty)


def _xlsx_lines(path: Path, sheet: str | int) -> tuple[Lines, int]:
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own types for corrupt files
        raise IngestError(
            f"{path}: not a readable xlsx file ({exc})", hint="open and re-save it in Excel"
        ) from None
    names = workbook.sheet_names
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise IngestError(f"{path}: no sheet number {sheet}; sheets: {', '.join(names)}")
    if isinstance(sheet, str) and sheet not in names:
        close = difflib.get_close_matches(sheet, names, n=1)
        raise IngestError(
            f"{path}: no sheet '{sheet}'; sheets: {', '.join(names)}",
            hint=f"did you mean '{close[0]}'?" if close else "set 'sheet' in the manifest",
        )
    index = sheet if isinstance(sheet, int) else names.index(sheet)
    frame = workbook.load_sheet(index, header_row=None, dtypes="string").to_polars()
    first = _first_filled_row(path, index)
    lines = [
        (first + offset, ["" if cell is None else cell for cell in row])
        for offset, row in enumerate(frame.iter_rows())
    ]
    return lines, first


def _first_filled_row(path: Path, sheet_index: int) -> int:
    """Excel row of the first non-empty cell: readers start their grid there, not at row 1."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
        targets = dict(re.findall(r"Id=\"([^\"]+)\"[^>]*Target=\"([^\"]+)\"", relations))
        targets |= {
            k: v for v, k in re.findall(r"Target=\"([^\"]+)\"[^>]*Id=\"([^\"]+)\"", relations)
        }
        target = targets.get(ids[sheet_index], "") if sheet_index < len(ids) else ""
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member not in archive.namelist():
            return 1
        with archive.open(member) as stream:
            head = stream.read(1 << 16).decode("utf-8", "ignore")
    found = re.search(r"<c r=\"[A-Z]+(\d+)\"[^>]*?(?<!/)>", head)
    return int(found.group(1)) if found else 1


def _csv_lines(path: Path, encoding: str | None, delimiter: str) -> Lines:
    text = _decode(path, path.read_bytes(), encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: Lines = []
    start = 1
    try:
        for cells in reader:
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise IngestError(
            f"{path}:{start}: unreadable CSV record ({exc})",
            hint="re-export the file; check for stray quotes or NUL characters",
        ) from None
    return lines


def _decode(path: Path, data: bytes, declared: str | None) -> str:
    """Text of a CSV file. Declared encodings are checked; undeclared ones are detected."""
    if declared is None:
        for candidate in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(candidate)
            except UnicodeDecodeError:
                continue
        raise IngestError(
            f"{path}: neither UTF-8 nor GBK/GB18030",
            hint="declare the file's encoding in the manifest or re-export it as UTF-8",
        )
    try:
        text = data.decode("utf-8-sig" if declared == "utf-8" else declared)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        other = _detected(data)
        raise IngestError(
            f"{path}:{line}: not valid {declared}",
            hint=f"the file looks like {other}: set encoding: {other}"
            if other
            else "check the encoding the agency exported with",
        ) from None
    if declared in ("gbk", "gb18030") and not data.isascii() and _detected(data) == "utf-8":
        # UTF-8 bytes often decode as GBK without error, into nonsense: refuse, do not guess.
        raise IngestError(
            f"{path}: declared {declared} but the file is UTF-8",
            hint="set encoding: utf-8 for this source",
        )
    return text


def _detected(data: bytes) -> str | None:
    for candidate, name in (("utf-8-sig", "utf-8"), ("gb18030", "gbk")):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return name
    return None


def _parquet_lines(path: Path) -> Lines:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for corrupt files
        raise IngestError(f"{path}: not a readable Parquet file ({exc})") from None
    frame = frame.select(pl.all().cast(pl.String))
    lines: Lines = [(1, list(frame.columns))]
    lines += [
        (number, ["" if cell is None else cell for cell in row])
        for number, row in enumerate(frame.iter_rows(), start=2)
    ]
    return lines


# ----- header and frame ---------------------------------------------------------------


def _header_index(
    path: Path, lines: Lines, expected: list[str], header_row: int | None, first_row: int
) -> int:
    wanted = {header_key(header) for header in expected}
    if header_row is not None:
        for index, (number, _cells) in enumerate(lines):
            if number == header_row:
                return index
        raise IngestError(f"{path}: no row {header_row}; the data starts at row {first_row}")
    best, best_hits = 0, 0
    for index, (_number, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        hits = len(wanted & {header_key(cell) for cell in cells})
        if hits > best_hits:
            best, best_hits = index, hits
    if best_hits == 0:
        found = [cell for cell in lines[0][1] if cell]
        raise IngestError(
            f"{path}: none of the manifest's headers appear in the first "
            f"{HEADER_SEARCH_ROWS} rows (first row: {', '.join(found[:8])})",
            hint="check that the manifest describes this file, or set header_row",
        )
    return best


def _check_unique(path: Path, number: int, headers: list[str]) -> None:
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise IngestError(
                f"{path}:{number}: header '{header}' appears twice",
                hint="rename one of the columns in the file",
            )
        seen.add(header)


def _frame(headers: list[str], data: Lines, *, count_fields: bool) -> pl.DataFrame:
    """Columns of text; a spreadsheet grid has no field count of its own, so it gets width."""
    width = len(headers)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers, counts = [], []
    for number, cells in data:
        numbers.append(number)
        counts.append(len(cells) if count_fields else width)
        padded = cells[:width] if len(cells) >= width else cells + [""] * (width - len(cells))
        for column, cell in zip(columns, padded, strict=True):
            column.append(cell)
    names = [header or f"(column {i + 1})" for i, header in enumerate(headers)]
    frame = pl.DataFrame({name: values for name, values in zip(names, columns, strict=True)})
    return frame.with_columns(
        pl.Series(ROW_COLUMN, numbers, dtype=pl.Int32),
        pl.Series(FIELDS_COLUMN, counts, dtype=pl.Int32),
    )
