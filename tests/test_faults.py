"""Faults, all real: a job SIGKILLed at each stage, two runs on one database, a database
that cannot be written.

The job runs in a child process on a copy of the sample world (real extracts, a real
DuckDB file). The child is the real ``run_job``; its public ``progress`` callback is where
it is killed — ``os.kill(own pid, SIGKILL)`` the moment the job reports a stage's point:

- ingest: one file written of several, inside ingest's transaction;
- resolve: mentions and entities replaced (committed), record links being written;
- rules: the rules stage started;
- publish: every lead row written, the transaction not yet committed.

A kill cannot be caught, so this is what a power cut or the OOM killer does. Afterwards
the last published run must be exactly as it was (leads, contributions, evidence, the runs
table's published rows), the canonical tables as the last committed ingest left them, and
the next run (the real CLI) must succeed and publish the same leads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from sample_job import SAMPLE

from screening.store import Store

SCREENING = [sys.executable, "-m", "screening"]
CANONICAL = ("registry", "projects", "deposits", "arbitrations", "enforcements", "rejects")
PUBLISHED = ("leads", "lead_contributions", "lead_evidence")
# The child: the real job, killed by itself at one (stage, done, detail) point of its
# progress, or paused there until the test lets it go on.
DRIVER = """
import os, signal, sys, time
from pathlib import Path
from screening.config import load_config
from screening.job import run_job

config_path, database, action, stage, done, detail = sys.argv[1:7]

