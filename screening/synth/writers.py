"""Byte-for-byte reproducible CSV and XLSX files (see :mod:`screening.synth.xlsx`)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from screening.synth.render import Cell, Table
from screening.synth.xlsx import write_xlsx

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter

# Join the cells and the rows of a JoinedRows: control characters no generated cell holds.
CELL_SEPARATOR = "\x1f"
ROW_SEPARATOR = "\x1e"
# A cell holding one of these is quoted by the csv module (a comma too), its quotes doubled.
_CSV_ESCAPED = ('"', "\r", "\n")


@dataclass(frozen=True)
class JoinedRows:
    """Rows whose cells are all text, as one string: cells joined by CELL_SEPARATOR, rows
    by ROW_SEPARATOR. One string is sent to the writer process far faster than millions
    of small ones, and it becomes CSV with a few string operations instead of a
    csv.writer call per row."""

    text: str

    @classmethod
    def of(cls, rows: Sequence[Sequence[object]]) -> JoinedRows | None:
        """``rows`` joined, or None when a cell is not text or holds a separator, or a row
        has fewer than two cells (a lone empty cell is written as "" in CSV)."""
        if not rows or min(map(len, rows)) < 2:
            return None
        try:
            text = ROW_SEPARATOR.join(map(CELL_SEPARATOR.join, rows))  # type: ignore[arg-type]
        except TypeError:  # a date, a number or None
            return None
        cells = sum(map(len, rows))
        if (
            text.count(CELL_SEPARATOR) != cells - len(rows)
            or text.count(ROW_SEPARATOR) != len(rows) - 1
        ):
            return None
        return cls(text)

    def rows(self) -> list[list[Cell]]:
        rows = self.text.split(ROW_SEPARATOR)
        return [row.split(CELL_SEPARATOR) for row in rows]  # type: ignore[misc]  # str is a Cell

    def csv(self, line_end: str) -> str | None:
        """The rows as ``csv.writer`` writes them (minimal quoting), or None when a cell
        holds a quote or a line break (then the rows must go through csv.writer)."""
        text = self.text
        if any(special in text for special in _CSV_ESCAPED):
            return None
        if "," in text:  # amounts with thousands separators: those cells are quoted
            text = _quote_commas(text)
        return text.replace(CELL_SEPARATOR, ",").replace(ROW_SEPARATOR, line_end) + line_end


def _quote_commas(text: str) -> str:
    """``text`` (JoinedRows) with each cell that holds a comma in double quotes. The row
    separators are made cells of their own first, so that every cell is one piece."""
    pieces = text.replace(ROW_SEPARATOR, _ROW_PIECE).split(CELL_SEPARATOR)
    quoted = [f'"{piece}"' if "," in piece else piece for piece in pieces]
    return CELL_SEPARATOR.join(quoted).replace(_ROW_PIECE, ROW_SEPARATOR)


_ROW_PIECE = CELL_SEPARATOR + ROW_SEPARATOR + CELL_SEPARATOR


# Rows as a writer receives them: lists of cells, or blocks of them joined.
RowBlock = list[list[Cell]] | JoinedRows


def write_table(table: Table, extracts: Path, blocks: Iterable[RowBlock] | None = None) -> Path:
    """Write ``table`` under ``extracts``; its rows (default: the table's) may be streamed
    as ``blocks``."""
    path = extracts / table.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if blocks is None:
        blocks = [table.rows]
    if path.suffix == ".xlsx":
        _write_xlsx(table, path, itertools.chain.from_iterable(map(_rows_of, blocks)))
    else:
        _write_csv(table, path, blocks)
    return path


def _rows_of(block: RowBlock) -> list[list[Cell]]:
    return block.rows() if isinstance(block, JoinedRows) else block


def _write_csv(table: Table, path: Path, blocks: Iterable[RowBlock]) -> None:
    # Written as it goes: a whole province file held as one string would cost gigabytes.
    with path.open("w", encoding=table.encoding, newline="") as file:
        # Agencies' systems export Windows line endings.
        writer = csv.writer(file, lineterminator="\r\n")
        if table.title:
            writer.writerow([table.title])
        writer.writerow(table.headers)
        for block in blocks:
            if isinstance(block, JoinedRows):
                write_joined(file, writer, block)
            else:
                writer.writerows(
                    [cell if type(cell) is str else _text(cell) for cell in row] for row in block
                )


def write_joined(file: IO[str], writer: CsvWriter, rows: JoinedRows) -> None:
    """``rows`` into ``file`` as ``writer`` (on that file) writes them: by string
    operations when they can be, else through the writer."""
    text = rows.csv(writer.dialect.lineterminator)
    if text is None:
        writer.writerows(rows.rows())
    else:
        file.write(text)


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
