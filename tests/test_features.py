"""The feature library: golden SQL per record set and view, every problem of a bad file
reported with file:line, lineage down to canonical columns, and an analyst's new feature
working from YAML alone."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from screening.errors import RuleError
from screening.features.compile import view_statements
from screening.features.library import library, load_library
from screening.features.views import build_views
from screening.features.vocabulary import FEATURES_LIBRARY
from screening.store import Store

GOLDEN = Path(__file__).parent / "golden" / "views"


def test_view_sql_matches_the_golden_files() -> None:
    """The SQL of every record set and view, reviewed like code. UPDATE_GOLDEN=1 rewrites."""
    for table, sql in view_statements(library()):
        golden = GOLDEN / f"{table}.sql"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(sql + "\n", encoding="utf-8")
        assert sql + "\n" == golden.read_text(encoding="utf-8"), table
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted(
        t for t, _ in view_statements(library())
    )


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    shutil.copytree(FEATURES_LIBRARY, folder)
    return folder


def test_problems_are_reported_all_at_once_with_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    award = folder / "subjects" / "award.yaml"
    text = award.read_text(encoding="utf-8")
    text = text.replace(
        "expr: coalesce(respondent_is_person, false)", "expr: coalesce(respondent_is_persn, false)"
    )
    text = text.replace("over: registration", "over: registrations")
    award.write_text(text, encoding="utf-8")
    records = folder / "records.yaml"
    records.write_text(
        records.read_text(encoding="utf-8").replace("table: deposits", "table: deposit"),
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as raised:
        load_library(folder)
    message = str(raised.value)
    lines = award.read_text(encoding="utf-8").splitlines()
    typo = next(n for n, line in enumerate(lines, 1) if "respondent_is_persn" in line)
    assert f"{award}:{typo}: unknown column 'respondent_is_persn'" in message
    assert "did you mean 'respondent_is_person'?" in message
    assert "an aggregate needs 'over'" in message
    assert f"{records}:" in message and "no canonical table 'deposit'" in message


def test_lineage_reaches_the_canonical_columns() -> None:
    award = library().subjects["award"]
    assert "arbitrations.remark" in award.lineage("paid_remark")
    assert "arbitrations.closed_date" in award.lineage("close_method")  # masked by it
    assert {"enforcements.close_method", "link.award_enforcement"} <= award.lineage(
        "zb_enforcements"
    )
    company = library().subjects["company"]
    assert "enforcements.unpaid_amount" in company.lineage("zb_unpaid_total")
    assert "registry.status_date" in company.lineage("awards_before_dereg_unpaid")


def test_an_analyst_adds_a_feature_by_editing_yaml_alone(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    company = folder / "subjects" / "company.yaml"
    company.write_text(
        company.read_text(encoding="utf-8").replace(
            "evidence:\n",
            """  - name: withdrawn_wage_cases
    type: BIGINT
    unit: 件 cases
    zh: 撤诉工资案件数
    en: wage cases withdrawn
    aggregate: count(*)
    over: awards
    where: wage_claim AND close_method = '撤诉'
evidence:
""",
            1,
        ),
        encoding="utf-8",
    )
    features = load_library(folder)
    with Store.open(tmp_path / "empty.duckdb") as store:
        build_views(store.con, date(2026, 9, 30), features)
        columns = [r[0] for r in store.con.execute("DESCRIBE subject_company").fetchall()]
    assert "withdrawn_wage_cases" in columns


def test_a_rule_whose_inputs_the_extracts_leave_empty_is_reported_dead(
    sample_db: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from screening.cli import app

    path = tmp_path / "no_close_method.duckdb"
    shutil.copyfile(sample_db, path)
    with Store.open(path) as store:
        store.con.execute("UPDATE enforcements SET close_method = NULL")
    result = CliRunner().invoke(app, ["rules", "check", "--db", str(path), "--as-of", "2026-09-30"])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "ZB-WITH-ASSETS dead — empty: enforcements.close_method" in text

    healthy = CliRunner().invoke(
        app, ["rules", "check", "--db", str(sample_db), "--as-of", "2026-09-30"]
    )
    assert healthy.exit_code == 0, healthy.output
    assert "0 dead" in healthy.output


def test_a_model_feature_belongs_to_one_lens(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    company = folder / "subjects" / "company.yaml"
    text = company.read_text(encoding="utf-8")
    company.write_text(
        text.replace(
            "        - open_wage_cases\n", "        - open_wage_cases\n        - mediation_share\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="'mediation_share' is named twice: put it in one lens"):
        load_library(folder)
