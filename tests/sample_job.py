"""The bundled sample world (sample_data/): where it is, how its CSVs are encoded, and its
job on a database of the test's own."""

from __future__ import annotations

from pathlib import Path

from screening.config import JobConfig, load_config

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
# Encoding of each CSV source by its folder, as the generator writes every world (the
# sample too) and the agencies deliver them (DOMAIN.md).
CSV_ENCODINGS = {"projects": "gbk", "deposits": "utf-8", "enforcement": "gbk"}


def sample_config(database: Path) -> JobConfig:
    """The sample job writing to ``database`` instead of the job file's."""
    return load_config(SAMPLE / "job.yaml").model_copy(update={"database": database})
