"""Manifests beyond the sample's: a data folder of its own, one header for several columns,
derived columns, unmapped headers. Real files, a real database file, no mocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from screening.errors import IngestError
from screening.ingest.derive import library_derivations
from screening.ingest.load import IngestResult, ingest
from screening.ingest.manifest import load_manifest
from screening.store import Store

ARBITRATION_HEADER = "案号,结案方式,结案日期,案由,裁决金额(元),是否终局裁决,承办人\n"
ARBITRATION_ROWS = [
    "A1,调解,2024-03-01,追索劳动报酬,50000,否,张",  # mediation: effective when signed
    "A2,裁决,2024-03-01,追索劳动报酬,50000,否,张",  # non-final award: + 15 days + 1
    "A3,裁决,2024-03-01,追索劳动报酬,20000,是,张",  # final award: effective when made
    "A4,撤诉,2024-03-01,追索劳动报酬,,否,张",  # withdrawn: no enforceable title
    "A5,驳回,2024-03-01,追索劳动报酬,,否,张",  # dismissed
    "A6,,,追索劳动报酬,,,张",  # still open
]


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _ingest(manifest: Path, *, data: Path | None = None) -> tuple[IngestResult, Path]:
    db = manifest.parent / "t.duckdb"
    with Store.open(db) as store:
        return ingest(load_manifest(manifest, data=data), store), db


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _arbitration_manifest(folder: Path, columns: str, derive: str = "", head: str = "") -> Path:
    text = (
        f"{head}sources:\n  arbitration:\n    table: arbitrations\n    files: a.csv\n"
        f"    columns:\n{columns}"
    )
    if derive:
        text += f"    derive:\n{derive}"
    return _write(folder, "manifest.yaml", text)


BASE_COLUMNS = (
    "      案号: {column: case_no, required: true}\n"
    "      结案方式: close_method\n"
    "      结案日期: closed_date\n"
    "      案由: cause\n"
    "      裁决金额(元): award_amount\n"
)


# ----- the data folder ----------------------------------------------------------------


def test_root_points_at_a_folder_elsewhere(tmp_path: Path) -> None:
    _write(tmp_path / "extracts" / "2024", "a.csv", ARBITRATION_HEADER + ARBITRATION_ROWS[0])
    manifest = _arbitration_manifest(
        tmp_path / "manifests", BASE_COLUMNS, head="root: ../extracts/2024\n"
    )
    result, db = _ingest(manifest)
    assert [item.file for item in result.files] == ["a.csv"]  # relative to the data folder
    assert _query(db, "SELECT case_no, source_file FROM arbitrations") == [("A1", "a.csv")]


def test_data_overrides_root_and_a_missing_folder_is_named(tmp_path: Path) -> None:
    data = tmp_path / "june"
    _write(data, "a.csv", ARBITRATION_HEADER + ARBITRATION_ROWS[0])
    manifest = _arbitration_manifest(tmp_path, BASE_COLUMNS, head="root: no_such_folder\n")
    with pytest.raises(IngestError, match=r"manifest\.yaml:1: the manifest's root .*no_such"):
        load_manifest(manifest)
    result, _ = _ingest(manifest, data=data)
    assert result.files[0].loaded == 1
    with pytest.raises(
        IngestError, match=r"--data \(or the job.s data:\): the data folder given .*elsewhere"
    ):
        load_manifest(manifest, data=tmp_path / "elsewhere")


def test_a_glob_matching_nothing_names_source_glob_and_folder(tmp_path: Path) -> None:
    manifest = _arbitration_manifest(tmp_path, BASE_COLUMNS)
    with pytest.raises(IngestError) as error:
        _ingest(manifest)
    message = str(error.value)
    assert "manifest.yaml:4" in message and "source 'arbitration'" in message
    assert "'a.csv'" in message and str(tmp_path) in message and "--data" in message


def test_cli_ingest_with_data_lists_unmapped_derived_and_absent(tmp_path: Path) -> None:
    data = tmp_path / "extracts"
    _write(data, "a.csv", ARBITRATION_HEADER + "\n".join(ARBITRATION_ROWS) + "\n")
    manifest = _arbitration_manifest(
        tmp_path / "m", BASE_COLUMNS, derive="      final_award: final_award_by_amount\n"
    )
    environment = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    ran = subprocess.run(
        [
            *(sys.executable, "-m", "screening", "ingest", "--manifest", str(manifest)),
            *("--data", str(data), "--db", str(tmp_path / "c.duckdb")),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert "是否终局裁决, 承办人" in ran.stdout  # unmapped headers, as the file has them
    assert "final_award ← final_award_by_amount (months=12, monthly_minimum_wage=1900)" in (
        ran.stdout
    )
    assert "effective_date" in ran.stdout  # absent: neither mapped nor derived


# ----- one header, several columns ----------------------------------------------------


@pytest.mark.parametrize(
    "mapping",
    [
        "      结案日期: [closed_date, effective_date]\n",
        "      结案日期: {column: [closed_date, effective_date]}\n",
    ],
)
def test_one_header_fills_several_columns(tmp_path: Path, mapping: str) -> None:
    rows = [
        "A1,调解,2024-03-01,追索劳动报酬,50000,否,张",
        "A2,调解,2024-13-01,追索劳动报酬,1,否,张",
    ]
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(rows) + "\n")
    columns = BASE_COLUMNS.replace("      结案日期: closed_date\n", mapping)
    result, db = _ingest(_arbitration_manifest(tmp_path, columns))
    assert _query(db, "SELECT case_no, closed_date, effective_date FROM arbitrations") == [
        ("A1", date(2024, 3, 1), date(2024, 3, 1))
    ]
    # The bad cell is one reject of its header, not one per column it fills.
    assert _query(db, "SELECT source_row, column_name FROM rejects") == [(3, "结案日期")]
    file = result.files[0]
    assert (file.rows_in, file.loaded, file.rejected) == (2, 1, 1)


def test_a_column_filled_twice_is_refused(tmp_path: Path) -> None:
    columns = BASE_COLUMNS + "      立案日期: [filed_date, closed_date]\n"
    with pytest.raises(IngestError, match="both fill closed_date"):
        load_manifest(_arbitration_manifest(tmp_path, columns))


# ----- derivations --------------------------------------------------------------------


def _derived(tmp_path: Path, derive: str, columns: str = BASE_COLUMNS) -> Path:
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(ARBITRATION_ROWS) + "\n")
    _, db = _ingest(_arbitration_manifest(tmp_path, columns, derive))
    return db


def test_award_effective_date(tmp_path: Path) -> None:
    columns = BASE_COLUMNS + "      是否终局裁决: final_award\n"
    db = _derived(tmp_path, "      effective_date: award_effective_date\n", columns)
    assert _query(db, "SELECT case_no, effective_date FROM arbitrations ORDER BY 1") == [
        ("A1", date(2024, 3, 1)),  # mediation: when signed
        ("A2", date(2024, 3, 17)),  # not final: the day after 15 days from receipt
        ("A3", date(2024, 3, 1)),  # final award: when made
        ("A4", None),  # withdrawn
        ("A5", None),  # dismissed
        ("A6", None),  # open
    ]


def test_derivation_parameters_are_overridden_per_source(tmp_path: Path) -> None:
    columns = BASE_COLUMNS + "      是否终局裁决: final_award\n"
    derive = "      effective_date: {rule: award_effective_date, parameters: {service_days: 3}}\n"
    db = _derived(tmp_path, derive, columns)
    rows = _query(db, "SELECT case_no, effective_date FROM arbitrations WHERE case_no = 'A2'")
    assert rows == [("A2", date(2024, 3, 20))]
    recorded = _query(
        db,
        "SELECT source, table_name, column_name, derivation, parameters_json FROM derived_columns",
    )
    assert recorded[0][:4] == (
        "arbitration",
        "arbitrations",
        "effective_date",
        "award_effective_date",
    )
    assert json.loads(str(recorded[0][4])) == {"appeal_days": 15, "service_days": 3}


def test_final_award_by_amount_feeds_the_effective_date(tmp_path: Path) -> None:
    # Derived in order: final_award first, then the effective date that reads it.
    derive = (
        "      effective_date: award_effective_date\n      final_award: final_award_by_amount\n"
    )
    rows = [
        "B1,裁决,2024-03-01,追索劳动报酬,22800,,",  # 12 × 1900: final
        "B2,裁决,2024-03-01,追索劳动报酬,22800.01,,",  # a fen more: not final
        "B3,裁决,2024-03-01,确认劳动关系,1000,,",  # not a money claim of art. 47(1)
        "B4,调解,2024-03-01,追索劳动报酬,1000,,",  # a mediation is no award
        "B5,裁决,2024-03-01,工伤医疗费,,,",  # amount unknown
        "B6,,,追索劳动报酬,1000,,",  # open
    ]
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(rows) + "\n")
    _, db = _ingest(_arbitration_manifest(tmp_path, BASE_COLUMNS, derive))
    assert _query(
        db, "SELECT case_no, final_award, effective_date FROM arbitrations ORDER BY 1"
    ) == [
        ("B1", True, date(2024, 3, 1)),
        ("B2", False, date(2024, 3, 17)),
        ("B3", False, date(2024, 3, 17)),
        ("B4", False, date(2024, 3, 1)),
        ("B5", None, date(2024, 3, 17)),
        ("B6", None, None),
    ]


def test_minimum_wage_override_moves_the_line(tmp_path: Path) -> None:
    derive = (
        "      final_award:\n        rule: final_award_by_amount\n"
        "        parameters: {monthly_minimum_wage: 2300}\n"
    )
    rows = ["B1,裁决,2024-03-01,追索劳动报酬,27600,,", "B2,裁决,2024-03-01,追索劳动报酬,27601,,"]
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(rows) + "\n")
    _, db = _ingest(_arbitration_manifest(tmp_path, BASE_COLUMNS, derive))
    assert _query(db, "SELECT case_no, final_award FROM arbitrations ORDER BY 1") == [
        ("B1", True),
        ("B2", False),
    ]


def test_unpaid_from_executed(tmp_path: Path) -> None:
    header = "执行案号,结案方式,申请执行标的(元),实际执行到位金额(元)\n"
    rows = [
        "E1,终结本次执行程序,100000,30000",  # partly paid
        "E2,执行完毕,100000,120000",  # more than the target (interest): never below 0
        "E3,执行完毕,100000,",  # fully executed, amount not given
        "E4,终结本次执行程序,100000,",  # nothing known of what was paid
        "E5,执行完毕,,5000",  # target unknown
    ]
    _write(tmp_path, "e.csv", header + "\n".join(rows) + "\n")
    manifest = _write(
        tmp_path,
        "manifest.yaml",
        "sources:\n  enforcement:\n    table: enforcements\n    files: e.csv\n    columns:\n"
        "      执行案号: case_no\n      结案方式: close_method\n"
        "      申请执行标的(元): target_amount\n      实际执行到位金额(元): executed_amount\n"
        "    derive:\n      unpaid_amount: unpaid_from_executed\n",
    )
    _, db = _ingest(manifest)
    assert _query(db, "SELECT case_no, unpaid_amount FROM enforcements ORDER BY 1") == [
        ("E1", Decimal("70000.00")),
        ("E2", Decimal("0.00")),
        ("E3", Decimal("0.00")),
        ("E4", None),
        ("E5", None),
    ]


def test_deposit_required_from_rate(tmp_path: Path) -> None:
    header = "总承包单位,施工合同额(元),存储比例\n"
    rows = ["甲建筑有限公司,1234567.89,2%", "乙建筑有限公司,1000000,", "丙建筑有限公司,,0.03"]
    _write(tmp_path, "d.csv", header + "\n".join(rows) + "\n")
    manifest = _write(
        tmp_path,
        "manifest.yaml",
        "sources:\n  deposits:\n    table: deposits\n    files: d.csv\n    columns:\n"
        "      总承包单位: contractor_name\n      施工合同额(元): contract_amount\n"
        "      存储比例: deposit_rate\n"
        "    derive:\n      required_amount: deposit_required_from_rate\n",
    )
    _, db = _ingest(manifest)
    assert _query(db, "SELECT source_row, required_amount FROM deposits ORDER BY 1") == [
        (2, Decimal("24691.36")),
        (3, None),
        (4, None),
    ]


def test_project_status_from_dates_uses_the_vocabulary_words(tmp_path: Path) -> None:
    header = "项目编号,施工总承包单位,发证日期,开工日期,竣工验收日期\n"
    rows = [
        "P1,甲公司,2023-01-01,2023-02-01,2024-06-30",
        "P2,甲公司,2023-01-01,2023-02-01,",
        "P3,甲公司,2023-01-01,,",
        "P4,甲公司,,,",
    ]
    _write(tmp_path, "p.csv", header + "\n".join(rows) + "\n")
    manifest = _write(
        tmp_path,
        "manifest.yaml",
        "sources:\n  projects:\n    table: projects\n    files: p.csv\n    columns:\n"
        "      项目编号: project_no\n      施工总承包单位: contractor_name\n"
        "      发证日期: permit_date\n      开工日期: start_date\n"
        "      竣工验收日期: completion_date\n"
        "    derive:\n      project_status: project_status_from_dates\n",
    )
    _, db = _ingest(manifest)
    assert _query(db, "SELECT project_no, project_status FROM projects ORDER BY 1") == [
        ("P1", "竣工"),  # the words the rules' test projects carry
        ("P2", "在建"),
        ("P3", "在建"),
        ("P4", None),
    ]


@pytest.mark.parametrize(
    ("derive", "columns", "fragment"),
    [
        (
            "      close_method: award_effective_date\n",
            BASE_COLUMNS,
            r"manifest\.yaml:12: derivation 'award_effective_date' fills "
            r"arbitrations\.effective_date",
        ),
        (
            "      closed_date: award_effective_dat\n",
            BASE_COLUMNS,
            r"manifest\.yaml:12: unknown derivation 'award_effective_dat' .*did you mean "
            r"'award_effective_date'",
        ),
        (
            "      effective_date: award_effective_date\n",
            BASE_COLUMNS + "      生效日期: effective_date\n",
            r"manifest\.yaml:13: arbitrations\.effective_date is derived by "
            r"'award_effective_date' but header '生效日期' already fills it .*remove",
        ),
        (
            "      effective_date: award_effective_date\n",
            BASE_COLUMNS.replace("      结案方式: close_method\n", ""),
            r"manifest\.yaml:11: derivation 'award_effective_date' of effective_date reads "
            r"close_method, final_award, which source 'arbitration' neither maps nor derives",
        ),
        (
            "      effective_date: {rule: award_effective_date, parameters: {apeal_days: 30}}\n",
            BASE_COLUMNS + "      是否终局裁决: final_award\n",
            r"manifest\.yaml:13: award_effective_date has no parameter 'apeal_days' "
            r"\(did you mean 'appeal_days'\?\)",
        ),
        (
            "      effective_date: {rule: award_effective_date, parameters: {appeal_days: 1.5}}\n",
            BASE_COLUMNS + "      是否终局裁决: final_award\n",
            r"award_effective_date\.appeal_days is a whole number",
        ),
    ],
)
def test_derive_mistakes_point_at_file_and_line(
    tmp_path: Path, derive: str, columns: str, fragment: str
) -> None:
    with pytest.raises(IngestError, match=fragment):
        load_manifest(_arbitration_manifest(tmp_path, columns, derive))


def test_every_derivation_is_documented() -> None:
    for name, derivation in library_derivations().derivations.items():
        spec = derivation.spec
        assert spec.zh and spec.en and derivation.inputs, name
        for parameter in spec.parameters.values():
            assert parameter.unit and parameter.zh and parameter.en and parameter.source, name


# ----- what the manifest leaves out, and re-ingesting when a derivation changes ---------


def test_unmapped_headers_and_absent_columns_are_listed(tmp_path: Path) -> None:
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(ARBITRATION_ROWS) + "\n")
    manifest = _arbitration_manifest(
        tmp_path, BASE_COLUMNS, "      final_award: final_award_by_amount\n"
    )
    result, _ = _ingest(manifest)
    assert result.by_source()["arbitration"].unmapped_headers == ["是否终局裁决", "承办人"]
    columns = result.columns["arbitration"]
    assert [(d.column, d.derivation) for d in columns.derived] == [
        ("final_award", "final_award_by_amount")
    ]
    assert "effective_date" in columns.absent and "final_award" not in columns.absent
    assert "case_no" not in columns.absent
    total = result.by_source()["arbitration"]
    assert total.rows_in == total.loaded + total.rejected == len(ARBITRATION_ROWS)
    again, _ = _ingest(manifest)  # unchanged files keep what they had
    assert again.files[0].status == "unchanged"
    assert again.by_source()["arbitration"].unmapped_headers == ["是否终局裁决", "承办人"]


def test_a_changed_derivation_parameter_re_ingests(tmp_path: Path) -> None:
    columns = BASE_COLUMNS + "      是否终局裁决: final_award\n"
    _write(tmp_path, "a.csv", ARBITRATION_HEADER + "\n".join(ARBITRATION_ROWS) + "\n")
    manifest = _arbitration_manifest(
        tmp_path, columns, "      effective_date: award_effective_date\n"
    )
    _, db = _ingest(manifest)
    assert _ingest(manifest)[0].files[0].status == "unchanged"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "award_effective_date", "{rule: award_effective_date, parameters: {appeal_days: 30}}"
        ),
        encoding="utf-8",
    )
    changed, _ = _ingest(manifest)
    assert changed.files[0].status == "loaded"
    assert _query(db, "SELECT effective_date FROM arbitrations WHERE case_no = 'A2'") == [
        (date(2024, 4, 1),)
    ]
