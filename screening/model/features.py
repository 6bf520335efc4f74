"""What the anomaly model reads: the company features named under ``anomaly.features`` in
``features/subjects/company.yaml``, for the population declared there, as of a date.

Cheap to import (no scikit-learn): the job records the chosen features without running
the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from screening.config import ModelSettings
from screening.features.compile import DIALECT
from screening.features.library import library


@dataclass(frozen=True)
class ModelFeature:
    name: str  # a column of the company view (features/subjects/company.yaml)
    zh: str
    en: str


@dataclass(frozen=True)
class EmployerFeatures:
    """The model's input: one row per employer of the population, as of ``as_of``."""

    as_of: date
    features: tuple[ModelFeature, ...]
    frame: pl.DataFrame  # subject_key, then one column per feature

    def matrix(self) -> pl.DataFrame:
        return self.frame.select(f.name for f in self.features)


def model_features() -> tuple[ModelFeature, ...]:
    """The company features the model reads (``anomaly.features`` of the company subject)."""
    company = library().subjects["company"]
    assert company.spec.anomaly is not None
    return tuple(
        ModelFeature(name, company.feature(name).spec.zh, company.feature(name).spec.en)
        for name in company.spec.anomaly.features
    )


def chosen_features(settings: ModelSettings) -> list[ModelFeature]:
    """The features the settings ask for: all unless a subset is named."""
    return [f for f in model_features() if settings.features is None or f.name in settings.features]


def employer_features(
    con: duckdb.DuckDBPyConnection, as_of: date, settings: ModelSettings
) -> EmployerFeatures:
    """The population's features from the company view, which must have been built on
    ``con`` as of ``as_of`` (:func:`screening.features.views.build_views`)."""
    chosen = tuple(chosen_features(settings))
    company = library().subjects["company"]
    assert company.anomaly_population is not None
    population = company.anomaly_population.sql(dialect=DIALECT)
    columns = ", ".join(f.name for f in chosen)
    frame = pl.from_arrow(
        con.sql(
            f"""SELECT subject_key, {columns} FROM subject_company
                WHERE {population} ORDER BY subject_key""",
            params={"min_cases": settings.min_cases},
        ).to_arrow_table()
    )
    assert isinstance(frame, pl.DataFrame)
    return EmployerFeatures(as_of, chosen, frame)
