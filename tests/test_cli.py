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
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


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


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, tmp_path: Path) -> None:
    result = screening(command, "--help", cwd=tmp_path)
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
