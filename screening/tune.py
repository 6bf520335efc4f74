"""Tuning one rule's parameter: for each value, what the lead list would become.

The subject views are built once, as of the run's date, and the other rules and the
anomaly model run once; then only the tuned rule runs again for each value, over the same
views, and the leads are ranked by the job's own :class:`screening.leads.score.Scorer`
(guards, weights, minimum score, reviewers' suppressions). Each value's leads are
compared with the current value's (leads entering and leaving) and scored against
labels: a world's planted leads, or the reviewers' confirmed and dismissed decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from screening.config import JobConfig
from screening.errors import ConfigError
from screening.evaluate import Labels
from screening.leads.score import Scorer
from screening.review import active_suppressions
from screening.rules.load import LoadedRule
from screening.store import Store

Value = float | int | str | bool | date


@dataclass(frozen=True)
class TunePoint:
    value: Value
    is_current: bool
    rule_hits: int  # subjects the tuned rule fires on
    rule_true: int | None  # of them, true leads by the labels (None: no label says)
    leads: pl.DataFrame  # lead_id, subject, subject_key, outcome: the whole list
    precision: float | None  # of the whole list, over the labelled leads
    recall: float | None  # of the labels' true leads
    entering: pl.DataFrame  # leads this value adds to the current value's list
    leaving: pl.DataFrame  # leads it removes


@dataclass(frozen=True)
class Tuning:
    rule_id: str
    parameter: str
    as_of: date
    labels: str  # where the labels came from
    points: list[TunePoint]


def parse_values(text: str, current: Value) -> list[Value]:
    """``"60,90,120"`` as values of the parameter's type (taken from its current value)."""
    kind = type(current)
    values: list[Value] = []
    for part in (piece.strip() for piece in text.split(",")):
        try:
            values.append(_as_value(part, current))
        except ValueError:
            raise ConfigError(
                f"{part!r} is not a {kind.__name__} value",
                hint=f"give values like the current one ({current!r}), separated by commas",
            ) from None
    if not values:
        raise ConfigError("no values to try", hint="e.g. --param days=30,60,90")
    return values


def _as_value(text: str, like: Value) -> Value:
    if isinstance(like, bool):  # before int: a bool is an int
        if text.lower() not in {"true", "false"}:
            raise ValueError(text)
        return text.lower() == "true"
    if isinstance(like, date):
        return date.fromisoformat(text)
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


def tune(
    store: Store,
    config: JobConfig,
    rules: list[LoadedRule],
    rule_id: str,
    parameter: str,
    values: str,
    *,
    as_of: date,
    labels: Labels,
    today: date | None = None,
) -> Tuning:
    """Fire ``rule_id`` with each of ``values`` ("30,60,90") of ``parameter`` and measure
    the lead list each gives, the current value first. Everything else is as the job with
    ``config`` would do it on ``today``: overrides, the model, weights, suppressions."""
    by_id = {loaded.rule.id: loaded for loaded in rules}
    if rule_id not in by_id:
        raise ConfigError(f"no rule {rule_id} in the job's rules", hint="see `rules check`")
    tuned = by_id[rule_id]
    if parameter not in tuned.rule.parameters:
        known = ", ".join(tuned.rule.parameters) or "none"
        raise ConfigError(f"rule {rule_id} has no parameter '{parameter}'", hint=f"its: {known}")
    overrides = dict(config.parameters)
    current = overrides.get(rule_id, {}).get(parameter, tuned.rule.parameters[parameter].default)
    tried = [current, *(v for v in parse_values(values, current) if v != current)]

    silenced = active_suppressions(store.con, today or date.today())
    scorer = Scorer(store.con, config, rules, as_of, silenced=silenced)
    others = scorer.fire([r for r in rules if r.rule.id != rule_id], overrides)

    def leads_with(own: pl.DataFrame) -> pl.DataFrame:
        ranked = scorer.rank(pl.concat([others, own]))
        return ranked.leads.select("lead_id", "subject", "subject_key", "outcome")

    points: list[TunePoint] = []
    for value in tried:
        own = scorer.fire(
            [tuned], {**overrides, rule_id: {**overrides.get(rule_id, {}), parameter: value}}
        )
        leads = leads_with(own)
        baseline = leads if not points else points[0].leads
        rule_keys = own.select("subject_key", pl.lit(tuned.rule.outcome).alias("outcome"))
        points.append(
            TunePoint(
                value=value,
                is_current=value == current,
                rule_hits=own.height,
                rule_true=labels.count_true(rule_keys),
                leads=leads,
                precision=labels.precision(leads),
                recall=labels.recall(leads),
                entering=leads.join(baseline, on="lead_id", how="anti"),
                leaving=baseline.join(leads, on="lead_id", how="anti"),
            )
        )
    return Tuning(rule_id, parameter, as_of, labels.source, points)
