"""What a feature file may say: record sets and subjects (pydantic; unknown keys refused).

``features/records.yaml`` declares the **record sets**: a canonical table seen as of the job's
date — which rows exist yet (``visible``), which facts are not yet known (``masks``: a case
closed after the date is still open), one record per natural key (``first_per``), the
entity each name was linked to (``entities``), the record a link points at (``linked``) and
row-level columns derived by an expression (``columns``).

``features/subjects/<subject>.yaml`` declares a **subject** (company, project, award): the
record set it is built on, its legal numbers (``parameters``), the rows related to it
(``relations``: by a condition, or through a record link), its features in order — each an
expression over the subject's columns or an aggregate over a relation — and where the
evidence behind a lead on it comes from.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Subject = Literal["company", "project", "award"]
SUBJECTS: tuple[Subject, ...] = ("award", "project", "company")  # in build order
EvidenceTable = Literal["registry", "projects", "deposits", "arbitrations", "enforcements"]
SqlType = Literal["VARCHAR", "DATE", "DECIMAL", "BIGINT", "BOOLEAN", "DOUBLE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Mask(_Strict):
    """Columns that hold a fact only once ``when`` holds (e.g. ``closed_date <= $as_of``)."""

    when: str
    columns: list[str] = Field(min_length=1)


class Linked(_Strict):
    """A column of the record a link points at (``resolve.links``)."""

    link: str
    column: str
    # An exception link (a 终本 later restored) is rare by nature: finding none is no
    # missing input, so coverage does not count it.
    exception: bool = False


class RecordSet(_Strict):
    zh: str
    en: str
    table: str = Field(description="canonical table (or 'entities')")
    where: str = Field("true", description="which rows are records at all")
    visible: str = Field("true", description="which records exist as of $as_of")
    first_per: list[str] = Field(
        default_factory=list, description="one record per these columns: its first copy"
    )
    masks: list[Mask] = Field(default_factory=list)
    entities: dict[str, str] = Field(
        default_factory=dict, description="new column -> the name column whose entity it is"
    )
    linked: dict[str, Linked] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict, description="name -> expression")
    require: list[str] = Field(
        default_factory=list, description="columns (linked or derived) a record must have"
    )


class Parameter(_Strict):
    default: float | int | bool | str | date
    unit: str
    description: str = ""


class Relation(_Strict):
    """Rows related to each subject: of a record set or another subject's view, either
    where ``on`` holds (bare columns are the row's, ``subject.x`` the subject's) or the
    records a link points at from the subject's own record (``via``)."""

    source: str = Field(alias="from")
    join: str | None = None  # not "on": YAML reads a bare on as true
    via: str | None = None
    zh: str = ""
    en: str = ""


class Feature(_Strict):
    name: str
    type: SqlType
    unit: str = ""
    zh: str
    en: str
    expr: str | None = Field(None, description="over the subject's columns")
    aggregate: str | None = Field(None, description="e.g. count(*), sum(award_amount)")
    over: str | None = Field(None, description="the relation the aggregate runs over")
    where: str | None = Field(None, description="which related rows count")
    default: float | int | bool | None = Field(
        None, description="the value when no related row counts (count: 0)"
    )

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value.isidentifier() or value != value.lower():
            raise ValueError(f"'{value}' is not a name: use lower_case_with_underscores")
        return value


class Lens(_Strict):
    """One way an employer can be unusual, scored on its own features: an employer far
    out on one lens (every case closed cheaply) is not drowned by being typical on another
    (claims arriving at a normal pace)."""

    zh: str
    en: str
    features: list[str] = Field(min_length=1)
    # Features a job may choose (`model.features`) that the model does not read by default.
    optional: list[str] = Field(default_factory=list)


class AnomalySpec(_Strict):
    """Which subjects the anomaly model scores (``$min_cases`` from the job's model
    settings), through which lenses, on which of their features."""

    population: str
    lenses: dict[str, Lens] = Field(min_length=1)


class SubjectSpec(_Strict):
    subject: Subject
    zh: str
    en: str
    source: str = Field(alias="from", description="the record set, one subject per record")
    key: str = Field(description="the record column that identifies a subject")
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    relations: dict[str, Relation] = Field(default_factory=dict)
    features: list[Feature] = Field(min_length=1)
    evidence: dict[EvidenceTable, str] = Field(
        default_factory=dict, description="table -> 'self' or the relation whose rows prove it"
    )
    anomaly: AnomalySpec | None = None
