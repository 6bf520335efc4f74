"""The command line, run as a user runs it: a real process, real files, real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.main import get_command

from screening.cli import app

REPO = Path(__file__).resolve().parents[1]


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command, sub-commands of a group included (rules check, features list …)."""
    found = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found.extend(_commands(command, (*prefix, name)))
    return found


COMMANDS = _commands(get_command(app))


def screening(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "screening", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...], tmp_path: Path) -> None:
    result = screening(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


def test_generate_then_run_ingests_and_publishes(tmp_path: Path) -> None:
    generated = screening(
        "generate", "--scale", "tiny", "--seed", "4", "--out", "world", cwd=tmp_path
    )
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "world" / "job.yaml").exists()

    ran = screening("run", "--config", "world/job.yaml", "--db", "s.duckdb", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "arbitration" in ran.stdout and "rejected" in ran.stdout and "published" in ran.stdout
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        status, as_of = con.execute("SELECT status, as_of FROM runs").fetchone()  # type: ignore[misc]
        files = con.execute("SELECT count(*), sum(data_rows) FROM run_inputs").fetchone()
        loaded = con.execute("SELECT count(*) FROM arbitrations").fetchone()
    assert status == "published" and str(as_of) == "2026-09-30"
    assert files is not None and files[0] >= 5 and files[1] > 500
    assert loaded is not None and loaded[0] > 100
    assert "Leads 线索" in ran.stdout

    scored = screening("evaluate", "--truth", "world/truth", "--db", "s.duckdb", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert "precision@10" in scored.stdout and "entity resolution pairwise recall" in scored.stdout
    missing = screening("evaluate", "--truth", "nowhere", "--db", "s.duckdb", cwd=tmp_path)
    assert missing.returncode == 1 and "truth/leads.csv" in missing.stderr


def test_ingest_twice_reports_unchanged_files(tmp_path: Path) -> None:
    first = screening("ingest", "--db", str(tmp_path / "i.duckdb"), cwd=REPO)
    assert first.returncode == 0, first.stderr
    assert "enforcement" in first.stdout and "USCC missing" in first.stdout
    second = screening("ingest", "--db", str(tmp_path / "i.duckdb"), cwd=REPO)
    assert "0 file(s) loaded or removed" in second.stdout


def test_run_without_config_outside_the_project_says_what_to_do(tmp_path: Path) -> None:
    result = screening("run", cwd=tmp_path)
    assert result.returncode == 1
    assert "error:" in result.stderr and "--config" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["generate", "--scale", "tiny", "--out", "w", "--as-of", "2026-02-30"], "--as-of"),
        (["generate", "--scale", "huge", "--out", "w"], "huge"),
        (["run", "--config", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_gives_one_clear_line(args: list[str], fragment: str, tmp_path: Path) -> None:
    result = screening(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_rules_commands(tmp_path: Path) -> None:
    checked = screening("rules", "check", "--rules", str(REPO / "rules"), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout
    tested = screening("rules", "test", "FAKE-CLAIM", "--rules", str(REPO / "rules"), cwd=tmp_path)
    assert tested.returncode == 0 and "FAIL" not in tested.stdout, tested.stdout
    explained = screening(
        "rules", "explain", "DEP-MISSING", "--rules", str(REPO / "rules"), cwd=tmp_path
    )
    assert "$dep_missing__grace_days" in explained.stdout, explained.stdout
    assert screening("rules", "schema", "--out", "rule.json", cwd=tmp_path).returncode == 0
    assert '"additionalProperties": false' in (tmp_path / "rule.json").read_text(encoding="utf-8")
    listed = screening("features", "list", "award", cwd=tmp_path)
    assert "days_to_deadline" in listed.stdout and "距申请执行期限天数" in listed.stdout

    bad = tmp_path / "bad"
    bad.mkdir()
    rule = (REPO / "rules" / "fake_claim.yaml").read_text(encoding="utf-8")
    (bad / "fake_claim.yaml").write_text(
        rule.replace("iou_only AND", "iou_onli AND"), encoding="utf-8"
    )
    refused = screening("rules", "check", "--rules", str(bad), cwd=tmp_path)
    assert refused.returncode == 1
    line = 1 + rule.splitlines().index("condition: |")
    assert f"fake_claim.yaml:{line}: error: unknown column 'iou_onli'" in refused.stdout
    assert "did you mean 'iou_only'?" in refused.stdout
