"""A small, fast, byte-for-byte reproducible xlsx writer for generated extracts.

General-purpose writers spend most of their time on features we do not use; the
province-scale world has millions of cells, so the one sheet is streamed as plain
SpreadsheetML with a shared-string table, the way Excel itself stores text. Every zip
entry carries a fixed timestamp so the same rows always give the same bytes.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, after Excel's leap-year bug
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
ROWS_PER_CHUNK = 2_000

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    XML_DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    + '<Default Extension="rels" '
    + 'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="/xl/{part}" ContentType="{OFFICE}.{kind}+xml"/>'
        for part, kind in (
            ("workbook.xml", "sheet.main"),
            ("worksheets/sheet1.xml", "worksheet"),
            ("styles.xml", "styles"),
            ("sharedStrings.xml", "sharedStrings"),
        )
    )
    + "</Types>"
)


def _relationships(*targets: tuple[str, str]) -> str:
    return (
        XML_DECLARATION
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{number}" Type="{RELATIONSHIP}/{kind}" Target="{target}"/>'
            for number, (kind, target) in enumerate(targets, start=1)
        )
        + "</Relationships>"
    )


PACKAGE_RELS = _relationships(("officeDocument", "xl/workbook.xml"))
WORKBOOK_RELS = _relationships(
    ("worksheet", "worksheets/sheet1.xml"),
    ("styles", "styles.xml"),
    ("sharedStrings", "sharedStrings.xml"),
)
# Style 1 is a date cell shown as yyyy-mm-dd (custom number format 164).
STYLES = (
    XML_DECLARATION
    + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    XML_DECLARATION
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"

# Control characters other than tab and newlines are not allowed in XML 1.0 at all.
NOT_IN_XML = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")

XlsxCell = str | int | float | date | None


def write_xlsx(path: Path, sheet_name: str, rows: Iterable[Sequence[XlsxCell]]) -> None:
    """Write ``rows`` (first row first) as the only sheet of a new workbook at ``path``."""
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        _add(archive, "[Content_Types].xml", CONTENT_TYPES)
        _add(archive, "_rels/.rels", PACKAGE_RELS)
        _add(archive, "xl/workbook.xml", _workbook(sheet_name))
        _add(archive, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _add(archive, "xl/styles.xml", STYLES)
        with archive.open(_entry("xl/worksheets/sheet1.xml"), "w") as sheet:
            sheet.write(SHEET_HEAD.encode())
            chunk: list[str] = []
            for number, row in enumerate(rows, start=1):
                chunk.append(_row_xml(number, row, strings))
                if len(chunk) == ROWS_PER_CHUNK:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + SHEET_TAIL).encode())
        with archive.open(_entry("xl/sharedStrings.xml"), "w") as table:
            for part in _shared_strings(strings):
                table.write(part.encode())


def _row_xml(number: int, row: Sequence[XlsxCell], strings: dict[str, int]) -> str:
    if len(row) > len(COLUMN_LETTERS):  # zip below would drop the cells past ZZ
        raise ValueError(f"row {number} has {len(row)} cells; a sheet here has at most 702")
    at = str(number)
    cells = []
    for letter, value in zip(COLUMN_LETTERS, row, strict=False):  # more letters than cells
        if type(value) is str or isinstance(value, str):  # most cells: the cheap test first
            if value:
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{letter}{at}" t="s"><v>{index}</v></c>')
        elif value is None:
            continue
        elif isinstance(value, date):
            cells.append(f'<c r="{letter}{at}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>')
        else:
            cells.append(f'<c r="{letter}{at}"><v>{value!r}</v></c>')
    return f'<row r="{at}">{"".join(cells)}</row>'


def column_letters(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


COLUMN_LETTERS = [column_letters(index) for index in range(702)]  # A … ZZ


def _shared_strings(strings: dict[str, int]) -> Iterator[str]:
    """The shared-string table's XML in parts: a province registry's would be a few
    hundred megabytes as one string."""
    yield (
        XML_DECLARATION + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
    )
    texts = iter(strings)  # dicts keep insertion order, which is the index order
    while part := list(itertools.islice(texts, ROWS_PER_CHUNK)):
        yield "".join(
            f'<si><t xml:space="preserve">{_xml_text(text)}</t></si>'
            if text != text.strip()
            else f"<si><t>{_xml_text(text)}</t></si>"
            for text in part
        )
    yield "</sst>"


def _xml_text(text: str) -> str:
    """``text`` fit for XML: control characters dropped, markup characters escaped. Most
    texts have neither, and two scans in C tell so faster than translating them."""
    if not text.isprintable():  # control characters, but also tabs and full-width spaces
        text = text.translate(NOT_IN_XML)
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return text


def _workbook(sheet_name: str) -> str:
    return (
        XML_DECLARATION
        + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(_entry(name), text.encode())
