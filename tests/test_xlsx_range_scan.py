"""The xlsx range check's byte scan finds what the regular expressions find."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from screening.ingest.xlsxcheck import furthest_cell

# A cell's reference (<c r="P1024">) and a row's (<row r="1024">). Found by the bare r=":
# another attribute whose name ends in r can only add a match, making the check stricter.
COLUMN_REFERENCE = re.compile(rb"r=\"([A-Z]{1,3})[0-9]")
ROW_NUMBER = re.compile(rb"r=\"[A-Z]{0,3}([0-9]{1,7})\"")


def _by_regex(text: bytes) -> tuple[int, int]:
    def column_number(letters: bytes) -> int:
        number = 0
        for letter in letters:
            number = number * 26 + letter - ord("A") + 1
        return number

    rows = [int(number) for number in ROW_NUMBER.findall(text)]
    columns = [column_number(letters) for letters in COLUMN_REFERENCE.findall(text)]
    return max(rows, default=0), max(columns, default=0)


pieces = st.one_of(
    st.sampled_from([b'r="', b'<c r="', b'<row r="', b'"', b"r=", b" ", b"/>", b"<v>1</v>"]),
    st.text(alphabet="ABCXYZaz", max_size=5).map(str.encode),
    st.integers(0, 99_999_999).map(lambda number: str(number).encode()),
    st.binary(max_size=3),
)


@given(st.lists(pieces, max_size=30).map(b"".join))
def test_furthest_cell_is_what_the_regular_expressions_find(text: bytes) -> None:
    assert furthest_cell(text) == _by_regex(text)


def test_furthest_cell_of_a_sheet() -> None:
    sheet = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="XFD1048576"><v>1</v></c></row>'
    assert furthest_cell(sheet) == (1_048_576, 16_384)
