"""Charts of a run's leads (Altair), for the HTML report and the review notebooks.

Each builder takes frames from :mod:`screening.dossier` and returns an ``alt.Chart`` a
notebook displays as it is; :func:`to_svg` renders one offline (vl-convert, no browser,
no network) for the report. Labels are Chinese first, English beside them, and an outcome
keeps its colour in every chart.
"""

from __future__ import annotations

import re

import altair as alt
import polars as pl

from screening.dossier import CHANGE_TITLES
from screening.leads.rank import SUPPRESS
from screening.rules.model import OUTCOME_TITLES

# CJK-capable fonts first: the analysts' machines (Windows, macOS, Linux) each have one.
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# A guard's outcome never reaches a lead: it has no colour.
OUTCOME_COLOURS = dict(
    zip(
        (title for outcome, title in OUTCOME_TITLES.items() if outcome != SUPPRESS),
        ("#1f5fa8", "#d9822b", "#2e8b57", "#b22d3a", "#6b5b95", "#7a7a7a"),
        strict=False,
    )
)
CHANGE_COLOURS = {CHANGE_TITLES["new"]: "#1f5fa8", CHANGE_TITLES["persisting"]: "#9db7d6"}
WIDTH = 560


def leads_by_outcome(leads: pl.DataFrame) -> alt.Chart:
    """Leads per outcome, new and persisting stacked (``leads`` from run_leads)."""
    counts = (
        leads.group_by("outcome", "change")
        .len()
        .with_columns(
            pl.col("outcome").replace(OUTCOME_TITLES).alias("outcome_title"),
            pl.col("change").replace(CHANGE_TITLES).alias("change_title"),
        )
        .sort("outcome", "change")
    )
    chart = (
        alt.Chart(counts, title="线索类型 Leads by outcome")
        .mark_bar()
        .encode(
            x=alt.X("sum(len):Q", title="线索数 leads"),
            y=alt.Y(
                "outcome_title:N",
                title=None,
                sort=list(OUTCOME_TITLES.values()),
                axis=alt.Axis(labelLimit=320),
            ),
            color=_scale("change_title", "变化 change", CHANGE_COLOURS),
            order=alt.Order("change:N"),
        )
        .properties(width=WIDTH - 200)
    )
    return _styled(chart)


def score_distribution(leads: pl.DataFrame) -> alt.Chart:
    """How scores spread, stacked by outcome (``leads`` from run_leads)."""
    frame = leads.select(
        "score", pl.col("outcome").replace(OUTCOME_TITLES).alias("outcome_title")
    ).sort("outcome_title", "score")
    chart = (
        alt.Chart(frame, title="得分分布 Score distribution")
        .mark_bar()
        .encode(
            x=alt.X("score:Q", bin=alt.Bin(maxbins=20), title="得分 score"),
            y=alt.Y("count():Q", title="线索数 leads"),
            color=_scale("outcome_title", "线索类型 outcome", OUTCOME_COLOURS),
        )
        .properties(width=WIDTH, height=180)
    )
    return _styled(chart)


def score_breakdown(leads: pl.DataFrame, contributions: pl.DataFrame) -> alt.Chart:
    """Each lead's score as a bar stacked by what contributed it (a rule, the anomaly
    model), one bar per lead of ``leads`` in rank order; ``contributions`` from
    run_contributions."""
    frame = (
        contributions.join(leads.select("lead_id", "subject_name", "subject_key"), on="lead_id")
        .with_columns(
            pl.format(
                "{}. {}", "rank", pl.coalesce("subject_name", "subject_key").str.slice(0, 18)
            ).alias("lead"),
            pl.format("{} {}", "source", "title").alias("contribution"),
        )
        .sort("rank", "source")
    )
    order = frame.unique("rank", keep="first", maintain_order=True).get_column("lead").to_list()
    chart = (
        alt.Chart(frame, title="得分构成 Score breakdown")
        .mark_bar()
        .encode(
            x=alt.X("score:Q", title="得分 score", stack="zero"),
            y=alt.Y("lead:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "contribution:N",
                title="来源 contribution",
                sort=sorted(frame.get_column("contribution").unique().to_list()),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=WIDTH),
            ),
            order=alt.Order("source:N"),
        )
        .properties(width=WIDTH - 120, height=alt.Step(16))
    )
    return _styled(chart)


def to_svg(chart: alt.Chart, prefix: str) -> str:
    """The chart as an SVG element to inline in HTML, rendered offline.

    Vega numbers its clip-path ids with a counter that runs across renders, so two
    inlined charts could clash and the same chart could differ from one render to the
    next: ids are renamed ``{prefix}-1``, ``{prefix}-2``, … in order of appearance.
    """
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.to_json())
    renamed: dict[str, str] = {}
    for old in re.findall(r'\bid="([^"]+)"', svg):
        renamed.setdefault(old, f"{prefix}-{len(renamed) + 1}")
    for old, new in renamed.items():
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
    return svg


def _scale(field: str, title: str, colours: dict[str, str]) -> alt.Color:
    return alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
        legend=alt.Legend(orient="bottom", columns=2, labelLimit=WIDTH),
    )


def _styled(chart: alt.Chart) -> alt.Chart:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_title(anchor="start", fontSize=14)
        .configure_axis(labelFontSize=11, titleFontSize=11, grid=True, gridColor="#eeeeee")
    )
