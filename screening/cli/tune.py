"""``screening tune``: what one rule parameter's values would do to the lead list."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from screening.cli.common import console, job_config, parse_date, reports_errors
from screening.errors import ConfigError
from screening.tune import Tuning

SHOWN = 10  # leads listed per value as entering or leaving; the rest are counted


@reports_errors
def tune(
    rule: Annotated[str, typer.Argument(help="The rule to tune, e.g. DEP-MISSING.")],
    param: Annotated[
        str, typer.Option("--param", help="NAME=v1,v2,… : the parameter and values to try.")
    ],
    config: Annotated[Path | None, typer.Option(help="Job config (YAML).")] = None,
    db: Annotated[
        Path | None, typer.Option(help="Database of a job run (default: the config's).")
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="A generated world to score against; default: reviewers' decisions."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Screen as of (YYYY-MM-DD).")] = None,
) -> None:
    """For each value of a rule parameter: leads, precision and recall, leads in and out.

    Runs on a database a job has filled (`screening run` first), as of that run's date, with
    the config's rules and settings. Labels are a generated world's truth (--truth) or, by
    default, the reviewers' confirmed and dismissed leads.

    Example: screening tune AWARD-UNENFORCED --param warn_days=60,90,180
    Example: screening tune DEP-MISSING --param grace_days=0,30,60 --truth sample_data/truth
    """
    from screening.evaluate import decision_labels, truth_labels, world_of
    from screening.job import job_rules
    from screening.store import Store
    from screening.tune import tune as sweep

    job = job_config(config)
    name, separator, values = param.partition("=")
    if not separator or not name or not values:
        raise ConfigError(f"--param {param!r} is not NAME=v1,v2,…", hint="e.g. --param days=30,60")
    rules = job_rules(job)
    with Store.open(db or job.database, read_only=True) as store:
        run = store.latest_published_run()
        if run is None:
            raise ConfigError(
                "this database has no published run to tune on",
                where=str(db or job.database),
                hint="run `screening run` on it first",
            )
        labels = truth_labels(world_of(truth)) if truth else decision_labels(store.con)
        tuning = sweep(
            store,
            job,
            rules,
            rule,
            name,
            values,
            as_of=parse_date(as_of, "--as-of") if as_of else (run.as_of or date.today()),
            labels=labels,
        )
    console.print(tuning_table(tuning))
    for point in tuning.points:
        for leads, sign in ((point.entering, "+"), (point.leaving, "-")):
            if not leads.is_empty():
                console.print(_changes(f"{tuning.parameter}={point.value}", leads, sign))


def tuning_table(tuning: Tuning) -> Table:
    table = Table(
        title=f"Tuning 调参 {tuning.rule_id}.{tuning.parameter} (as of {tuning.as_of})",
        caption=f"* the current value 当前取值; labels 标注: {tuning.labels}",
        title_justify="left",
    )
    for column in (
        "value 取值",
        "rule hits 命中",
        "of them true 其中属实",
        "leads 线索",
        "precision 精确率",
        "recall 召回率",
        "enter 新增",
        "leave 减少",
    ):
        table.add_column(column, justify="right")
    for point in tuning.points:
        table.add_row(
            f"{point.value}{' *' if point.is_current else ''}",
            str(point.rule_hits),
            "–" if point.rule_true is None else str(point.rule_true),
            str(point.leads.height),
            _share(point.precision),
            _share(point.recall),
            str(point.entering.height),
            str(point.leaving.height),
        )
    return table


def _changes(title: str, leads: pl.DataFrame, sign: str) -> str:
    shown = [
        f"  {sign} {row['lead_id']} {row['outcome']} {row['subject_key']}"
        for row in leads.head(SHOWN).iter_rows(named=True)
    ]
    more = f"\n  … and {leads.height - SHOWN} more" if leads.height > SHOWN else ""
    verb = "enter 新增" if sign == "+" else "leave 减少"
    return f"{title}: {leads.height} leads {verb}\n" + "\n".join(shown) + more


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
