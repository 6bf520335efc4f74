"""Tests for screening.store against real DuckDB files (no mocks)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from screening.errors import StoreError
from screening.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    Store,
    sha256_file,
    sha256_json,
)
from screening.store import migrations as migrations_module
from screening.store import runs as runs_module

REPO_ROOT = Path(__file__).resolve().parents[1]


def _begin(store: Store, **overrides: object) -> str:
    args: dict[str, object] = {
        "as_of": date(2024, 6, 30),
        "config_hash": "cfg",
        "input_hashes": {"registry.csv": "abc"},
        "seed": 7,
    }
    args.update(overrides)
    return store.begin_run(**args)  # type: ignore[arg-type]


def _publish_leads(store: Store, value: int) -> str:
    """Publish a run whose output is a one-row ``leads`` table holding ``value``."""
    run_id = _begin(store)
    with store.publish(run_id) as con:
        con.execute(f"CREATE OR REPLACE TABLE leads AS SELECT {value} AS lead")
    return run_id


def _leads(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute("SELECT * FROM leads ORDER BY ALL").fetchall()


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


# -- opening and migrations -------------------------------------------------------------


def test_migrates_an_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        tables = {
            r[0]
            for r in store.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            ).fetchall()
        }
        assert {"schema_migrations", "runs", "run_stages"} <= tables
        versions = [
            r[0]
            for r in store.con.execute(
                "SELECT version FROM schema_migrations ORDER BY version"
            ).fetchall()
        ]
        assert versions == [m.version for m in MIGRATIONS]
        assert versions[-1] == SCHEMA_VERSION == store.schema_version()
    assert db.is_file()

    # Reopening applies nothing twice: the applied_at stamps are untouched.
    with Store.open(db) as store:
        first = store.con.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    with Store.open(db) as store:
        again = store.con.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    assert again == first
    assert len(again) == len(MIGRATIONS)


def test_migrations_are_numbered_consecutively() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.statements for m in MIGRATIONS)


def _add_migration(monkeypatch: pytest.MonkeyPatch, *statements: str) -> None:
    """Pretend the code knows one more migration than it does."""
    extra = Migration(SCHEMA_VERSION + 1, "test migration", statements)
    monkeypatch.setattr(migrations_module, "MIGRATIONS", (*MIGRATIONS, extra))
    monkeypatch.setattr(migrations_module, "SCHEMA_VERSION", extra.version)


def test_applies_a_new_migration_to_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        run_id = _begin(store)
    _add_migration(monkeypatch, "CREATE TABLE test_added (lead_id VARCHAR)")
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION + 1
        assert store.con.execute("SELECT count(*) FROM test_added").fetchone() == (0,)
        assert store.get_run(run_id).run_id == run_id  # existing data survives


def test_a_failing_migration_is_rolled_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    Store.open(db).close()
    _add_migration(monkeypatch, "CREATE TABLE half_done (x INTEGER)", "SELECT * FROM no_such")
    with pytest.raises(StoreError, match=f"migration {SCHEMA_VERSION + 1}") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    monkeypatch.undo()
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        tables = store.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'"
        ).fetchone()
        assert tables == (0,)


def test_refuses_a_database_from_a_newer_version(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        store.con.execute(
            "INSERT INTO schema_migrations VALUES (?, 'from the future', now()::TIMESTAMP)",
            [SCHEMA_VERSION + 1],
        )
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer version of screening") as info:
            Store.open(db, read_only=read_only)
        assert str(db) in str(info.value)
        assert "upgrade" in str(info.value)


def test_read_only_open_does_not_migrate(tmp_path: Path) -> None:
    db = tmp_path / "plain.duckdb"
    duckdb.connect(str(db)).close()  # a valid but empty DuckDB file
    with pytest.raises(StoreError, match="read-only"):
        Store.open(db, read_only=True)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)
    with Store.open(db):
        pass
    with Store.open(db, read_only=True) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_missing_parent_directory(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "dir" / "s.duckdb"
    with pytest.raises(StoreError, match="does not exist") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    assert info.value.hint
    assert not db.parent.exists()


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("this is a text file, not a database\n" * 50, encoding="utf-8")
    with pytest.raises(StoreError, match="not a DuckDB database") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    assert info.value.hint
    assert db.read_text(encoding="utf-8").startswith("this is a text file")


def test_database_locked_by_another_process(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    Store.open(db).close()
    holder = subprocess.Popen(
        _python(
            f"""
            import sys, duckdb
            con = duckdb.connect({str(db)!r})
            print("open", flush=True)
            sys.stdin.read()  # hold the lock until the test closes our stdin
            """
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        for read_only in (False, True):
            with pytest.raises(StoreError, match="locked") as info:
                Store.open(db, read_only=read_only)
            assert str(db) in str(info.value)
            assert info.value.hint
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    with Store.open(db) as store:  # free again once the other process is gone
        assert store.schema_version() == SCHEMA_VERSION


def test_closed_store(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.duckdb")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        _ = store.con


# -- run records ------------------------------------------------------------------------


def test_run_ids_increase_and_records_round_trip(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        ids = [
            store.begin_run(
                as_of=date(2024, 1, i), config_hash=f"c{i}", input_hashes={"a": str(i)}, seed=i
            )
            for i in range(1, 4)
        ]
        assert ids == ["run-000001", "run-000002", "run-000003"]
        assert ids == sorted(ids)
        run = store.get_run(ids[1])
        assert run.run_id == "run-000002"
        assert run.status == "running"
        assert run.as_of == date(2024, 1, 2)
        assert run.config_hash == "c2"
        assert run.seed == 2
        assert run.input_hashes == {"a": "2"}
        assert run.started_at is not None
        assert run.finished_at is None
        assert run.error is None
        with pytest.raises(StoreError, match="no run"):
            store.get_run("run-999999")
    with Store.open(tmp_path / "s.duckdb") as store:  # numbering continues after reopening
        assert _begin(store) == "run-000004"


def test_record_stage_round_trips(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        run_id = _begin(store)
        store.record_stage(run_id, "ingest", seconds=1.5, rows_in=100, rows_out=98)
        store.record_stage(run_id, "resolve", seconds=0.25, reused=True)
        store.record_stage(run_id, "ingest", seconds=2.0, rows_in=100, rows_out=99)  # re-record
        rows = store.con.execute(
            "SELECT run_id, stage, seconds, rows_in, rows_out, reused FROM run_stages "
            "ORDER BY stage"
        ).fetchall()
        assert rows == [
            (run_id, "ingest", 2.0, 100, 99, False),
            (run_id, "resolve", 0.25, None, None, True),
        ]
        with pytest.raises(StoreError, match="no run"):
            store.record_stage("run-000099", "ingest", seconds=1.0)


def test_latest_published_run_ignores_failed_and_running(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.latest_published_run() is None
        first = _publish_leads(store, 1)
        second = _publish_leads(store, 2)
        failed = _begin(store)
        store.fail_run(failed, "boom")
        running = _begin(store)
        latest = store.latest_published_run()
        assert latest is not None
        assert latest.run_id == second != first
        assert latest.status == "published"
        assert latest.finished_at is not None
        assert store.get_run(failed).status == "failed"
        assert store.get_run(failed).error == "boom"
        assert store.get_run(running).status == "running"
        with pytest.raises(StoreError, match="already published"):
            store.fail_run(second, "too late")
        with pytest.raises(StoreError, match="only a running run"), store.publish(failed):
            pass


# -- atomic publication -----------------------------------------------------------------


def test_exception_inside_publish_keeps_previous_outputs(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        good = _publish_leads(store, 1)
        before = store.get_run(good)
        bad = _begin(store)
        with pytest.raises(ValueError, match="rule exploded"), store.publish(bad) as con:
            con.execute("CREATE OR REPLACE TABLE leads AS SELECT 99 AS lead, 'x' AS extra")
            con.execute("CREATE TABLE other_output AS SELECT 1 AS x")
            raise ValueError("rule exploded")
        assert _leads(store) == [(1,)]
        assert store.get_run(good) == before
        assert store.latest_published_run() == before
        tables = {
            r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert "other_output" not in tables
        failed = store.get_run(bad)
        assert failed.status == "failed"
        assert failed.error is not None and "rule exploded" in failed.error
        assert failed.finished_at is not None
        # The connection is usable again afterwards: no transaction was left open.
        assert _publish_leads(store, 3) == "run-000003"
        assert _leads(store) == [(3,)]


def test_publish_refuses_a_block_that_commits_itself(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        run_id = _begin(store)
        with (
            pytest.raises(StoreError, match="ended its transaction"),
            store.publish(run_id) as con,
        ):
            con.execute("CREATE OR REPLACE TABLE leads AS SELECT 1 AS lead")
            con.commit()
        assert store.get_run(run_id).status == "failed"
        assert store.latest_published_run() is None


def test_crash_mid_publication_keeps_previous_outputs(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        good = _publish_leads(store, 1)
    crash = subprocess.run(
        _python(
            f"""
            import os
            from datetime import date
            from screening.store import Store
            store = Store.open({str(db)!r})
            run_id = store.begin_run(as_of=date(2024, 1, 1), config_hash=None,
                                     input_hashes={{}}, seed=None)
            with store.publish(run_id) as con:
                con.execute("CREATE OR REPLACE TABLE leads AS SELECT range AS lead FROM range(5)")
                print(run_id, flush=True)
                os._exit(1)  # die without commit, rollback or cleanup
            """
        ),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crash.returncode == 1, crash.stderr
    crashed = crash.stdout.strip()
    assert crashed == "run-000002"

    # A dead process cannot mark its own run, so a read-only look still shows it running.
    with Store.open(db, read_only=True) as store:
        assert _leads(store) == [(1,)]
        latest = store.latest_published_run()
        assert latest is not None and latest.run_id == good
        assert store.get_run(crashed).status == "running"

    # A read-write open marks it failed, leaving the published run alone.
    with Store.open(db) as store:
        assert _leads(store) == [(1,)]
        latest = store.latest_published_run()
        assert latest is not None and latest.run_id == good
        abandoned = store.get_run(crashed)
        assert abandoned.status == "failed"
        assert abandoned.error is not None and "abandoned" in abandoned.error


def test_open_leaves_this_processs_live_runs_alone(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        run_id = _begin(store)
        with Store.open(db) as second:  # same process, shared database instance
            assert second.get_run(run_id).status == "running"
        with store.publish(run_id) as con:
            con.execute("CREATE OR REPLACE TABLE leads AS SELECT 1 AS lead")
        assert store.get_run(run_id).status == "published"
    assert (db.resolve(), run_id) not in runs_module._LIVE_RUNS


# -- hashing ----------------------------------------------------------------------------


def test_sha256_file_is_stable_and_streams(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 + 17)
    path = tmp_path / "extract.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_file(path) == expected
    assert sha256_file(str(path), chunk_size=1000) == expected
    path.write_bytes(data + b"!")
    assert sha256_file(path) != expected


def test_sha256_json_is_canonical() -> None:
    a = {"b": [1, 2, {"y": 1, "x": 2}], "a": "欠薪", "d": date(2024, 6, 30)}
    b = {"d": date(2024, 6, 30), "a": "欠薪", "b": [1, 2, {"x": 2, "y": 1}]}
    assert sha256_json(a) == sha256_json(b)
    assert len(sha256_json(a)) == 64
    assert sha256_json(a) == sha256_json(dict(a))
    assert sha256_json({"a": 1}) != sha256_json({"a": 2})
    assert sha256_json([1, 2]) != sha256_json([2, 1])  # list order is meaningful


def test_same_file_open_read_write_and_read_only_in_one_process(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db), pytest.raises(StoreError, match="already open in this process"):
        Store.open(db, read_only=True)


def test_memory_limit_bounds_the_database_and_work_spills(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.duckdb") as store:
        store.limit_memory("auto")  # DuckDB's own: most of the machine's memory
        (default,) = store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
        store.limit_memory("64MB")
        (limit,) = store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
        assert limit == "61.0 MiB" and default != limit
        # Numbering ~100 MB of hashes in order needs them all sorted: beyond the limit,
        # the sort spills to disk beside the database rather than failing.
        (last,) = store.con.execute(
            """SELECT max(n) FROM (SELECT row_number() OVER (ORDER BY h) AS n
                                   FROM (SELECT md5(i::VARCHAR) AS h FROM range(2000000) r(i)))"""
        ).fetchall()[0]
        assert last == 2_000_000
