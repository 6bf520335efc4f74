"""What the anomaly model reads: the company features named under ``anomaly.lenses`` in
``features/subjects/company.yaml``, for the population declared there, as of a date.

Cheap to import (no scikit-learn): the job records the chosen features without running
the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl
from sqlglot import exp

from screening.backend import Backend, backend_of
from screening.config import ModelSettings
from screening.errors import ConfigError
from screening.features.library import library, view_table


@dataclass(frozen=True)
class ModelFeature:
    name: str  # a column of the company view (features/subjects/company.yaml)
    zh: str
    en: str
    lens: str  # the lens it is scored in (anomaly.lenses)


@dataclass(frozen=True)
class EmployerFeatures:
    """The model's input: one row per employer of the population, as of ``as_of``."""

    as_of: date
    features: tuple[ModelFeature, ...]
    frame: pl.DataFrame  # subject_key, then one column per feature


def model_features(*, optional: bool = False) -> tuple[ModelFeature, ...]:
    """The company features the model reads (each lens's ``features``, lens by lens), and
    with ``optional`` those a job may choose besides (each lens's ``optional``)."""
    company = library().subjects["company"]
    assert company.spec.anomaly is not None
    return tuple(
        ModelFeature(name, company.feature(name).spec.zh, company.feature(name).spec.en, lens)
        for lens, spec in company.spec.anomaly.lenses.items()
        for name in spec.features + (spec.optional if optional else [])
    )


def lens_titles() -> dict[str, str]:
    """Each lens's Chinese title, as reasons name it."""
    company = library().subjects["company"]
    assert company.spec.anomaly is not None
    return {name: lens.zh for name, lens in company.spec.anomaly.lenses.items()}


def chosen_features(settings: ModelSettings) -> list[ModelFeature]:
    """The features the settings ask for: the default ones unless others are named; a
    name the model does not know is refused."""
    if settings.features is None:
        return list(model_features())
    known = model_features(optional=True)
    unknown = sorted(set(settings.features) - {f.name for f in known})
    if unknown:
        raise ConfigError(
            f"model.features names no anomaly feature: {', '.join(unknown)}",
            hint=f"choose from: {', '.join(f.name for f in known)}",
        )
    return [f for f in known if f.name in settings.features]


def employer_features(
    target: Backend | duckdb.DuckDBPyConnection, as_of: date, settings: ModelSettings
) -> EmployerFeatures:
    """The population's features from the company view, which must have been built on
    ``target`` as of ``as_of`` (:func:`screening.features.views.build_views`)."""
    chosen = tuple(chosen_features(settings))
    company = library().subjects["company"]
    assert company.anomaly_population is not None
    query = (
        exp.select("subject_key", *(f.name for f in chosen))
        .from_(view_table("company"))
        .where(company.anomaly_population.copy())
        .order_by("subject_key")
    )
    frame = backend_of(target).fetch(query, {"min_cases": settings.min_cases})
    return EmployerFeatures(as_of, chosen, frame)
