# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 规则调参 Tune a rule
#
# Pick a rule and one of its parameters, list the values to try, and see for each value
# how many leads the job would publish, how precise they are and how many true leads they
# find, and which leads enter or leave the list. Labels are a generated world's truth
# (`TRUTH`) or, without one, the reviewers' confirmed and dismissed leads. Nothing here
# changes the database: to adopt a value, put it under `parameters:` in the job config.

# %% tags=["parameters"]
DB = "../screening.duckdb"  # a database `screening run` has filled
CONFIG = "../sample_data/job.yaml"  # the job config: rules, overrides, as-of date
RULE = "AWARD-UNENFORCED"
PARAMETER = "horizon_days"
VALUES = "30,60,90,180,365"
TRUTH = None  # e.g. "../sample_data"; None: the reviewers' decisions

# %%
from pathlib import Path

import altair as alt
import polars as pl

from screening.config import load_config
from screening.evaluate import decision_labels, truth_labels
from screening.job import job_rules
from screening.store import Store
from screening.tune import tune

alt.renderers.enable("mimetype")  # charts drawn by Jupyter itself: no network
config = load_config(Path(CONFIG))
rules = job_rules(config)
with Store.open(DB, read_only=True) as store:
    run = store.latest_published_run()
    assert run is not None, "run `screening run` first"
    labels = truth_labels(Path(TRUTH)) if TRUTH else decision_labels(store.con)
    tuning = tune(store, config, rules, RULE, PARAMETER, VALUES, as_of=run.as_of, labels=labels)
rule = next(r.rule for r in rules if r.rule.id == RULE)
print(f"{rule.id} {rule.title.zh} {rule.title.en}")
print(f"{PARAMETER}: {rule.parameters[PARAMETER].description}")
summary = pl.DataFrame(
    {
        "value": [str(p.value) for p in tuning.points],
        "current": [p.is_current for p in tuning.points],
        "rule_hits": [p.rule_hits for p in tuning.points],
        "leads": [p.leads.height for p in tuning.points],
        "precision": [p.precision for p in tuning.points],
        "recall": [p.recall for p in tuning.points],
        "entering": [p.entering.height for p in tuning.points],
        "leaving": [p.leaving.height for p in tuning.points],
    }
).sort(pl.col("value").cast(pl.Float64, strict=False), nulls_last=True)
print(f"labels: {tuning.labels}")
summary

# %% [markdown]
# ## 曲线 Leads, precision and recall by value

# %%
order = summary["value"].to_list()
base = alt.Chart(summary).encode(x=alt.X("value:N", sort=order, title=f"{PARAMETER} 取值"))
counts = base.mark_line(point=True).encode(y=alt.Y("leads:Q", title="线索数 leads"))
shares = (
    base.transform_fold(["precision", "recall"], as_=["measure", "share"])
    .mark_line(point=True)
    .encode(
        y=alt.Y(
            "share:Q", title="精确率/召回率 precision / recall", scale=alt.Scale(domain=[0, 1])
        ),
        color=alt.Color("measure:N", title=None),
    )
)
alt.hconcat(counts.properties(width=260), shares.properties(width=260))

# %% [markdown]
# ## 变化 Leads entering and leaving, against the current value

# %%
changes = pl.concat(
    [
        frame.with_columns(
            pl.lit(str(point.value)).alias("value"), pl.lit(direction).alias("change")
        )
        for point in tuning.points
        for frame, direction in ((point.entering, "enter 新增"), (point.leaving, "leave 减少"))
    ]
)
changes.select("value", "change", "lead_id", "outcome", "subject_key")
