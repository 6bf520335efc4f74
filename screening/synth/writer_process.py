"""Write the rendered tables in a second process while the next ones are rendered.

Rendering is one random stream, so it runs in one process; but turning rows into CSV,
GBK and xlsx bytes, and the truth's mentions into CSV, takes about as long again and
needs nothing but the rows. :class:`TableWriter` starts a writer process before the world
is built (so it holds none of it), sends it each finished table as pickled chunks of
rows and mentions, and the writer writes them in the order they came with the same
functions as before: the same bytes, written beside the rendering instead of after it.

Pickling millions of small strings one by one was a tenth of the renderer's time at
province scale. A chunk whose cells (or mention fields) are all text goes instead as one
string (:class:`~screening.synth.writers.JoinedRows`: cells and rows joined with
separators no cell contains). The writer turns such a chunk into CSV with a few string
operations, instead of a csv.writer call per row (a third of its time went to the
docket's and the mentions' millions of rows), and splits it into rows for an xlsx sheet
or when a cell holds a quote or a line break. Other chunks (dates, numbers, None) are
pickled as they are.
"""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import IO

from screening.errors import GenerateError
from screening.synth.render import Cell, Mention, Table
from screening.synth.writers import (
    CELL_SEPARATOR,
    ROW_SEPARATOR,
    JoinedRows,
    RowBlock,
    write_joined,
    write_table,
)

ROWS_PER_MESSAGE = 4_000
# Messages pickled but not yet in the pipe, at most. The writer reads ahead (a whole table
# if it must), so this bounds only what waits in the renderer, beside the world.
MESSAGES_AHEAD = 16

# The truth files streamed while extracts are written, and their headers.
STREAMED_TRUTH = {
    "mentions": ("file", "row", "column", "typed_name", "entity_kind", "entity_key", "variant"),
    "malformed": ("file", "row", "column", "defect"),
    "duplicates": ("file", "row", "duplicate_of_row"),
}


@dataclass(frozen=True)
class _TableHead:
    """A table without its rows and mentions: what the writer needs to lay the file out."""

    source: str
    path: str
    headers: list[str]
    title: str | None
    encoding: str
    date_cells: bool
    sheet: str | None
    rows: int  # how many row messages follow, in all

    def table(self) -> Table:
        return Table(
            self.source,
            self.path,
            self.headers,
            [],
            [],
            title=self.title,
            encoding=self.encoding,
            date_cells=self.date_cells,
            sheet=self.sheet,
        )


class TableWriter:
    """Writes tables (extract and truth rows) in a writer process, in the order given.

    ``with TableWriter(extracts, truth) as writer: writer.write(table)``; leaving the
    block waits for the writer and raises :class:`GenerateError` if it failed.
    """

    def __init__(self, extracts: Path, truth: Path) -> None:
        self.extracts = extracts
        self.truth = truth

    def __enter__(self) -> TableWriter:
        receiver, sender = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.Process(
            target=_write_tables,
            args=(receiver, sender, self.extracts, self.truth),
            daemon=True,
        )
        self._process.start()
        receiver.close()
        self._connection = sender
        # A thread sends, so that rendering goes on while the pipe is full; the bounded
        # queue stops the rendering when the writer is MESSAGES_AHEAD messages behind.
        self._outbox: queue.Queue[bytes | None] = queue.Queue(MESSAGES_AHEAD)
        self._send_error: BaseException | None = None
        self._sender = threading.Thread(target=self._send, daemon=True)
        self._sender.start()
        return self

    def write(self, table: Table) -> None:
        """Queue ``table`` (rows already noised and numbered) for writing. Its mentions go
        first, and are dropped once sent: a province table's million mentions need not
        stay while its rows are sent."""
        rows, mentions, path = table.rows, table.mentions, table.path
        starts = range(0, len(rows), ROWS_PER_MESSAGE)
        for start in starts:
            self._put(
                _mentions_message(
                    path,
                    table.first_data_row + start,
                    mentions[start : start + ROWS_PER_MESSAGE],
                )
            )
        mentions.clear()
        self._put(("malformed", [(path, *defect) for defect in table.malformed]))
        self._put(("duplicates", [(path, *duplicate) for duplicate in table.duplicates]))
        head = _TableHead(
            table.source,
            table.path,
            table.headers,
            table.title,
            table.encoding,
            table.date_cells,
            table.sheet,
            len(starts),
        )
        self._put(("table", head))
        for start in starts:
            self._put(_rows_message(rows[start : start + ROWS_PER_MESSAGE]))

    def _put(self, message: tuple[str, object]) -> None:
        if self._send_error is not None:
            raise self._failure() from self._send_error
        self._outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def _send(self) -> None:
        while (message := self._outbox.get()) is not None:
            if self._send_error is not None:
                continue  # the writer is gone: drain, so that the renderer never blocks
            try:
                self._connection.send_bytes(message)
            except OSError as error:  # the writer died; the renderer reports it
                self._send_error = error
        self._connection.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self._put(("done", None))
        self._outbox.put(None)
        self._sender.join()
        if kind is not None:  # the renderer failed: its error is the one to see
            self._process.terminate()
            self._process.join()
            return
        self._process.join()
        if self._process.exitcode != 0 or self._send_error is not None:
            raise self._failure()

    def _failure(self) -> GenerateError:
        return GenerateError(
            f"the process writing the extracts failed (exit code {self._process.exitcode})",
            hint="its error is printed above; nothing written to the output folder is complete",
        )


