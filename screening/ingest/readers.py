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
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import numpy as np
import polars as pl

from screening.errors import IngestError
from screening.ingest.xlsxcheck import check_xlsx

MAX_FIELD_CHARS = 1 << 30  # the csv module's bound on one field; polars has none
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
        grid = _xlsx_grid(path, sheet)
    elif kind in TEXT_FORMATS:
        grid = _csv_grid(path, encoding, delimiter, expected, header_row)
    elif kind == "parquet":
        grid = _parquet_grid(path)
    else:
        raise IngestError(
            f"{path}: unknown format '{kind}'", hint="set format: xlsx, csv or parquet"
        )
    grid = grid.filter(~pl.all_horizontal(pl.col(_cells(grid)) == ""))  # blank rows are not data
    if grid.is_empty():
        raise _empty(path)
    index = _header_index(path, grid, expected, header_row)
    number = grid.item(index, ROW_COLUMN)
    header_cells = grid.row(index)[: grid.item(index, FIELDS_COLUMN)]
    headers = [header_key(cell) for cell in header_cells]
    _check_unique(path, number, headers)
    data = grid.slice(index + 1)
    if data.is_empty():
        raise IngestError(
            f"{path}: only a header row, no data rows",
            hint="re-export the file with its rows, or remove it from the source folder",
        )
    return RawSheet(path, number, headers, _named(data, headers))


def _empty(path: Path) -> IngestError:
    return IngestError(f"{path}: the file is empty", hint="re-export it from the agency system")


# ----- formats ------------------------------------------------------------------------
# Each reader returns a *grid*: text columns c0, c1 … ("" for an empty cell), ROW_COLUMN and
# FIELDS_COLUMN, one row per record, blank rows included.


def _cells(grid: pl.DataFrame) -> list[str]:
    return [name for name in grid.columns if name not in (ROW_COLUMN, FIELDS_COLUMN)]


def _xlsx_grid(path: Path, sheet: str | int) -> pl.DataFrame:
    check_xlsx(path)  # what would make the reader abort the process is refused first
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own types for corrupt files
        raise IngestError(
            f"{path}: not a readable xlsx file ({_first_line(exc)})",
            hint="open and re-save it in Excel",
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
    try:
        frame = workbook.load_sheet(index, header_row=None, dtypes="string").to_polars()
    except Exception as exc:  # a damaged sheet inside a readable archive
        raise IngestError(
            f"{path}: sheet '{names[index]}' cannot be read ({_first_line(exc)})",
            hint="open and re-save it in Excel",
        ) from None
    width = frame.width
    frame = frame.select(
        pl.col(name).fill_null("").alias(f"c{i}") for i, name in enumerate(frame.columns)
    )
    first = _first_filled_row(path, index)
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int32) + first).alias(ROW_COLUMN),
        pl.lit(width, dtype=pl.Int32).alias(FIELDS_COLUMN),  # a grid has no ragged rows
    )


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


