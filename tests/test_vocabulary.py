"""The vocabulary: its examples hold in Python and in SQL alike, a bad file is refused with
file:line, and no word in it is dead — removing any one term makes a rule's own case fail
(or, for the words only the anomaly model reads, changes a model feature)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from screening.errors import RuleError
from screening.features.library import load_library, view_table
from screening.features.views import build_views
from screening.features.vocabulary import (
    FEATURES_LIBRARY,
    VOCABULARY_FILE,
    Vocabulary,
    library_vocabulary,
    load_vocabulary,
)
from screening.ingest.derive import DERIVATIONS_FILE, load_derivations
from screening.rules.load import load_rules
from screening.rules.testing import run_case
from screening.store import Store, insert_frame

RULES = Path(__file__).resolve().parents[1] / "rules"
# Sets no rule reads: the anomaly model's features do (features/subjects/company.yaml).
MODEL_ONLY = {"mediation_close"}
# Sets only the derivations of features/derivations.yaml read (their behaviour on rows is
# tested in test_manifest.py): removing a term must change a derivation's SQL.
DERIVATION_ONLY = {
    "award_close",
    "final_award_cause",
    "enforcement_complete_close",
    "project_completed_status",
    "project_building_status",
}
ABSENT = "（此词已删除 term removed）"


def test_every_example_matches_as_it_says_in_python_and_in_sql() -> None:
    vocabulary = library_vocabulary()
    con = duckdb.connect()
    for name, term_set in vocabulary.sets.items():
        cases = [(t, True) for t in term_set.examples.match]
        cases += [(t, False) for t in term_set.examples.no_match]
        for text, expected in cases:
            assert term_set.matches(text) is expected, (name, text)
            sql = term_set.condition(exp.Literal.string(text)).sql(dialect="duckdb")
            assert con.execute(f"SELECT coalesce({sql}, false)").fetchone() == (expected,), sql


def test_a_failing_example_and_a_bad_set_are_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / VOCABULARY_FILE
    path.write_text(
        """\
zb_close:
  zh: 终本
  en: closed for want of assets
  match: equals
  terms: [终结本次执行程序]
  examples:
    match: [终本]
    no_match: [执行完毕]
Bad-Name:
  zh: x
  en: x
  terms: [x]
  examples: {match: [x], no_match: [y]}
paid:
  zh: 已履行
  en: paid
  match: sometimes
  terms: [已履行]
  examples: {match: [已履行], no_match: [未履行]}
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as raised:
        load_vocabulary(path)
    message = str(raised.value)
    assert f"{path}:7: example '终本' should match @zb_close" in message
    assert f"{path}:9: 'Bad-Name' is not a name" in message
    assert f"{path}:17: 'match'" in message


def test_an_unknown_set_gets_a_did_you_mean(tmp_path: Path) -> None:
    rule = (RULES / "award_unenforced.yaml").read_text(encoding="utf-8")
    path = tmp_path / "award_unenforced.yaml"
    path.write_text(rule.replace("AND NOT paid_remark", "AND remark NOT IN @paid_remarks"))
    problems = load_rules(tmp_path).problems
    assert any(
        "unknown vocabulary set '@paid_remarks'" in p.message and "@paid_remark" in p.hint
        for p in problems
    ), problems


def _without(vocabulary: Vocabulary, name: str, field: str, term: str) -> Vocabulary:
    term_set = vocabulary[name]
    kept = [t for t in getattr(term_set, field) if t != term]
    if field == "terms" and not kept:
        kept = [ABSENT]  # a set cannot be empty: a term no text has stands for none
    changed = term_set.model_copy(update={field: kept})
    return dataclasses.replace(vocabulary, sets={**vocabulary.sets, name: changed})


def _mutations() -> list[tuple[str, str, str]]:
    return [
        (name, field, term)
        for name, term_set in library_vocabulary().sets.items()
        for field in ("terms", "unless")
        for term in getattr(term_set, field)
    ]


@pytest.mark.parametrize(("name", "field", "term"), _mutations())
def test_removing_any_term_fails_a_rule_case(
    name: str, field: str, term: str, tmp_path: Path
) -> None:
    mutated = _without(library_vocabulary(), name, field, term)
    if name in DERIVATION_ONLY:
        path = FEATURES_LIBRARY / DERIVATIONS_FILE
        before = [d.applied().record() for d in load_derivations(path).derivations.values()]
        after = [d.applied().record() for d in load_derivations(path, mutated).derivations.values()]
        assert before != after, f"no derivation reads '{term}' (@{name})"
        return
    features = load_library(FEATURES_LIBRARY, vocabulary=mutated)
    if name in MODEL_ONLY:
        assert _company_features(features.vocabulary, tmp_path) != _company_features(
            library_vocabulary(), tmp_path
        )
        return
    rules = load_rules(RULES, features)
    assert rules.errors == []
    cases = [
        (loaded, case)
        for loaded in rules.rules
        for case in loaded.rule.tests
        if term in json.dumps(case.rows, ensure_ascii=False, default=str)
    ]
    assert cases, f"no rule case types '{term}' (@{name}): add one"
    # The first failing case is enough (and most terms fail the first case that types them).
    failed = any(not run_case(loaded, case, features).passed for loaded, case in cases)
    assert failed, f"removing '{term}' from @{name}.{field} fails none of {len(cases)} cases"


def _company_features(vocabulary: Vocabulary, folder: Path) -> list[tuple[object, ...]]:
    """The anomaly features of two employers, one mediating everything cheaply."""
    features = load_library(FEATURES_LIBRARY, vocabulary=vocabulary)
    path = folder / f"model-{id(vocabulary)}.duckdb"
    with Store.open(path) as store:
        import polars as pl

        from screening.resolve.link import resolve

        rows = [
            {
                "case_no": f"佛禅劳人仲案字〔2025〕第{n}号",
                "applicant_name": "余有洋",
                "respondent_name": "佛山市禅城区宏达建筑劳务有限公司",
                "cause": "追索劳动报酬",
                "claim_amount": 20000,
                "award_amount": 5000,
                "filed_date": date(2025, 1, 1),
                "closed_date": date(2025, 1, 10),
                "close_method": "调解",
                "source_file": "tests/arbitrations",
                "source_row": n,
            }
            for n in range(2, 8)
        ]
        insert_frame(store.con, "arbitrations", pl.DataFrame(rows))
        resolve(store, vocabulary=vocabulary)
        build_views(store.con, date(2026, 9, 30), features)
        return store.con.execute(
            f"SELECT mediation_share, low_mediation_share FROM {view_table('company')}"
        ).fetchall()


def test_the_model_only_sets_are_read_by_the_model_and_no_rule() -> None:
    sets_in_rules = {
        name
        for name in library_vocabulary().sets
        for path in RULES.glob("*.yaml")
        if f"@{name}" in path.read_text(encoding="utf-8")
    }
    company = (FEATURES_LIBRARY / "subjects" / "company.yaml").read_text(encoding="utf-8")
    for name in MODEL_ONLY:
        assert name not in sets_in_rules and f"@{name}" in company