def _write_tables(
    connection: Connection, sending_end: Connection, extracts: Path, truth: Path
) -> None:
    """The writer process: every table's extract, and the truth files as they grow."""
    sending_end.close()  # a forked writer holds it too; closed, a renderer that dies is seen
    messages = _messages(connection)
    with contextlib.ExitStack() as stack:
        files: dict[str, IO[str]] = {}
        writers = {}
        for name, header in STREAMED_TRUTH.items():
            file = files[name] = stack.enter_context(
                (truth / f"{name}.csv").open("w", encoding="utf-8", newline="")
            )
            writers[name] = csv.writer(file, lineterminator="\n")
            writers[name].writerow(header)
        for kind, content in messages:
            if kind == "table":
                assert isinstance(content, _TableHead)
                write_table(content.table(), extracts, _blocks(messages, content.rows))
            elif kind == "mention_text":
                mentions = _mention_rows(*content)  # type: ignore[misc]
                write_joined(files["mentions"], writers["mentions"], mentions)
            else:
                writers[kind].writerows(content)  # type: ignore[arg-type]
    connection.close()


def _messages(connection: Connection) -> Iterator[tuple[str, object]]:
    """The renderer's messages in order. A thread reads them ahead as they come, so that
    the renderer goes on to its next table while this one is written: the pickled rows
    wait here, a tenth of their size as Python objects, not in the renderer."""
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read_ahead() -> None:
        try:
            while True:
                inbox.put(connection.recv_bytes())
        except EOFError:  # the renderer closed its end: all is read
            inbox.put(None)

    reader = threading.Thread(target=read_ahead, daemon=True)
    reader.start()
    while (data := inbox.get()) is not None:
        message: tuple[str, object] = pickle.loads(data)
        if message[0] == "done":
            reader.join()  # the renderer closes its end next, which ends the reader
            return
        yield message
    # The renderer stopped without "done": it failed (an unknown scale, a full disk) and
    # says so itself. A second error, with a traceback from this process, would only
    # bury its message.


def _blocks(messages: Iterator[tuple[str, object]], count: int) -> Iterator[RowBlock]:
    """The next ``count`` row messages' rows, a block at a time."""
    for _ in range(count):
        kind, content = next(messages)
        if kind == "row_text":
            assert isinstance(content, str)
            yield JoinedRows(content)
        else:
            assert kind == "rows"
            yield content  # type: ignore[misc]


def _rows_message(rows: list[list[Cell]]) -> tuple[str, object]:
    """A chunk of rows whose cells are all text as ("row_text", joined rows); any other
    chunk as ("rows", rows)."""
    joined = JoinedRows.of(rows)
    return ("rows", rows) if joined is None else ("row_text", joined.text)


def _mentions_message(
    path: str, first_row: int, mentions: list[list[Mention]]
) -> tuple[str, object]:
    """A chunk of rows' mentions, the first row numbered ``first_row``: as ("mention_text",
    (path, first row, mentions per row, each field's column joined)) when every field is
    text, else as ("mentions", their truth rows). Five joined columns cost about two
    thirds of a joined string per mention, and a province has ten million mentions."""
    counts = list(map(len, mentions))
    flat = list(chain.from_iterable(mentions))
    if not flat:
        return "mentions", []
    columns = _joined_columns(flat)
    if columns is not None and CELL_SEPARATOR not in path and ROW_SEPARATOR not in path:
        return "mention_text", (path, first_row, counts, columns)
    return "mentions", [
        (path, row, *mention)
        for row, row_mentions in enumerate(mentions, start=first_row)
        for mention in row_mentions
    ]


def _joined_columns(records: list[Mention]) -> list[str] | None:
    """Each field of ``records`` joined down the column, or None when a field is not text
    or holds a separator."""
    try:
        columns = [CELL_SEPARATOR.join(column) for column in zip(*records, strict=True)]
    except (TypeError, ValueError):  # a field that is not text; records of two widths
        return None
    if any(
        column.count(CELL_SEPARATOR) != len(records) - 1 or ROW_SEPARATOR in column
        for column in columns
    ):
        return None
    return columns


def _mention_rows(
    path: str, first_row: int, counts: Sequence[int], columns: Sequence[str]
) -> JoinedRows:
    """The truth rows of a "mention_text" message, joined again: file, row, then the
    mention's fields."""
    rows = chain.from_iterable(map(repeat, range(first_row, first_row + len(counts)), counts))
    fields = [column.split(CELL_SEPARATOR) for column in columns]
    lines = map(CELL_SEPARATOR.join, zip(repeat(path), map(str, rows), *fields))
    return JoinedRows(ROW_SEPARATOR.join(lines))
