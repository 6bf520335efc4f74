"""The report as one self-contained HTML file: the style sheet inlined, charts as inline
SVG rendered offline, no scripts, nothing fetched, so it opens on a machine cut off from
the internet and prints as it shows (a print style sheet lays it out on A4)."""

from __future__ import annotations

from decimal import Decimal
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from screening import charts
from screening.dossier import CHANGE_TITLES, STATUS_COLUMN, SUBJECT_TITLES
from screening.export import HEADERS
from screening.report.content import ReportContent
from screening.review import STATUS_TITLES
from screening.rules.model import OUTCOME_TITLES


def render_html(report: ReportContent) -> str:
    """The report of ``report``'s run as an HTML document."""
    environment = Environment(
        loader=PackageLoader("screening.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters.update(money=_money, score=_score, percent=_percent)
    leads = report.leads
    css = files("screening.report").joinpath("templates", "report.css").read_text("utf-8")
    return environment.get_template("report.html.j2").render(
        report=report,
        run=report.run,
        leads=leads,
        new=leads.filter(change="new").height,
        persisting=leads.filter(change="persisting").height,
        charts=_charts(report) if not leads.is_empty() else {},
        css=Markup(css),
        headers=HEADERS,
        outcome_titles=OUTCOME_TITLES,
        subject_titles=SUBJECT_TITLES,
        change_titles=CHANGE_TITLES,
        status_titles=STATUS_TITLES,
        status_column=STATUS_COLUMN,
        outcome_colours=charts.OUTCOME_COLOURS,
    )


def _charts(report: ReportContent) -> dict[str, Markup]:
    built = {
        "outcome": charts.leads_by_outcome(report.leads),
        "scores": charts.score_distribution(report.leads),
        "breakdown": charts.score_breakdown(report.top, report.contributions),
    }
    # The SVG comes from vl-convert, not from the data: its text is escaped by Vega.
    return {name: Markup(charts.to_svg(chart, f"chart-{name}")) for name, chart in built.items()}


def _money(value: Decimal | float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _score(value: float) -> str:
    return f"{value:.2f}"


def _percent(value: float) -> str:
    return f"{value:.0%}"
