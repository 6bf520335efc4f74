"""Refuse a damaged or crafted ``.xlsx`` before the Excel reader allocates for it.

fastexcel (calamine, in Rust) trusts what a workbook says about itself: a shared-string
table that claims four billion strings, or one stray cell at ``XFD1048576``, makes it
reserve hundreds of gigabytes and the *process aborts* — no exception, no rollback message,
the whole run gone. A member that unpacks a thousand times over (a "zip bomb") fills the
memory more slowly. So the archive is looked at first, cheaply (the central directory, the
head of the shared strings, a streamed scan of the cell references), and each of these is
an :class:`IngestError` naming the file and what to do. A file that is not a zip archive at
all (empty, cut short, a CSV or an old ``.xls`` renamed) is told apart the same way.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from screening.errors import IngestError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls, and encrypted .xlsx
MAX_MEMBER_BYTES = 2 << 30  # one part of the workbook, unpacked
MAX_RATIO = 100  # unpacked : packed; Apache POI refuses the same (its MIN_INFLATE_RATIO 0.01)
RATIO_FROM_BYTES = 16 << 20  # small parts may compress as well as they like
MIN_SHARED_STRING_BYTES = 5  # "<si/>": no entry of the table is shorter
MAX_CELLS = 60_000_000  # rows × columns of a sheet's used range (1M rows × 57 columns)
_SCAN_CHUNK = 1 << 20
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_UNIQUE_COUNT = re.compile(rb"\buniqueCount=\"([0-9]+)\"")


def check_xlsx(path: Path) -> None:
    """Raise :class:`IngestError` unless ``path`` is a zip archive whose parts are of a
    size the reader can hold and whose sheets span a sane range."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.startswith(ZIP_MAGIC):
        raise _not_a_workbook(path, head)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            for member in members:
                _check_size(path, member)
            for member in members:
                if member.filename == "xl/sharedStrings.xml":
                    _check_shared_strings(path, archive, member)
                elif member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    _check_range(path, archive, member)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise IngestError(
            f"{path}: the xlsx file is damaged or cut short ({_first_line(exc)})",
            hint="copy it again from the agency's export; if Excel still opens it, re-save it",
        ) from None


def _not_a_workbook(path: Path, head: bytes) -> IngestError:
    if not head:
        return IngestError(f"{path}: the file is empty", hint="re-export it from the agency system")
    if head.startswith(OLE_MAGIC):
        return IngestError(
            f"{path}: an Excel 97-2003 (.xls) or password-protected workbook, not an .xlsx",
            hint="open it in Excel and save it as .xlsx without a password",
        )
    if _looks_like_text(head):
        return IngestError(
            f"{path}: text (a CSV file?) with an Excel name, not an .xlsx workbook",
            hint="rename it to .csv, or set format: csv for this source in the manifest",
        )
    return IngestError(
        f"{path}: not an .xlsx workbook (it does not start as a zip archive)",
        hint="check that the export finished, and copy the file again",
    )


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # the 4 kB cut may split a character: allow a broken tail
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text.lstrip("\ufeff"))
    return False


def _check_size(path: Path, member: zipfile.ZipInfo) -> None:
    size, packed = member.file_size, max(member.compress_size, 1)
    if size > MAX_MEMBER_BYTES or (size > RATIO_FROM_BYTES and size / packed > MAX_RATIO):
        raise IngestError(
            f"{path}: its part {member.filename} unpacks to {size / 1e6:,.0f} MB from "
            f"{packed / 1e6:,.1f} MB ({size / packed:,.0f}:1), more than a real export "
            f"(limits {MAX_MEMBER_BYTES / 1e9:,.0f} GB, {MAX_RATIO}:1): a damaged or crafted file",
            hint="ask the agency for a new export; do not open this file in Excel either",
        )


