"""Ingest against real files and a real DuckDB database: nothing lost, nothing invented."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from sample_job import SAMPLE

from screening.errors import IngestError
from screening.ingest.load import IngestResult, ingest
from screening.ingest.manifest import load_manifest
from screening.store import Store

CANONICAL = ("registry", "projects", "deposits", "arbitrations", "enforcements")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestResult]:
    path = tmp_path_factory.mktemp("ingest") / "sample.duckdb"
    with Store.open(path) as store:
        result = ingest(load_manifest(SAMPLE / "manifest.yaml"), store)
    return path, result


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _truth(name: str) -> list[dict[str, str]]:
    with (SAMPLE / "truth" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_is_loaded_or_rejected(sample_db: tuple[Path, IngestResult]) -> None:
    db, result = sample_db
    for item in result.files:
        assert item.rows_in == item.loaded + item.rejected > 0, item
    loaded = sum(_query(db, f"SELECT count(*) FROM {t}")[0][0] for t in CANONICAL)  # type: ignore[misc]
    rejected = _query(db, "SELECT count(DISTINCT (source_file, source_row)) FROM rejects")[0][0]
    world = sum(
        int(rows)
        for rows in __import__("json")
        .loads((SAMPLE / "truth" / "world.json").read_text(encoding="utf-8"))["files"]
        .values()
    )
    assert loaded + rejected == world  # type: ignore[operator]


def test_rejects_are_exactly_the_malformed_rows(sample_db: tuple[Path, IngestResult]) -> None:
    db, _ = sample_db
    rejected = set(_query(db, "SELECT DISTINCT source_file, source_row FROM rejects"))
    malformed = {(f"extracts/{m['file']}", int(m["row"])) for m in _truth("malformed")}
    assert rejected == malformed
    columns = set(_query(db, "SELECT source_file, source_row, column_name FROM rejects"))
    assert columns == {
        (f"extracts/{m['file']}", int(m["row"]), m["column"]) for m in _truth("malformed")
    }


def test_duplicates_are_marked_not_dropped(sample_db: tuple[Path, IngestResult]) -> None:
    db, _ = sample_db
    union = " UNION ALL ".join(
        f"SELECT source_file, source_row, duplicate_of_row FROM {t}" for t in CANONICAL
    )
    marked = set(_query(db, f"SELECT * FROM ({union}) WHERE duplicate_of_row IS NOT NULL"))
    expected = {
        (f"extracts/{d['file']}", int(d["row"]), int(d["duplicate_of_row"]))
        for d in _truth("duplicates")
    }
    assert marked == expected


def test_values_are_typed_and_private(sample_db: tuple[Path, IngestResult]) -> None:
    db, _ = sample_db
    types = dict(
        _query(
            db,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'projects'",
        )
    )  # type: ignore[arg-type]
    assert types["contract_amount"] == "DECIMAL(18,2)" and types["permit_date"] == "DATE"
    ids = _query(db, "SELECT applicant_id, applicant_id_hash, applicant_phone FROM arbitrations")
    assert ids and all("********" in str(i) and len(str(h)) == 32 for i, h, _ in ids)
    assert all(phone is None or "****" in str(phone) for _, _, phone in ids)
    # Amounts in 万元 are multiplied out exactly; no float touches money.
    amounts = _query(db, "SELECT min(contract_amount), max(contract_amount) FROM projects")[0]
    assert amounts[0] >= 1_000_000  # type: ignore[operator]
    statuses = dict(
        _query(db, "SELECT respondent_uscc_status, count(*) FROM arbitrations GROUP BY 1")
    )  # type: ignore[arg-type]
    assert statuses["missing"] > statuses.get("valid", 0)


def test_second_ingest_changes_nothing(tmp_path: Path) -> None:
    world = tmp_path / "world"
    shutil.copytree(SAMPLE, world, ignore=shutil.ignore_patterns("truth"))
    db = tmp_path / "s.duckdb"
    manifest = load_manifest(world / "manifest.yaml")
    with Store.open(db) as store:
        ingest(manifest, store)
    before = _query(db, "SELECT count(*), sum(hash(source_file || source_row)) FROM enforcements")
    with Store.open(db) as store:
        again = ingest(manifest, store)
    assert {item.status for item in again.files} == {"unchanged"}
    assert (
        _query(db, "SELECT count(*), sum(hash(source_file || source_row)) FROM enforcements")
        == before
    )

    # A changed file replaces its own previous load, and only that.
    changed = world / "extracts" / "deposits" / "农民工工资保证金.csv"
    lines = changed.read_text(encoding="utf-8").splitlines(keepends=True)
    changed.write_text("".join(lines[:11]), encoding="utf-8")
    with Store.open(db) as store:
        third = ingest(manifest, store)
    statuses = {item.file: item.status for item in third.files}
    assert statuses["extracts/deposits/农民工工资保证金.csv"] == "loaded"
    assert sum(status == "loaded" for status in statuses.values()) == 1
    assert (
        _query(db, "SELECT count(*) FROM deposits")[0][0]
        + _query(db, "SELECT count(DISTINCT source_row) FROM rejects WHERE source = 'deposits'")[0][
            0
        ]
        == 10
    )  # type: ignore[operator]


# ----- bad input ----------------------------------------------------------------------

MANIFEST = """sources:
  deposits:
    table: deposits
    files: {files}
{extra}    columns:
      总承包单位: {{column: contractor_name, required: true}}
      实存金额(元): actual_amount
      存储日期: deposit_date
