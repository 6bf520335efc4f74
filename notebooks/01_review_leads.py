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
# # 线索审查 Review leads
#
# The latest published run's leads, ranked, with each lead's dossier: why it scored, the
# source records behind it (file and row) and how their names were linked. Record a
# decision at the end; it is kept, with its history, across re-runs.
#
# Set the parameters below, then run all cells. Nothing here changes the database except
# the decision cell, and only when `DECISION` is set.

# %% tags=["parameters"]
DB = "../screening.duckdb"  # the job's database
OUTCOME = None  # e.g. "support_prosecution"; None: every outcome
DISTRICT = None  # e.g. "南海区"; None: every district
RULE = None  # e.g. "AWARD-UNENFORCED"; None: every rule
SHOW_SET_ASIDE = False  # also list confirmed, dismissed and snoozed leads
LEAD = None  # the lead to open; None: the first lead listed
DECISION = None  # e.g. ("dismissed", "已履行完毕 paid in full", "李检察官")
# a snooze also says until when: ("snoozed", "等待仲裁结果", "李检察官", "2027-01-31")

# %%
from datetime import date

import altair as alt
import polars as pl
from IPython.display import display

from screening import charts, dossier, review
from screening.store import Store

alt.renderers.enable("mimetype")  # charts drawn by Jupyter itself: no network
pl.Config.set_tbl_rows(30)
pl.Config.set_fmt_str_lengths(40)

with Store.open(DB, read_only=True) as store:
    run = dossier.published_run(store)
    leads = dossier.run_leads(store.con, run.run_id)
    titles = dossier.rule_titles()
    contributions = dossier.run_contributions(store.con, run.run_id, titles)
print(f"run {run.run_id}, as of {run.as_of}: {leads.height} leads")

# %% [markdown]
# ## 线索列表 The ranked leads
# Filtered by the parameters above; confirmed, dismissed and snoozed leads are hidden
# unless `SHOW_SET_ASIDE`. A dismissed lead whose evidence has changed comes back as
# re-opened.

# %%
listed = dossier.filter_leads(
    leads, outcome=OUTCOME, district=DISTRICT, rule=RULE, show_set_aside=SHOW_SET_ASIDE
)
dossier.readable_leads(listed).select(
    "排名 rank",
    "审查状态 status",
    "线索类型 outcome",
    "名称 name",
    "区县 district",
    "得分 score",
    "涉及金额（元）amount (yuan)",
    "理由 reason",
    "线索编号 lead id",
).head(30)

# %%
charts.leads_by_outcome(leads)

# %%
charts.score_breakdown(listed.head(20), contributions)

# %% [markdown]
# ## 线索卷宗 One lead's dossier

# %%
assert LEAD or not listed.is_empty(), "no lead passes the filters: widen them or set LEAD"
lead_id = LEAD or listed["lead_id"][0]
with Store.open(DB, read_only=True) as store:
    file = dossier.lead_dossier(store.con, run.run_id, lead_id, titles)
lead = file.lead
print(f"{lead['lead_id']}  #{lead['rank']}  {lead['subject_name']}  {lead['subject_key']}")
print(f"得分 score {lead['score']:.2f}: {lead['reason']}")
if file.evidence_changed:
    print("注意 note: 下列记录在本次运行后已变更 these records changed after this run")

# %%
file.contributions

# %%
charts.score_breakdown(leads.filter(lead_id=lead_id), contributions)

# %% [markdown]
# ### 证据 The source records behind it (file and row of each)

# %%
for table, records in file.evidence.items():
    print(f"{table}: {records.height} records")
    display(dossier.readable_records(records))

# %% [markdown]
# ### 主体识别 How the names in these records were linked

# %%
file.links

# %% [markdown]
# ## 审查结论 Record a decision
# Set `DECISION` to (decision, reason, reviewer) — decision one of confirmed, dismissed,
# needs_info, or snoozed with a fourth element, the day it ends — and run this cell.
# Earlier decisions stay in the history below.

# %%
if DECISION is not None:
    decision, reason, reviewer, *until = DECISION
    with Store.open(DB) as store:
        review.record_decision(  # against the evidence of the run read above
            store,
            lead_id,
            decision,
            reason=reason,
            reviewer=reviewer,
            snoozed_until=date.fromisoformat(until[0]) if until else None,
            run_id=run.run_id,
        )
with Store.open(DB, read_only=True) as store:
    history = review.decision_history(store.con, lead_id)
history
