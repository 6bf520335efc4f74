"""Tuning one rule's parameter: for each value, what the lead list would become.

The subject views are built once, as of the job's date; then only the tuned rule runs
again for each value, over the same views, beside the other rules' hits at their current
settings. Guard rules apply as in the job; the anomaly model's leads, which no rule
parameter moves, are taken from the latest published run. Each value's leads are compared
with the current value's (leads entering and leaving) and scored against labels: a
world's planted leads, or the reviewers' confirmed and dismissed decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from screening.errors import ConfigError
from screening.evaluate import Labels
from screening.features.views import build_views
from screening.rank import ANOMALY, guard
from screening.rules.compile import Overrides
from screening.rules.load import LoadedRule
from screening.rules.run import fire
from screening.store import Store, query_frame

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
    rules: list[LoadedRule],
    rule_id: str,
    parameter: str,
    values: str,
    *,
    as_of: date,
    overrides: Overrides,
    labels: Labels,
) -> Tuning:
    """Fire ``rule_id`` with each of ``values`` ("30,60,90") of ``parameter`` and measure
    the lead list each gives, the current value first."""
    by_id = {loaded.rule.id: loaded for loaded in rules}
    if rule_id not in by_id:
        raise ConfigError(f"no rule {rule_id} in the job's rules", hint="see `rules check`")
    tuned = by_id[rule_id]
    if parameter not in tuned.rule.parameters:
        known = ", ".join(tuned.rule.parameters) or "none"
        raise ConfigError(f"rule {rule_id} has no parameter '{parameter}'", hint=f"its: {known}")
    current = overrides.get(rule_id, {}).get(parameter, tuned.rule.parameters[parameter].default)
    outcomes = {loaded.rule.id: loaded.rule.outcome for loaded in rules}

    build_views(store.con, as_of)
    others = fire(store.con, [r for r in rules if r.rule.id != rule_id], overrides)
    anomalies = _published_anomaly_leads(store)

    def leads_with(value: Value) -> tuple[pl.DataFrame, pl.DataFrame]:
        settings = {**overrides, rule_id: {**overrides.get(rule_id, {}), parameter: value}}
        own = fire(store.con, [tuned], settings)
        hits = pl.concat([others, own]).with_columns(
            pl.col("rule_id").replace_strict(outcomes).alias("outcome")
        )
        kept, _ = guard(hits)
        leads = pl.concat([kept.select(anomalies.columns).unique(), anomalies]).unique(
            maintain_order=True
        )
        return own, leads.sort("lead_id")

    _, baseline = leads_with(current)
    points = []
    tried = parse_values(values, current)
    for value in [current, *(v for v in tried if v != current)]:
        own, leads = leads_with(value)
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


def _published_anomaly_leads(store: Store) -> pl.DataFrame:
    """The anomaly model's leads in the latest published run (none before any run)."""
    run = store.latest_published_run()
    return query_frame(
        store.con,
        """SELECT DISTINCT l.lead_id, l.subject, l.subject_key, l.outcome
           FROM leads l JOIN lead_contributions c USING (run_id, lead_id)
           WHERE l.run_id = ? AND c.source = ? ORDER BY l.lead_id""",
        [run.run_id if run else None, ANOMALY],
    )
