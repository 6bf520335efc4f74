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
# # 数据质量 Data quality
#
# What the extracts held and how well they joined up: rows rejected at ingest and why,
# how many records carry a valid USCC per source, how company names were linked to
# entities, and how the records spread over months and districts. Read this before
# trusting a run's leads: a source with many rejects or few valid codes hides leads.

# %% tags=["parameters"]
DB = "../screening.duckdb"

# %%
import altair as alt

from screening import data_quality
from screening.store import Store

alt.renderers.enable("mimetype")  # charts drawn by Jupyter itself: no network
with Store.open(DB, read_only=True) as store:
    files = data_quality.files(store.con)
    rejects = data_quality.rejects_by_reason(store.con)
    coverage = data_quality.uscc_coverage(store.con)
    methods = data_quality.link_methods(store.con)
    monthly = data_quality.records_by_month(store.con)
    districts = data_quality.projects_by_district(store.con)
files

# %% [markdown]
# ## 剔除记录 Rejected rows, by source and reason

# %%
rejects

# %%
alt.Chart(rejects, title="剔除原因 Rejects by reason").mark_bar().encode(
    x=alt.X("rows:Q", title="行数 rows"),
    y=alt.Y("reason:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
    color=alt.Color("source:N", title="来源 source"),
)

# %% [markdown]
# ## 统一社会信用代码覆盖 USCC coverage per source

# %%
coverage

# %%
alt.Chart(coverage, title="有效信用代码占比 Share with a valid USCC").mark_bar().encode(
    x=alt.X("valid_share:Q", title="占比 share", scale=alt.Scale(domain=[0, 1])),
    y=alt.Y("id_column:N", title=None, axis=alt.Axis(labelLimit=360)),
    color=alt.Color("source:N", title="来源 source"),
)

# %% [markdown]
# ## 主体识别 How names were linked to entities

# %%
methods

# %%
alt.Chart(methods, title="名称关联方式 Entity-link methods").mark_bar().encode(
    x=alt.X("mentions:Q", title="提及次数 mentions"),
    y=alt.Y("method_title:N", sort="-x", title=None),
    color=alt.Color("source_table:N", title="来源 source"),
)

# %% [markdown]
# ## 时间与地区分布 Records by month and projects by district

# %%
alt.Chart(monthly, title="每月记录数 Records by month").mark_line(point=True).encode(
    x=alt.X("month:T", title="月份 month"),
    y=alt.Y("records:Q", title="记录数 records"),
    color=alt.Color("source:N", title="来源 source"),
).properties(width=560)

# %%
alt.Chart(districts, title="各区县项目数 Projects by district").mark_bar().encode(
    x=alt.X("projects:Q", title="项目数 projects"),
    y=alt.Y("district:N", sort="-x", title=None),
)