def progress(at_stage, at_done, total, at_detail):
    if (at_stage, at_done) != (stage, int(done)) or detail not in ("", at_detail):
        return
    if action == "kill":
        print("KILLED AT", at_stage, at_done, total, at_detail, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    Path(database + ".paused").touch()
    deadline = time.monotonic() + 120
    while not Path(database + ".go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)

config = load_config(Path(config_path)).model_copy(update={"database": Path(database)})
result = run_job(config, progress=progress)
print("PUBLISHED", result.run_id, flush=True)
"""
KILL_POINTS = {
    "ingest": ("ingest", 1, ""),
    "resolve": ("resolve", 0, "linking records: the records they read"),
    "rules": ("rules", 0, ""),
    "publish": ("publish", 1, "committing"),
}


def _world(root: Path) -> Path:
    """A copy of the sample world with its job; returns the job file."""
    world = root / "world"
    shutil.copytree(SAMPLE, world, ignore=shutil.ignore_patterns("truth"))
    return world / "job.yaml"


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCREENING, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _driver(job: Path, db: Path, action: str, point: tuple[str, int, str]) -> subprocess.Popen[str]:
    stage, done, detail = point
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(job), str(db), action, stage, str(done), detail],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _snapshot(db: Path) -> dict[str, object]:
    """What a person relies on: every published run's leads with their contributions and
    evidence, the published run records, and the canonical tables (row hashes)."""
    with duckdb.connect(str(db), read_only=True) as con:
        snapshot: dict[str, object] = {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in PUBLISHED
        }
        snapshot["runs"] = con.execute(
            "SELECT run_id, status, finished_at, config_hash, input_hashes FROM runs "
            "WHERE status = 'published' ORDER BY run_id"
        ).fetchall()
        for table in CANONICAL:
            snapshot[table] = con.execute(
                f"SELECT count(*), sum(hash(t)) FROM {table} AS t"
            ).fetchall()
    return snapshot


def _published_leads(db: Path, run_id: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT lead_id, rank, score, outcome, subject_key FROM leads "
            "WHERE run_id = ? ORDER BY rank",
            [run_id],
        ).fetchall()


def _touch_inputs(job: Path) -> None:
    """Change the bytes, not the rows, of three extracts (a trailing blank line): each is
    ingested again, entities resolved again, rules and ranking run again."""
    for name in ("执行案件_2024.csv", "执行案件_2025.csv", "执行案件_2026.csv"):
        path = job.parent / "extracts" / "enforcement" / name
        path.write_bytes(path.read_bytes() + b"\r\n")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample world and a database with one published run (the real CLI)."""
    root = tmp_path_factory.mktemp("published")
    job = _world(root)
    db = root / "s.duckdb"
    result = _cli("run", "--config", str(job), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return job, db


def _copy(first_run: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    job, db = first_run
    shutil.copytree(job.parent, tmp_path / "world")
    shutil.copy(db, tmp_path / "s.duckdb")
    return tmp_path / "world" / "job.yaml", tmp_path / "s.duckdb"


@pytest.mark.parametrize("stage", list(KILL_POINTS))
def test_a_job_killed_at_any_stage_loses_nothing_and_the_next_run_succeeds(
    first_run: tuple[Path, Path], tmp_path: Path, stage: str
) -> None:
    job, db = _copy(first_run, tmp_path)
    before = _snapshot(db)
    leads_before = _published_leads(db, "run-000001")
    _touch_inputs(job)

    child = _driver(job, db, "kill", KILL_POINTS[stage])
    out, err = child.communicate(timeout=120)
    assert child.returncode == -9, (out, err)  # SIGKILL: nothing ran after the point
    assert f"KILLED AT {stage}" in out and "PUBLISHED" not in out

    after = _snapshot(db)
    for table in (*PUBLISHED, "runs"):
        assert after[table] == before[table], table  # the last published run, identical
    if stage == "ingest":  # ingest's transaction never committed: the tables as they were
        assert all(after[table] == before[table] for table in CANONICAL)
    with duckdb.connect(str(db), read_only=True) as con:
        killed = con.execute("SELECT status FROM runs WHERE run_id = 'run-000002'").fetchall()
    assert killed == [("running",)]  # the dead process could not mark it

    again = _cli("run", "--config", str(job), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert "published run-000003" in " ".join(again.stdout.split())
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT run_id, status, error FROM runs ORDER BY run_id").fetchall()
        stages = con.execute(
            "SELECT stage, reused FROM run_stages WHERE run_id = 'run-000003'"
        ).fetchall()
    assert [(run, status) for run, status, _ in runs] == [
        ("run-000001", "published"),
        ("run-000002", "failed"),
        ("run-000003", "published"),
    ]
    assert "abandoned" in str(runs[1][2])
    assert ("rank", False) in stages  # it scored again rather than reuse a half-made run
    # The same extracts (only blank lines added) give the same leads: nothing half-written
    # by the killed run leaked into the next one.
    assert _published_leads(db, "run-000003") == leads_before
    assert _snapshot(db)["registry"] == before["registry"]


def test_a_second_run_on_a_database_in_use_is_refused_and_nothing_is_corrupted(
    first_run: tuple[Path, Path], tmp_path: Path
) -> None:
    job, db = _copy(first_run, tmp_path)
    leads_before = _published_leads(db, "run-000001")
    _touch_inputs(job)
    first = _driver(job, db, "pause", ("resolve", 0, "linking records: the records they read"))
    try:
        paused = Path(f"{db}.paused")
        deadline = time.monotonic() + 90
        while not paused.exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never reached resolve"
            time.sleep(0.05)
        # The first run holds the database mid-resolve; a second run and a report try it.
        second = _cli("run", "--config", str(job), "--db", str(db))
        report = _cli("report", "--db", str(db), "--out", str(tmp_path / "report"))
    finally:
        Path(f"{db}.go").touch()
        out, err = first.communicate(timeout=120)
    for refused in (second, report):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "Traceback" not in refused.stderr
        message = " ".join(refused.stderr.split())
        assert message.startswith(f"error: {db}: the database is locked by another process")
        assert "wait for the other screening run to finish" in message
    assert first.returncode == 0, err
    assert "PUBLISHED run-000002" in out  # the first run finished undisturbed
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT run_id, status FROM runs ORDER BY run_id").fetchall()
    assert runs == [("run-000001", "published"), ("run-000002", "published")]
    assert _published_leads(db, "run-000002") == leads_before
    assert _cli("run", "--config", str(job), "--db", str(db)).returncode == 0


def _without_override() -> list[str]:
    """A command prefix that cannot bypass file permissions: as root, drop the
    capabilities that would (CAP_DAC_OVERRIDE and friends) for the child only."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_database_is_refused_in_one_line(
    first_run: tuple[Path, Path], tmp_path: Path
) -> None:
    job, db = _copy(first_run, tmp_path)
    prefix = _without_override()
    db.chmod(0o444)
    digest = _sha(db)
    result = subprocess.run(
        [*prefix, *SCREENING, "run", "--config", str(job), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: {db}: the database file is read-only")
    assert "chmod u+w" in message
    assert _sha(db) == digest
    # Reading it is still fine: the report opens it read-only.
    report = subprocess.run(
        [*prefix, *SCREENING, "report", "--db", str(db), "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.returncode == 0, report.stderr


def test_a_database_in_a_read_only_folder_is_refused_in_one_line(
    first_run: tuple[Path, Path], tmp_path: Path
) -> None:
    job, db = _copy(first_run, tmp_path)
    prefix = _without_override()
    folder = tmp_path / "locked"
    folder.mkdir()
    locked = folder / db.name
    shutil.move(db, locked)
    digest = _sha(locked)
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            [*prefix, *SCREENING, "run", "--config", str(job), "--db", str(locked)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert sorted(p.name for p in folder.iterdir()) == [db.name]  # no .wal, no journal
    finally:
        folder.chmod(0o755)
    # Before the check, DuckDB opened the file and failed at the first write (its .wal):
    # a TransactionException traceback, the run half-begun.
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: {locked}: the folder {folder} is read-only")
    assert _sha(locked) == digest
    with Store.open(locked, read_only=True) as store:
        assert [r[0] for r in store.con.execute("SELECT run_id FROM runs").fetchall()] == [
            "run-000001"
        ]
