"""Every column a rule can see, with its meaning and unit, read from the feature library.

``screening features list`` prints this catalogue; the columns are the subject YAML files'
(``features/subjects/``) and a test holds the built views to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.features.library import PROVENANCE, FeatureLibrary, library
from screening.features.spec import SUBJECTS, Subject

__all__ = ["SUBJECTS", "Feature", "Subject", "catalog", "columns"]


@dataclass(frozen=True)
class Feature:
    name: str
    type: str  # DuckDB type: VARCHAR, DATE, DECIMAL, BIGINT, BOOLEAN, DOUBLE
    unit: str  # 元 yuan, 天 days, 人 workers, 件 cases, share 0–1, "" for text and dates
    zh: str
    en: str


_PROVENANCE = {
    "source_file": Feature(
        "source_file", "VARCHAR", "", "来源文件", "file of the subject's record"
    ),
    "source_row": Feature("source_row", "INTEGER", "", "来源行号", "row of the subject's record"),
}


def catalog(features: FeatureLibrary | None = None) -> dict[Subject, tuple[Feature, ...]]:
    """Per subject, its view's columns in order."""
    features = features or library()
    result: dict[Subject, tuple[Feature, ...]] = {}
    for name, subject in features.subjects.items():
        documented = [
            Feature(f.name, f.spec.type, f.spec.unit, f.spec.zh, f.spec.en)
            for f in subject.features
        ]
        documented += [_PROVENANCE[c] for c in subject.columns if c in PROVENANCE]
        result[name] = tuple(documented)
    return result


def columns(subject: Subject, features: FeatureLibrary | None = None) -> dict[str, Feature]:
    return {feature.name: feature for feature in catalog(features)[subject]}