"""
HEADER = "总承包单位,实存金额(元),存储日期\n"


def _setup(tmp_path: Path, content: bytes | str, *, name: str = "d.csv", extra: str = "") -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (tmp_path / name).write_bytes(data)
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(MANIFEST.format(files=name, extra=extra), encoding="utf-8")
    return manifest


def _ingest(manifest: Path) -> tuple[IngestResult, Path]:
    db = manifest.parent / "t.duckdb"
    with Store.open(db) as store:
        return ingest(load_manifest(manifest), store), db


def _reasons(db: Path) -> list[tuple[object, ...]]:
    return _query(db, "SELECT source_row, column_name, reason FROM rejects ORDER BY 1, 2")


def test_bad_cells_become_reject_rows(tmp_path: Path) -> None:
    rows = [
        '甲建筑有限公司,"1,000.50",2024/5/1',
        "乙建筑有限公司,-20,2024-05-01",
        "丙建筑有限公司,待定,2024年5月1日",
        "丁建筑有限公司,3万,2024-13-45",
        ",100,2024-05-01",
        "戊" * 10_000 + ",100,2024-05-01",
        '"己建筑\n有限公司",100,2024-05-01',
        "庚建筑有限公司,100",
    ]
    result, db = _ingest(_setup(tmp_path, HEADER + "\n".join(rows) + "\n"))
    reasons = _reasons(db)
    assert [(row, column) for row, column, _ in reasons] == [
        (3, "实存金额(元)"),
        (4, "实存金额(元)"),
        (5, "存储日期"),
        (6, "总承包单位"),
        (7, "总承包单位"),
        (10, "(row)"),
    ]
    assert "negative" in str(reasons[0][2]) and "not an amount" in str(reasons[1][2])
    assert "not a date" in str(reasons[2][2]) and "required" in str(reasons[3][2])
    assert "too long" in str(reasons[4][2]) and "fields" in str(reasons[5][2])
    loaded = _query(
        db,
        "SELECT source_row, contractor_name, actual_amount, deposit_date FROM deposits ORDER BY 1",
    )
    assert [row[0] for row in loaded] == [2, 8]  # the quoted newline keeps its line number
    assert str(loaded[0][2]) == "1000.50" and str(loaded[0][3]) == "2024-05-01"
    assert loaded[1][1] == "己建筑 有限公司"
    assert result.files[0].rows_in == 8 == result.files[0].loaded + result.files[0].rejected


@pytest.mark.parametrize("stray_quote", [False, True])
def test_csv_records_keep_their_lines(tmp_path: Path, stray_quote: bool) -> None:
    # A title block, blank lines, CRLF, a quoted newline; a stray quote inside an unquoted
    # field makes polars and the line scan disagree, so the lenient csv-module path reads it.
    odd = '甲"公司' if stray_quote else "甲公司"
    lines = [
        "押金台账,,",
        "",
        HEADER.strip(),
        f"{odd},100,2024-05-01",
        "",
        '"乙\n公司",200,2024-05-02',
        "丙公司,300,2024-05-03",
    ]
    _, db = _ingest(_setup(tmp_path, "\r\n".join(lines) + "\r\n"))
    loaded = _query(
        db, "SELECT source_row, contractor_name, actual_amount FROM deposits ORDER BY 1"
    )
    assert [(row, str(amount)) for row, _, amount in loaded] == [
        (4, "100.00"),
        (6, "200.00"),
        (8, "300.00"),
    ]
    assert loaded[1][1] == "乙 公司" and loaded[0][1] == odd


def test_truncated_last_line_is_rejected(tmp_path: Path) -> None:
    _, db = _ingest(_setup(tmp_path, HEADER + '甲公司,100,2024-05-01\n乙公司,"20'))
    assert [(row, column) for row, column, _ in _reasons(db)] == [(3, "(row)")]


@pytest.mark.parametrize(
    ("content", "extra", "fragment"),
    [
        (b"", "", "empty"),
        (HEADER, "", "only a header row"),
        ("合作单位,金额\n甲公司,100\n", "", "none of the manifest's headers"),
        (
            "总承包单位名称,实存金额(元),存储日期\n甲公司,100,2024-05-01\n",
            "",
            "did you mean '总承包单位名称'",
        ),
        (
            (HEADER + "甲公司,100,2024-05-01\n").encode("gbk"),
            "    encoding: utf-8\n",
            "not valid utf-8",
        ),
        (
            (HEADER + "甲公司,100,2024-05-01\n").encode("utf-8"),
            "    encoding: gbk\n",
            "encoding: utf-8",
        ),
    ],
)
def test_bad_files_give_one_clear_error(
    tmp_path: Path, content: bytes | str, extra: str, fragment: str
) -> None:
    manifest = _setup(tmp_path, content, extra=extra)
    with pytest.raises(IngestError, match=fragment) as error:
        _ingest(manifest)
    assert "d.csv" in str(error.value)


def test_missing_file_and_unknown_sheet(tmp_path: Path) -> None:
    manifest = _setup(tmp_path, HEADER + "甲公司,100,2024-05-01\n")
    (tmp_path / "d.csv").unlink()
    with pytest.raises(
        IngestError,
        match=r"manifest\.yaml:4: source 'deposits': no file matches 'd\.csv' in the data folder",
    ):
        _ingest(manifest)
    xlsx = SAMPLE / "extracts" / "registry" / "企业登记信息.xlsx"
    shutil.copy(xlsx, tmp_path / "r.xlsx")
    manifest.write_text(
        MANIFEST.format(files="r.xlsx", extra="    sheet: 台账\n"), encoding="utf-8"
    )
    with pytest.raises(IngestError, match="no sheet '台账'"):
        _ingest(manifest)


def test_unknown_file_format_is_refused(tmp_path: Path) -> None:
    manifest = _setup(tmp_path, HEADER + "甲公司,100,2024-05-01\n", name="d.dat")
    with pytest.raises(IngestError, match="unknown format 'dat'"):
        _ingest(manifest)


def test_a_failed_ingest_leaves_the_tables_as_they_were(tmp_path: Path) -> None:
    manifest = _setup(tmp_path, HEADER + "甲公司,100,2024-05-01\n")
    _ingest(manifest)
    (tmp_path / "d.csv").write_bytes(b"")
    with pytest.raises(IngestError):
        _ingest(manifest)
    assert _query(tmp_path / "t.duckdb", "SELECT contractor_name FROM deposits") == [("甲公司",)]


SOURCE_HEAD = "sources:\n  d:\n    table: deposits\n    files: d.csv\n"


@pytest.mark.parametrize(
    ("manifest_text", "fragment"),
    [
        (SOURCE_HEAD + "    colums: {}\n", "manifest.yaml:5"),
        (
            SOURCE_HEAD + "    columns:\n      甲: {column: actual_amount, type: money}\n",
            "manifest.yaml:6",
        ),
        (
            SOURCE_HEAD + "    columns:\n      甲: contractor_nam\n",
            "did you mean 'contractor_name'",
        ),
        (SOURCE_HEAD.replace("deposits", "deposit") + "    columns: {}\n", "manifest.yaml:3"),
        (SOURCE_HEAD + "    format: xls\n    columns: {}\n", "manifest.yaml:5"),
    ],
)
def test_manifest_mistakes_point_at_file_and_line(
    tmp_path: Path, manifest_text: str, fragment: str
) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(manifest_text, encoding="utf-8")
    with pytest.raises(IngestError, match=fragment):
        load_manifest(path)


def test_a_bare_number_in_a_csv_date_column_is_a_reject_not_an_excel_serial(
    tmp_path: Path,
) -> None:
    # 20231 is a clerk's typo of 2023-1-…; read as an Excel serial it would be 1955-05-15.
    _, db = _ingest(_setup(tmp_path, HEADER + "甲公司,100,20231\n乙公司,100,45292\n"))
    assert [(row, column) for row, column, _ in _reasons(db)] == [(2, "存储日期"), (3, "存储日期")]
    assert _query(db, "SELECT count(*) FROM deposits") == [(0,)]
