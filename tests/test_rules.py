"""Rules: the library checks and passes its own cases, bad rules are refused with file:line,
the compiled SQL is stable, and each rule finds its planted pattern in the sample world."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from rule_texts import GOOD

from screening.evaluate import rule_hits_against_truth
from screening.features.catalog import catalog
from screening.features.library import view_table
from screening.features.views import build_views
from screening.rules.compile import compile_subject
from screening.rules.load import load_rule, load_rules
from screening.rules.run import run_rules
from screening.rules.testing import run_case, run_tests
from screening.store import Store

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
GOLDEN = Path(__file__).parent / "golden"
AS_OF = date(2026, 9, 30)


def test_views_have_exactly_the_documented_columns(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.duckdb") as store:
        build_views(store.con, AS_OF)
        for subject, features in catalog().items():
            described = store.con.execute(f"DESCRIBE {view_table(subject)}").fetchall()
            assert tuple(row[0] for row in described) == tuple(f.name for f in features)


def test_the_library_loads_cleanly_and_passes_its_own_cases() -> None:
    loaded = load_rules(RULES)
    assert loaded.problems == []
    assert len(loaded.rules) >= 8
    results = [result for rule in loaded.rules for result in run_tests(rule)]
    assert [r for r in results if not r.passed] == []
    for rule in loaded.rules:  # each rule has a positive and a negative case
        assert any(c.expect for c in rule.rule.tests) and any(not c.expect for c in rule.rule.tests)


def test_a_wrong_expectation_fails() -> None:
    rule = load_rules(RULES).by_id("AWARD-UNENFORCED")
    positive = next(case for case in rule.rule.tests if case.expect)
    wrong = positive.model_copy(update={"expect": []})
    assert not run_case(rule, wrong).passed


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (9, "condition: read_csv('/etc/passwd') IS NOT NULL", "'read_csv' is not allowed"),
        (9, "condition: award_amount > 0; DROP TABLE registry", "2 statements"),
        (9, "condition: COPY registry TO '/tmp/x.csv'", "is not allowed"),
        (9, "condition: ATTACH '/tmp/other.duckdb'", "is not allowed"),
        (9, "condition: INSTALL httpfs", "is not allowed"),
        (9, "condition: getenv('HOME') = ''", "'getenv' is not allowed"),
        (9, "condition: query('SELECT 1') IS NOT NULL", "'query' is not allowed"),
        (9, "condition: award_amount IN (SELECT 1)", "not allowed"),
        (9, "condition: registry.reg_capital > 0", "names a table"),
        (9, "condition: days_to_dedline <= 3", "unknown column 'days_to_dedline'"),
        (9, "condition: days_to_deadline <= $horizon", "unknown parameter '$horizon'"),
        (9, "conditon: days_to_deadline <= 3", "unknown key 'conditon'"),
        (11, "evidence: [deposits]", "evidence on subject 'award' cannot come from deposits"),
    ],
)
def test_bad_rules_are_refused_with_file_and_line(
    tmp_path: Path, line: int, text: str, message: str
) -> None:
    lines = GOOD.splitlines()
    lines[line - 1] = text
    path = tmp_path / "good_rule.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded, problems = load_rule(path)
    errors = [p for p in problems if p.severity == "error"]
    assert loaded is None and errors, problems
    matching = [e for e in errors if message in e.message]
    assert matching, errors
    assert matching[0].where == f"{path}:{line}"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("condition: days_to_dedline <= 3", "did you mean 'days_to_deadline'?"),
        ("conditon: days_to_deadline <= 3", "did you mean 'condition'?"),
    ],
)
def test_a_typo_gets_a_did_you_mean(tmp_path: Path, text: str, hint: str) -> None:
    lines = GOOD.splitlines()
    lines[8] = text
    path = tmp_path / "good_rule.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _loaded, problems = load_rule(path)
    assert hint in [p.hint for p in problems], problems


def test_compiled_sql_matches_the_golden_files() -> None:
    """The generated SQL, reviewed like code. UPDATE_GOLDEN=1 rewrites the files."""
    loaded = load_rules(RULES)
    for subject in catalog():
        query = compile_subject(subject, loaded.rules)
        golden = GOLDEN / f"{subject}.sql"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(query.sql + "\n", encoding="utf-8")
        assert query.sql + "\n" == golden.read_text(encoding="utf-8"), subject
        assert "$" not in "".join(str(v) for v in query.parameters.values())


def test_each_rule_finds_its_planted_pattern_in_the_sample_world(sample_db: Path) -> None:
    with Store.open(sample_db) as store:
        hits = run_rules(store, load_rules(RULES).rules, AS_OF)
    fired: dict[str, set[str]] = defaultdict(set)
    for rule_id, key in hits.select("rule_id", "subject_key").iter_rows():
        fired[rule_id].add(key)
    scores = rule_hits_against_truth(fired, ROOT / "sample_data")
    for unknown in ("ANOMALY-MEDIATION-MILL", "ANOMALY-WAGE-SHELL"):
        del scores[unknown]  # no rule: the anomaly model's patterns
    for rule_id, score in scores.items():
        found = len(score.found)
        assert found >= 0.95 * len(score.planted), (rule_id, score.planted - score.fired)
        assert found >= 0.9 * len(score.fired), (rule_id, score.fired - score.planted)
        assert not score.decoys_hit, (rule_id, score.decoys_hit)


AGGREGATE_RULE = """\
id: OPEN-CASES
title: {zh: 未结仲裁, en: open cases}
outcome: administrative_supervision
legal_basis: [test]
subject: company
status: test
parameters:
  at_least: {default: 2, unit: 件 cases}