def _csv_grid(
    path: Path, encoding: str | None, delimiter: str, expected: list[str], header_row: int | None
) -> pl.DataFrame:
    """The grid of a CSV file from its header row on (rows above it are a title block).

    The fast path: a scan of the lines finds each record's first line and true field
    count, and polars parses the fields. Where the two disagree (a stray quote, say) the
    whole file is read by Python's lenient ``csv`` module instead: slower, same result.
    """
    raw = path.read_bytes()
    text = _decode(path, raw, encoding)
    data = raw if raw.isascii() else text.encode("utf-8")  # what polars and the scan read
    head = _head_rows(path, text, delimiter)
    if not head:
        raise _empty(path)
    head_grid = _grid(head)
    start = head_grid.item(_header_index(path, head_grid, expected, header_row), ROW_COLUMN)
    records = _records(data, delimiter).filter(pl.col(ROW_COLUMN) >= start)
    try:
        values = pl.read_csv(
            data,
            has_header=False,
            skip_lines=start - 1,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        values = None
    if (
        values is None
        or values.height != records.height
        or values.width != records.item(0, FIELDS_COLUMN)
    ):
        rows = _csv_rows(path, text, delimiter)
        return _grid([(number, cells) for number, cells in rows if number >= start])
    return pl.concat(
        [
            values.select(
                pl.col(name).fill_null("").alias(f"c{i}") for i, name in enumerate(values.columns)
            ),
            records.select(ROW_COLUMN, FIELDS_COLUMN),
        ],
        how="horizontal",
    )


Rows = Iterable[tuple[int, list[str]]]  # (line the record starts on, its cells)
HEAD_LINES = 1_000  # lines read to find the header row, unless its records are longer


def _head_rows(path: Path, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The first filled rows, where the header row is looked for. From the text's first
    lines only: the csv module copies all the text it is given (a province's file is
    100 MB). One row more than needed is read, so the last one kept is known complete."""

    def first(part: str, count: int) -> list[tuple[int, list[str]]]:
        return list(itertools.islice(_filled(_csv_rows(path, part, delimiter)), count))

    cut = _after_lines(text, HEAD_LINES)
    if cut < len(text):
        try:
            rows = first(text[:cut], HEADER_SEARCH_ROWS + 1)
            if len(rows) > HEADER_SEARCH_ROWS:
                return rows[:HEADER_SEARCH_ROWS]
        except IngestError:
            pass  # cut inside a quoted field, perhaps: the whole text decides
    return first(text, HEADER_SEARCH_ROWS)


def _after_lines(text: str, lines: int) -> int:
    """Where the text's first ``lines`` lines end (its length if it has fewer)."""
    end = 0
    for _ in range(lines):
        found = text.find("\n", end)
        if found < 0:
            return len(text)
        end = found + 1
    return end


def _csv_rows(path: Path, text: str, delimiter: str) -> Rows:
    # The csv module's default field limit (128 kB) would fail the whole file on one long
    # cell; a long cell is the typing's to reject, as a reject row ("too long").
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise IngestError(
            f"{path}:{start}: unreadable CSV record ({exc})",
            hint="re-export the file; check for stray quotes or NUL characters",
        ) from None


def _filled(rows: Rows) -> Rows:
    return ((number, cells) for number, cells in rows if any(cells))


def _grid(rows: list[tuple[int, list[str]]]) -> pl.DataFrame:
    """A grid from rows of cells (ragged rows padded with "")."""
    width = max((len(cells) for _, cells in rows), default=0)
    lists = pl.Series("cells", [cells for _, cells in rows], dtype=pl.List(pl.String))
    return pl.DataFrame(
        [lists.list.get(i, null_on_oob=True).fill_null("").alias(f"c{i}") for i in range(width)]
    ).with_columns(
        pl.Series(ROW_COLUMN, [number for number, _ in rows], dtype=pl.Int32),
        lists.list.len().cast(pl.Int32).alias(FIELDS_COLUMN),
    )


def _records(data: bytes, delimiter: str) -> pl.DataFrame:
    """One row per CSV record of UTF-8 ``data``: the line it starts on and its field count.

    A record ends on a line where the count of quote characters so far is even: a quoted
    field may hold newlines. Delimiters inside quotes do not count as field separators:
    quotes pair up in order, first with second, third with fourth (a quote left open at
    the end of the file quotes nothing). Quotes, line breaks and the delimiter are found
    in the bytes (UTF-8 never uses an ASCII byte inside another character), so no line or
    field is ever made a string.
    """
    text = np.frombuffer(data, dtype=np.uint8)
    separator = np.frombuffer(delimiter.encode("utf-8"), dtype=np.uint8)
    newlines, quotes, delimiters = _positions(text, [b"\n", b'"', separator.tobytes()])
    # Lines as str.split("\n") gives them, without the empty one after a final newline.
    lines = len(newlines) + (0 if data.endswith(b"\n") else 1)
    line_starts = np.concatenate(([0], newlines + 1))[:lines]
    starts_record = np.searchsorted(quotes, line_starts) % 2 == 0
    record_lines = np.flatnonzero(starts_record)
    record_starts = line_starts[record_lines]
    found = np.searchsorted(delimiters, record_starts)
    fields = np.diff(np.append(found, len(delimiters))) + 1
    if len(quotes) > 1:
        # Less the delimiters between each pair of quotes (a record holds its pairs whole).
        opening, closing = quotes[0:-1:2], quotes[1::2]
        inside = np.searchsorted(delimiters, closing) - np.searchsorted(delimiters, opening)
        record = np.searchsorted(record_starts, opening, side="right") - 1
        fields -= np.bincount(record, weights=inside, minlength=len(fields)).astype(fields.dtype)
    return pl.DataFrame(
        {
            ROW_COLUMN: pl.Series(record_lines + 1, dtype=pl.Int32),
            FIELDS_COLUMN: pl.Series(fields, dtype=pl.Int32),
        }
    )


SCAN_CHUNK = 1 << 20  # bytes compared at once: the masks stay in the CPU's cache


def _positions(text: np.ndarray, needles: list[bytes]) -> list[np.ndarray]:
    """Where each needle (a character's UTF-8 bytes) starts in ``text``, in order."""
    found: list[list[np.ndarray]] = [[] for _ in needles]
    for offset in range(0, len(text), SCAN_CHUNK):
        # A needle of k bytes is compared from each position of the chunk, k - 1 bytes
        # reaching into the next chunk.
        for each, needle in zip(found, needles, strict=True):
            width = len(needle)
            stop = min(offset + SCAN_CHUNK, len(text) - width + 1)
            if stop <= offset:
                continue
            mask = text[offset:stop] == needle[0]
            for shift in range(1, width):
                mask &= text[offset + shift : stop + shift] == needle[shift]
            each.append(np.flatnonzero(mask) + offset)
    return [np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp) for parts in found]


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
    if declared in ("gbk", "gb18030") and not data.isascii() and _is_utf8(data):
        # UTF-8 bytes often decode as GBK without error, into nonsense: refuse, do not guess.
        raise IngestError(
            f"{path}: declared {declared} but the file is UTF-8",
            hint="set encoding: utf-8 for this source",
        )
    return text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detected(data: bytes) -> str | None:
    for candidate, name in (("utf-8-sig", "utf-8"), ("gb18030", "gbk")):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return name
    return None


def _parquet_grid(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for corrupt files
        raise IngestError(
            f"{path}: not a readable Parquet file ({_first_line(exc)})",
            hint="copy it again from the agency's export",
        ) from None
    names = pl.DataFrame([pl.Series(f"c{i}", [name]) for i, name in enumerate(frame.columns)])
    cells = frame.select(
        pl.col(name).cast(pl.String).fill_null("").alias(f"c{i}")
        for i, name in enumerate(frame.columns)
    )
    grid = pl.concat([names, cells])  # the column names are the header row, row 1
    return grid.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int32) + 1).alias(ROW_COLUMN),
        pl.lit(frame.width, dtype=pl.Int32).alias(FIELDS_COLUMN),
    )


