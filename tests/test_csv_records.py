"""The CSV record scan over bytes gives what reading the text line by line gives."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from screening.ingest.readers import FIELDS_COLUMN, ROW_COLUMN, _records


def _records_line_by_line(text: str, delimiter: str) -> list[tuple[int, int]]:
    """(line a record starts on, its fields): a record goes on while its quotes are open."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    records: list[tuple[int, list[str]]] = []
    quotes = 0
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if quotes % 2 == 0:
            records.append((number, [line]))
        else:
            records[-1][1].append(line)
        quotes += line.count('"')
    return [
        (number, re.sub(r'"[^"]*"', "", "\n".join(parts)).count(delimiter) + 1)
        for number, parts in records
    ]


@given(
    st.text(alphabet='ab,;"\n\r\t中，', max_size=60),
    st.sampled_from([",", ";", "\t", "，", "中"]),
)
def test_records_are_those_of_the_lines(text: str, delimiter: str) -> None:
    scanned = _records(text.encode("utf-8"), delimiter)
    got = list(zip(scanned[ROW_COLUMN].to_list(), scanned[FIELDS_COLUMN].to_list(), strict=True))
    assert got == _records_line_by_line(text, delimiter)
