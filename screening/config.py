"""The job config: which extracts to screen, with which rules and settings, as of when.

A job config is a YAML file validated by pydantic; every problem is reported at once with
file:line. Relative paths inside it are taken relative to the file itself, so a job folder
can be moved as a whole. With no file, :func:`default_config` screens ``sample_data/``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from screening.errors import ConfigError
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

SAMPLE_DATA_DIR = Path("sample_data")
# The rule library that ships with the engine (the project's rules/ folder).
RULES_LIBRARY = Path(__file__).resolve().parents[1] / "rules"
Engine = Literal["duckdb", "spark"]  # where the SQL stages run (screening.backend)


class _Strict(BaseModel):
    # Unknown keys are refused: a misspelt setting must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ModelSettings(_Strict):
    """The anomaly model: an IsolationForest per lens over per-company features (each
    lens flags its own outliers, ``contamination`` each)."""

    enabled: bool = True
    n_estimators: int = Field(200, ge=10, le=5000)
    contamination: float | Literal["auto"] = "auto"
    random_state: int = 0
    features: list[str] | None = Field(
        None, min_length=1, description="feature subset; the default ones when omitted"
    )
    min_cases: int = Field(5, ge=1, description="employers with fewer wage cases are not scored")
    max_leads: int = Field(100, ge=0, description="at most this many anomaly leads")


class RankingSettings(_Strict):
    """How rule contributions and the anomaly score combine into a lead score."""

    rule_weight: float = Field(1.0, ge=0, description="multiplies every rule's weight × band")
    rule_weights: dict[str, float] = Field(
        default_factory=dict, description="per-rule multipliers: {RULE-ID: factor}"
    )
    anomaly_weight: float = Field(1.3, ge=0, description="multiplies the anomaly score (0–1)")
    min_score: float = Field(0.0, ge=0, description="leads scoring less are not published")


class OutputSettings(_Strict):
    export: Path | None = Field(None, description="also write leads to .parquet, .csv or .xlsx")


class SparkSettings(_Strict):
    """Where the SQL stages run when ``engine: spark``: a local session (``local[2]``) or
    a cluster's master (``yarn``, ``k8s://…``; see the README on spark-submit)."""

    master: str = Field("local[2]", description="Spark master URL; ignored under spark-submit")
    app_name: str = Field("screening", min_length=1, description="the application's name")
    warehouse: str | None = Field(
        None,
        description="folder (or hdfs:// / s3a:// URL) for the tables Spark reads and writes; "
        "default: <database>.spark beside the database",
    )
    driver_memory: str = Field("2g", pattern=r"^[1-9][0-9]*[kmgt]$", description="e.g. 2g")
    shuffle_partitions: int = Field(4, ge=1, le=100_000, description="spark.sql.shuffle.partitions")
    conf: dict[str, str] = Field(
        default_factory=dict, description="any other Spark settings: {spark.key: value}"
    )


class JobConfig(_Strict):
    """Everything a screening run depends on; its hash is stored with the run."""

    database: Path = Path("screening.duckdb")
    manifest: Path = Field(
        SAMPLE_DATA_DIR / "manifest.yaml", description="source manifest: files and column maps"
    )
    data: Path | None = Field(
        None, description="folder of the extract files, instead of the manifest's root"
    )
    rules: list[Path] = Field(
        default_factory=lambda: [RULES_LIBRARY], description="folders of rule files"
    )
    parameters: dict[str, dict[str, float | int | str | bool]] = Field(
        default_factory=dict, description="per-rule parameter overrides: {RULE-ID: {name: value}}"
    )
    as_of: date | None = None
    seed: int = 0
    model: ModelSettings = ModelSettings()
    ranking: RankingSettings = RankingSettings()
    output: OutputSettings = OutputSettings()
    engine: Engine = Field(
        "duckdb", description="where views, rules, the model's features and evidence run"
    )
    spark: SparkSettings = SparkSettings()
    memory_limit: str = Field(
        "4GB",
        pattern=r"^([1-9][0-9]*(\.[0-9]+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)|auto)$",
        description="the most memory the database may hold before it spills to disk beside "
        "the database file (e.g. 4GB, 16GB); auto: DuckDB's own, 80% of the machine's",
    )
    # The file it was read from, so that problems found later (an override for a rule the
    # folders lack) still point at file:line.
    _source: YamlDocument | None = PrivateAttr(default=None)

    def where(self, *key_path: str) -> str | None:
        """file:line of a setting, when the config was read from a file."""
        return self._source.where(key_path) if self._source is not None else None

    def resolved_against(self, base: Path) -> JobConfig:
        """Copy with relative paths made relative to ``base`` (the config file's folder)."""

        def resolve(path: Path) -> Path:
            return path if path.is_absolute() else base / path

        export = self.output.export
        warehouse = self.spark.warehouse
        # An unset database stays relative to the working folder, like the CLI's --db.
        database = resolve(self.database) if "database" in self.model_fields_set else self.database
        return self.model_copy(
            update={
                "database": database,
                "manifest": resolve(self.manifest),
                "data": resolve(self.data) if self.data is not None else None,
                "rules": [resolve(path) for path in self.rules],
                "output": OutputSettings(export=resolve(export) if export else None),
                "spark": self.spark.model_copy(
                    update={"warehouse": _resolve_local(warehouse, resolve)}
                ),
            }
        )


def _resolve_local(place: str | None, resolve: Callable[[Path], Path]) -> str | None:
    """A local folder relative to the config file; a URL (hdfs://, s3a://) as written."""
    if place is None or "://" in place:
        return place
    return str(resolve(Path(place)))


def default_config() -> JobConfig:
    """The job ``screening run`` performs with no config: ``sample_data/`` into the cwd."""
    return JobConfig()


def load_config(path: Path) -> JobConfig:
    """Read and validate a job config; all problems are raised together as one ConfigError."""
    document = load_yaml(path)
    if document.data is None:
        document.data = {}
    if not isinstance(document.data, dict):
        raise ConfigError("a job config must be a mapping of settings", where=document.where())
    try:
        config = JobConfig.model_validate(document.data)
    except ValidationError as exc:
        problems = validation_errors(document, exc, JobConfig)
        raise ConfigError(
            "; ".join(str(problem) for problem in problems),
            hint=f"{len(problems)} problem(s); see `screening run --help` for the settings",
        ) from None
    resolved = config.resolved_against(path.parent)
    resolved._source = document
    return resolved
