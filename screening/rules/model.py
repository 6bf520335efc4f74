"""What a rule file may say: the schema of one YAML rule (pydantic; unknown keys refused).

A rule reads like the provision it encodes: an id, a bilingual title, the outcome it asks
for, its legal basis, named parameters with defaults and units, the subject it looks at, a
condition over that subject's columns (``features/subjects/*.yaml``) and its
parameters (``$name``), how much it weighs, which source rows prove it, how mature it is,
and its own test cases. A rule that needs a figure the views lack declares it under
``aggregates``: a count or sum over rows related to the subject, with a filter.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from screening.features.spec import EvidenceTable, Subject

Outcome = Literal[
    "support_prosecution",  # 支持起诉
    "enforcement_supervision",  # 执行监督
    "administrative_supervision",  # 行政违法行为监督
    "criminal_referral",  # 移送刑事线索
    "suppress",  # a guard: removes other leads on the same subject
]
# What analysts read for each outcome: Chinese first, English beside it.
OUTCOME_TITLES: dict[str, str] = {
    "support_prosecution": "支持起诉 support prosecution",
    "enforcement_supervision": "执行监督 enforcement supervision",
    "administrative_supervision": "行政违法监督 administrative supervision",
    "criminal_referral": "移送刑事 criminal referral",
    "suppress": "排除 suppressed by a guard",
}
Status = Literal["draft", "test", "stable"]
# Matched whole (fullmatch: "$" would let a trailing newline through into the SQL).
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
RULE_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")
MAX_NAME_CHARS = 64  # a rule id, parameter or aggregate name: it becomes an SQL name


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Title(Strict):
    zh: str = Field(min_length=1, description="标题（中文）")
    en: str = Field(min_length=1, description="Title in English")


class Parameter(Strict):
    default: float | int | bool | str | date
    unit: str = Field(description="e.g. 天 days, 元 yuan, 件 cases, share 0–1")
    description: str = ""


def value_problem(parameter: Parameter, value: object) -> str | None:
    """Why ``value`` cannot stand for ``parameter`` (an override in a job config or a test
    case), or None: a value of another kind than the default would fail in DuckDB, mid-run.
    """
    default = parameter.default
    if isinstance(default, bool) or isinstance(value, bool):  # a bool is an int in Python
        fits = isinstance(default, bool) and isinstance(value, bool)
    elif isinstance(default, int | float):
        fits = isinstance(value, int | float)
    elif isinstance(default, date):
        fits = isinstance(value, date) or _is_iso_date(value)
    else:
        fits = isinstance(value, str)
    if fits:
        return None
    kinds = {bool: "true or false", int: "a number", float: "a number", date: "a date"}
    kind = kinds.get(type(default), "text")
    return f"is {kind} (default {default!r}), not {value!r}"


def _is_iso_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


class Aggregate(Strict):
    """A figure over rows related to the subject: ``count`` rows, or ``sum``/``max``/``min``
    a column, of the rows that pass ``where``."""

    over: str = Field(description="a relation of the subject (features/subjects/*.yaml)")
    function: Literal["count", "sum", "max", "min"] = "count"
    column: str | None = None
    where: str = "true"
    description: str = ""


class Band(Strict):
    """The weight times ``factor`` when ``when`` holds (the first band that holds wins)."""

    when: str
    factor: float = Field(gt=0)


class Scoring(Strict):
    weight: float = Field(gt=0, le=10)
    bands: list[Band] = []


class RuleTest(Strict):
    """Rows for the canonical tables and the subjects the rule must find in them (and no
    others): a positive case lists them, a negative case lists none."""

    name: str
    as_of: date
    parameters: dict[str, float | int | bool | str | date] = {}  # overrides for this case
    rows: dict[EvidenceTable, list[dict[str, object]]]
    expect: list[str]


class Rule(Strict):
    id: str = Field(description="e.g. DEP-MISSING")
    title: Title
    outcome: Outcome
    legal_basis: list[str] = Field(min_length=1)
    subject: Subject
    status: Status
    parameters: dict[str, Parameter] = {}
    aggregates: dict[str, Aggregate] = {}
    condition: str
    score: Scoring
    evidence: list[EvidenceTable] = Field(min_length=1)
    tests: list[RuleTest] = Field(min_length=2)

    @field_validator("id")
    @classmethod
    def _rule_id(cls, value: str) -> str:
        if len(value) > MAX_NAME_CHARS:
            raise ValueError(f"a rule id of {len(value):,} characters (limit {MAX_NAME_CHARS})")
        if not RULE_ID.fullmatch(value):
            raise ValueError("a rule id is upper case words joined by '-', e.g. DEP-MISSING")
        return value

    @field_validator("parameters", "aggregates")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        for name in value:
            if len(name) > MAX_NAME_CHARS:
                raise ValueError(f"a name of {len(name):,} characters (limit {MAX_NAME_CHARS})")
            if not IDENTIFIER.fullmatch(name):
                raise ValueError(f"{name!r} is not a name: use lower_case_with_underscores")
        return value