aggregates:
  open_wage_cases:
    over: awards
    where: close_method IS NULL AND wage_claim
  claimed:
    over: awards
    function: sum
    column: claim_amount
condition: open_wage_cases >= $at_least AND claimed > 10000
score: {weight: 1}
evidence: [arbitrations]
tests:
  - name: two open wage cases
    as_of: 2026-09-30
    rows:
      arbitrations:
        - {case_no: A1, applicant_name: 余有洋, respondent_name: 佛山市禅城区宏达建筑劳务有限公司,
           cause: 追索劳动报酬, claim_amount: 8000, filed_date: 2026-08-01}
        - {case_no: A2, applicant_name: 李志强, respondent_name: 佛山市禅城区宏达建筑劳务有限公司,
           cause: 拖欠工资, claim_amount: 8000, filed_date: 2026-08-02}
    expect: [{company}]
  - name: one closed after the date counts as open; one other cause does not
    as_of: 2026-09-30
    rows:
      arbitrations:
        - {case_no: A3, applicant_name: 余有洋, respondent_name: 佛山市禅城区宏达建筑劳务有限公司,
           cause: 追索劳动报酬, claim_amount: 8000, filed_date: 2026-08-01,
           closed_date: 2026-10-09, close_method: 裁决}
        - {case_no: A4, applicant_name: 李志强, respondent_name: 佛山市禅城区宏达建筑劳务有限公司,
           cause: 经济补偿金, claim_amount: 8000, filed_date: 2026-08-02}
    expect: []
"""


def test_a_rule_can_declare_its_own_aggregates(tmp_path: Path) -> None:
    from screening.resolve.link import entity_hash
    from screening.resolve.names import parse_name

    parts = parse_name("佛山市禅城区宏达建筑劳务有限公司")
    company = f"N-{entity_hash(parts.place, parts.key)}"
    path = tmp_path / "open_cases.yaml"
    path.write_text(AGGREGATE_RULE.replace("{company}", company), encoding="utf-8")
    loaded, problems = load_rule(path)
    assert loaded is not None, problems
    assert [result.passed for result in run_tests(loaded)] == [True, True]
    query = compile_subject("company", [loaded])
    assert "FILTER(WHERE r.close_method IS NULL AND r.wage_claim)" in " ".join(query.sql.split())
    assert query.parameters == {"open_cases__at_least": 2}
