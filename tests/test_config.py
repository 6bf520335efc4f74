"""Job config: defaults, relative paths, and errors that point at file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from screening.config import SAMPLE_DATA_DIR, default_config, load_config
from screening.errors import ConfigError

SAMPLE_MANIFEST = Path(__file__).resolve().parents[1] / "sample_data" / "manifest.yaml"


def _write(folder: Path, text: str) -> Path:
    path = folder / "job.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_screens_the_sample_data() -> None:
    config = default_config()
    assert config.manifest == SAMPLE_DATA_DIR / "manifest.yaml"
    assert config.database == Path("screening.duckdb")


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "manifest: manifest.yaml\nas_of: 2026-09-30\ndatabase: out/s.duckdb\nseed: 5\n",
    )
    config = load_config(path)
    assert config.manifest == tmp_path / "manifest.yaml"
    assert config.database == tmp_path / "out" / "s.duckdb"
    assert config.as_of == date(2026, 9, 30)
    assert config.seed == 5
    assert config.data is None  # the manifest's root decides


def test_the_data_folder_is_relative_to_the_config_and_reaches_the_manifest(
    tmp_path: Path,
) -> None:
    from screening.errors import IngestError
    from screening.job import run_job

    config = load_config(_write(tmp_path, f"manifest: {SAMPLE_MANIFEST}\ndata: extracts/2025-06\n"))
    assert config.data == tmp_path / "extracts" / "2025-06"
    with pytest.raises(
        IngestError, match=r"--data \(or the job.s data:\): the data folder given .*2025-06"
    ):
        run_job(config.model_copy(update={"database": tmp_path / "s.duckdb"}))


def test_database_not_in_the_file_stays_in_the_working_folder(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "manifest: manifest.yaml\n"))
    assert config.database == Path("screening.duckdb")


def test_unknown_key_names_file_line_and_suggests(tmp_path: Path) -> None:
    path = _write(tmp_path, "manifest: manifest.yaml\n\nas_off: 2026-09-30\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert f"{path}:3" in message
    assert "as_off" in message and "as_of" in message  # did you mean


def test_bad_value_names_file_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "manifest: manifest.yaml\nranking:\n  rule_weight: -1\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}:3" in str(error.value)
    assert "rule_weight" in str(error.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("- a\n- b\n", "mapping"), ("manifest: [unclosed\n", "job.yaml:")],
)
def test_unusable_files_are_refused_clearly(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_config(_write(tmp_path, text))


def test_an_empty_file_means_all_defaults(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "# nothing set\n")).seed == default_config().seed


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_the_engine_and_its_spark_settings(tmp_path: Path) -> None:
    assert default_config().engine == "duckdb" and default_config().memory_limit == "4GB"
    local = load_config(_write(tmp_path, "engine: spark\nspark:\n  warehouse: wh\n"))
    assert local.engine == "spark" and local.spark.warehouse == str(tmp_path / "wh")
    assert local.spark.master == "local[2]"
    url = "hdfs://namenode:8020/screening"  # a cluster's storage stays as written
    remote = load_config(_write(tmp_path, f"engine: spark\nspark:\n  warehouse: {url}\n"))
    assert remote.spark.warehouse == url


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("as_of: 2026-09-30\nengine: sparc\n", 2, "'duckdb' or 'spark'"),
        ("engine: spark\nspark:\n  driver_memory: lots\n", 3, "driver_memory"),
        ("engine: spark\nspark:\n  mastre: yarn\n", 3, "master"),
        ("seed: 1\nmemory_limit: plenty\n", 2, "memory_limit"),
    ],
)
def test_bad_engine_settings_name_file_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}:{line}" in str(error.value) and fragment in str(error.value)
