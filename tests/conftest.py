"""Shared fixtures: a generated tiny world (real files on disk) and readers for it, the
sample world's database, and one Spark session for every test that needs Spark."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings
from sample_job import CSV_ENCODINGS, SAMPLE

from screening.config import SparkSettings
from screening.ingest.load import ingest
from screening.ingest.manifest import load_manifest
from screening.resolve.link import resolve
from screening.store import Store
from screening.synth import GeneratedWorld, generate_world

# Hypothesis's deadline per example is a timing assert: on a loaded machine it failed a
# property that held (329 ms against 200 ms). Speed is measured in bench/, not asserted.
settings.register_profile("screening", deadline=None)
settings.load_profile("screening")

TINY_SEED = 20260930
MEDIUM_SEED = 11  # the default medium world of the bench and the stop notes
# One local session for the whole test run (starting one takes ~15 s): local[2], modest
# memory; the engine's own session code, so the tests start Spark as a job does.
SPARK_TESTS = SparkSettings(master="local[2]", driver_memory="2g", shuffle_partitions=2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (README's test command runs two workers), a test module runs on
    one worker, so its module fixtures are built once, and every Spark test on one
    worker, since each worker would otherwise start its own session (~15 s, ~1 GB)."""
    for item in items:
        group = "spark" if item.get_closest_marker("spark") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """The test run's Spark session. Without Java it is skipped on a developer's machine;
    in CI (which installs Java) a missing Java fails."""
    if not shutil.which("java") and not os.environ.get("JAVA_HOME") and not os.environ.get("CI"):
        pytest.skip("Spark needs Java 17+: apt-get install openjdk-17-jre-headless")
    from screening.backend.spark import spark_session as open_session

    with open_session(SPARK_TESTS) as session:
        yield session


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> GeneratedWorld:
    """One tiny world for the whole session; tests must not modify it."""
    return generate_world("tiny", TINY_SEED, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample world, ingested and resolved once; tests must not modify it
    (temporary tables are fine)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    with Store.open(path) as store:
        ingest(load_manifest(SAMPLE / "manifest.yaml"), store)
        resolve(store)
    return path


@pytest.fixture(scope="session")
def medium_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A medium world generated as ``screening generate --scale medium`` does (its folder),
    and its database, ingested and resolved once (~1 min); tests must not modify either."""
    world = tmp_path_factory.mktemp("medium")
    generate_world("medium", MEDIUM_SEED, world)
    database = world / "medium.duckdb"
    with Store.open(database) as store:
        ingest(load_manifest(world / "manifest.yaml"), store)
        resolve(store)
    return world, database


@dataclass
class Extract:
    """An extract file read back the way a person sees it: numbered rows of text."""

    header_row: int
    headers: list[str]
    rows: dict[int, list[str]]  # 1-based row number -> cells as text


def read_extract(path: Path) -> Extract:
    """Read an xlsx or CSV extract; a leading single-cell title row is skipped."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        lines = [
            [_text(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
        workbook.close()
    else:
        encoding = CSV_ENCODINGS[path.parent.name]
        lines = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    header_index = 1 if sum(bool(cell) for cell in lines[0]) == 1 else 0
    width = len(lines[header_index])
    rows = {
        number: (cells + [""] * width)[:width]
        for number, cells in enumerate(lines, start=1)
        if number > header_index + 1
    }
    return Extract(header_index + 1, lines[header_index], rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)
