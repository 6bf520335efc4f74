"""The store's schema is frozen text that imports no stage; these tests keep it honest.

A released migration must never change, and the tables it creates must still be what
the stages expect. Real DuckDB databases throughout (no mocks).
"""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest

from screening.ingest.canonical import TABLES, canonical_ddl
from screening.store import MIGRATIONS, Store, sha256_json
from screening.store.migrations import split_statements

REPO_ROOT = Path(__file__).resolve().parents[1]
STORE_DIR = REPO_ROOT / "screening" / "store"
SCHEMA_DIR = STORE_DIR / "schema"

# sha256_json([version, description, statements]) of every released migration: what a
# database in the field has applied. Append the next one's when you add it; a changed
# hash here means a released migration was edited, which those databases never see.
RELEASED = {
    1: "4caa3793487bafb7c1cf40e55c3f0e0ac39f74bf0305a79564836914af2fafcb",
    2: "73f77e73dada36a0f6187066e401fa6aa23dbc8b7f6056e725ab78e7822e2b0b",
    3: "5bcb20b2dfa601b92785c811d31f62d9e849b43f2bacae2dfd300fca50aabc74",
    4: "074658c636466e8a15e797e1bcc250e6954287b675927f0d8159c84e31fa0fa6",
    5: "d1d8f0e715d0385de42e7934d6dd8433b0187bc306f88c1ebd54e00ba36464e1",
    6: "8af8874127e40fe04f687acd6e4f825ed686d5ee8d7427c8c7736d785b56cc0e",
    7: "c26b452a9ffe7352e7c0b87d239cb2bfab6348cfb7ef2dc0b9ba2395207ffc19",
    8: "7722640f1d1723eb785fae33fa0c26f2bdfb245f87a13e52b79c34773ef3ca3f",
    9: "df131213ce70d08a6be72312c15c4e12bb761e1ca29fdcf1a90d5a3c5dc67246",
    10: "984786bba5576a806f886b0405dc0e7f92a278b9f91f7d0351c6c99b57938ef5",
    11: "5c49b5ec0d8f60a5b93028017fecfee92386495c6961b94d06f5466862a38d10",
    12: "d9177adb29ff35f8cbde6b9b6f97c8ee017f58605bb092a1c7779a3b2b086776",
}


def test_released_migrations_are_unchanged() -> None:
    changed = [
        m.version
        for m in MIGRATIONS
        if m.version in RELEASED
        and sha256_json([m.version, m.description, list(m.statements)]) != RELEASED[m.version]
    ]
    assert not changed, (
        f"released migration(s) {changed} changed; databases that already applied them will "
        "never see the change. Restore them and add a new migration instead."
    )
    assert set(RELEASED) <= {m.version for m in MIGRATIONS}


def test_every_schema_file_is_a_migration_and_is_package_data() -> None:
    files = sorted(p.name for p in SCHEMA_DIR.iterdir() if p.suffix == ".sql")
    assert [f"{m.version:04d}" for m in MIGRATIONS] == [f[:4] for f in files], (
        "each schema/NNNN_*.sql must be listed, in order, in screening/store/migrations.py"
    )
    # An installed wheel carries only what package-data names; the store reads the files
    # with importlib.resources, so a missing glob breaks every fresh database.
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["screening"]
    for name in files:
        assert any(fnmatch.fnmatch(f"store/schema/{name}", g) for g in globs), name


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, tuple[str, bool]]:
    rows = con.execute(
        "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {name: (data_type, nullable) for name, data_type, nullable in rows}


def test_canonical_tables_match_the_ingest_definition(tmp_path: Path) -> None:
    """The live ``canonical_ddl()`` still describes what the migrations create."""
    expected_db = duckdb.connect()
    for statement in canonical_ddl():
        expected_db.execute(statement)
    with Store.open(tmp_path / "s.duckdb") as store:
        for table in TABLES:
            # By name, not position: a later migration can only append columns.
            migrated = _columns(store.con, table)
            expected = _columns(expected_db, table)
            differences = {
                column: {"migrations": migrated.get(column), "canonical.py": expected.get(column)}
                for column in sorted(migrated.keys() | expected.keys())
                if migrated.get(column) != expected.get(column)
            }
            assert not differences, (
                f"table {table}: screening/ingest/canonical.py no longer matches the table the "
                f"store's migrations create ({differences}). A change to the canonical columns "
                "must come with a new migration: add screening/store/schema/NNNN_<name>.sql "
                "(e.g. ALTER TABLE … ADD COLUMN …) and list it in screening/store/migrations.py; "
                "never edit a released one."
            )


def _stage_imports(source: str, package: tuple[str, ...]) -> list[str]:
    """The ``screening.*`` modules some source in ``package`` imports, anywhere in it
    (lazy imports in functions too), that are neither the store nor errors."""
    allowed = ("screening.errors", "screening.store")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this file's package
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            # `from screening import ingest` imports a submodule, not a name
            if module == "screening":
                names = [f"{module}.{alias.name}" for alias in node.names]
            else:
                names = [module]
        else:
            continue
        found += [
            name
            for name in names
            if name.split(".")[0] == "screening"
            and name != "screening"
            and not name.startswith(allowed)
        ]
    return found


def test_store_imports_no_stage() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): imports
        for path in sorted(STORE_DIR.rglob("*.py"))
        if (
            imports := _stage_imports(
                path.read_text(encoding="utf-8"), path.relative_to(REPO_ROOT).parent.parts
            )
        )
    }
    assert not offenders, f"the store must import no stage (its schema is frozen text): {offenders}"
    # And at run time, which also catches a stage pulled in through a third module.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, screening.store; print(*sorted(m for m in sys.modules "
            "if m.startswith('screening')))",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    stages = [
        m
        for m in loaded
        if m not in ("screening", "screening.errors") and not m.startswith("screening.store")
    ]
    assert not stages, f"importing screening.store loads stage modules: {stages}"


def test_stage_import_check_sees_imports() -> None:
    source = (
        "from screening.store import helpers\nfrom . import runs\nfrom screening import errors\n"
        "from .. import ingest\nfrom ..resolve import link\n"
        "def f():\n    import screening.rules.compile\n"
    )
    found = _stage_imports(source, ("screening", "store"))
    assert sorted(found) == ["screening.ingest", "screening.resolve", "screening.rules.compile"]


def test_split_statements() -> None:
    text = (
        "-- Migration 99: a header\n\n"
        "CREATE TABLE a (\n    x VARCHAR CHECK (x IN ('a;b'))\n);\n\n"
        "-- why this column\n"
        "ALTER TABLE a ADD COLUMN y JSON;  \n"
    )
    assert split_statements(text) == (
        "CREATE TABLE a (\n    x VARCHAR CHECK (x IN ('a;b'))\n)",
        "ALTER TABLE a ADD COLUMN y JSON",
    )
    with pytest.raises(ValueError, match="does not end with"):
        split_statements("CREATE TABLE a (x INTEGER)\n")