def _check_shared_strings(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """The table's declared number of strings must fit its size: the reader reserves that
    many entries before it reads one. (``count``, the cells that use the table, may
    rightly be far larger, and is not used to reserve.)"""
    with archive.open(member) as stream:
        head = stream.read(4096)
    limit = member.file_size // MIN_SHARED_STRING_BYTES
    table = _SST.search(head)
    for value in _UNIQUE_COUNT.findall(table.group(0) if table else b""):
        if int(value) > limit:
            raise IngestError(
                f"{path}: its shared-string table claims {int(value):,} strings in "
                f"{member.file_size:,} bytes: a damaged or crafted file",
                hint="open and re-save it in Excel, or ask the agency for a new export",
            )


def _check_range(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """The used range (the furthest row and column any cell names) the reader will
    allocate, in a streamed scan of the sheet."""
    last_row, last_column = 0, 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            text = tail + chunk
            row, column = furthest_cell(text)
            last_row, last_column = max(last_row, row), max(last_column, column)
            tail = text[-200:]  # a tag cut by the chunk boundary is found next time
    if last_row * max(last_column, 1) > MAX_CELLS:
        sheet = member.filename.removeprefix("xl/worksheets/")
        far_column = _column_letters(last_column)
        raise IngestError(
            f"{path}: sheet {sheet} spans {last_row:,} rows × {last_column:,} columns "
            f"({last_row * last_column:,} cells, limit {MAX_CELLS:,}; furthest column "
            f"{far_column})",
            hint="delete the stray cells far below or to the right of the table in Excel "
            "and save again",
        )


_REFERENCE = np.frombuffer(b'r="', dtype=np.uint8)
_WINDOW = 11  # after r=": up to 3 letters, 7 digits and the closing quote


def furthest_cell(text: bytes) -> tuple[int, int]:
    """The largest row number and column number the references in ``text`` name.

    As the regular expressions ``r="[A-Z]{0,3}([0-9]{1,7})"`` (rows; a row's own
    reference is r="17") and ``r="([A-Z]{1,3})[0-9]`` (columns) would find them. A sheet
    names millions of cells: this reads the bytes after each r=" as a grid, with numpy,
    instead of making each reference a string (a quarter of the time).
    """
    data = np.frombuffer(text, dtype=np.uint8)
    if len(data) < len(_REFERENCE):
        return 0, 0
    found = (data[:-2] == _REFERENCE[0]) & (data[1:-1] == _REFERENCE[1])
    found &= data[2:] == _REFERENCE[2]
    starts = np.flatnonzero(found) + len(_REFERENCE)
    padded = np.concatenate((data, np.zeros(_WINDOW, dtype=np.uint8)))
    after = sliding_window_view(padded, _WINDOW)[starts]  # the bytes after each r="
    letter = (after[:, :4] >= ord("A")) & (after[:, :4] <= ord("Z"))
    leading = letter[:, 0].copy()  # still letters from the first byte on
    letters = leading.astype(np.int64)
    for place in range(1, 4):
        leading &= letter[:, place]
        letters += leading  # leading letters, up to 4
    # The eight bytes from the first after the letters: digits, then the closing quote.
    first_digit = np.minimum(letters, 3)
    tail = sliding_window_view(padded, 8)[starts + first_digit]
    digit = (tail >= ord("0")) & (tail <= ord("9"))
    digit[:, 7] = False  # an eighth digit ends no reference
    digits = np.argmin(digit, axis=1)  # how many digits follow the letters
    closing = np.take_along_axis(tail, digits[:, None], axis=1)[:, 0] == ord('"')
    # Rows: up to three letters, one to seven digits, then the closing quote.
    row = _largest(tail, (letters <= 3) & (digits >= 1) & closing, digits)
    # Columns: one to three letters, then a digit.
    column = _largest(after[:, :3], (letters >= 1) & (letters <= 3) & (digits >= 1), letters)
    return (int(row) if row else 0), _column_number(column)


def _largest(grid: np.ndarray, valid: np.ndarray, lengths: np.ndarray) -> bytes:
    """The largest of the valid rows' first ``lengths`` bytes, read as a number (digits
    or column letters): the longest, and of the longest, the last in byte order."""
    if not valid.any():
        return b""
    longest = int(lengths[valid].max())
    picked = grid[valid & (lengths == longest), :longest]
    # Equal lengths compare as their bytes do; viewed as one big-endian number each.
    padded = np.zeros((len(picked), 8), dtype=np.uint8)
    padded[:, :longest] = picked
    largest = padded.view(">u8").argmax()
    return bytes(picked[largest])


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