# ----- header and frame ---------------------------------------------------------------


def _header_index(
    path: Path, grid: pl.DataFrame, expected: list[str], header_row: int | None
) -> int:
    numbers = grid.get_column(ROW_COLUMN)
    if header_row is not None:
        found = (numbers == header_row).arg_true()
        if found.is_empty():
            raise IngestError(
                f"{path}: row {header_row} is blank or missing; the data starts at row "
                f"{numbers[0]}",
                hint="fix header_row in the manifest",
            )
        return int(found[0])
    wanted = {header_key(header) for header in expected}
    top = grid.head(HEADER_SEARCH_ROWS).select(_cells(grid)).rows()
    best, best_hits = 0, 0
    for index, cells in enumerate(top):
        hits = len(wanted & {header_key(cell) for cell in cells})
        if hits > best_hits:
            best, best_hits = index, hits
    if best_hits == 0:
        found_cells = [cell for cell in top[0] if cell]
        raise IngestError(
            f"{path}: none of the manifest's headers appear in the first "
            f"{HEADER_SEARCH_ROWS} rows (first row: {', '.join(found_cells[:8])})",
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


def _named(data: pl.DataFrame, headers: list[str]) -> pl.DataFrame:
    """Data rows with one column per header; cells beyond the header are counted, not kept."""
    present = set(_cells(data))
    return data.select(
        *(
            (pl.col(f"c{i}") if f"c{i}" in present else pl.lit("")).alias(
                header or f"(column {i + 1})"
            )
            for i, header in enumerate(headers)
        ),
        ROW_COLUMN,
        FIELDS_COLUMN,
    )


def _first_line(error: BaseException) -> str:
    """An exception's first line: the readers' errors run to many lines of context."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
