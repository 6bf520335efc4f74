"""What the commands print: the tables that summarise a stage's result for a person.

Names and reasons are masked (worker ID numbers and phones) before they are shown.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table

from screening.cli.common import console
from screening.evaluate import DECOY_WINDOW
from screening.export import masked_text
from screening.resolve.quality import LARGEST_LEFT_OUT
from screening.review import STATUS_TITLES
from screening.rules.model import OUTCOME_TITLES

if TYPE_CHECKING:
    from screening.evaluate import Evaluation, LabelledEvaluation
    from screening.features.coverage import Coverage
    from screening.ingest.load import IngestResult
    from screening.job import JobResult
    from screening.resolve.link import ResolveResult
    from screening.resolve.review import Explanation


def evaluation_table(result: Evaluation) -> Table:
    """A run scored against a generated world's truth: precision, recall by pattern,
    precision by rule, decoys, entity resolution."""
    table = Table(title=f"Evaluation 评估 of {result.run_id}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, value in result.precision_at.items():
        table.add_row(f"precision@{k}", f"{value:.3f}")
    table.add_row("recall of planted leads", f"{result.recall:.3f}")
    for pattern, (found, planted) in result.recall_by_pattern.items():
        table.add_row(f"  recall {pattern}", f"{found}/{planted}")
    for rule, (right, fired) in result.precision_by_rule.items():
        table.add_row(f"  precision {rule}", f"{right}/{fired}")
    table.add_row(f"decoys in the top {DECOY_WINDOW}", str(result.decoys_in_top))
    resolution = result.resolution
    table.add_row("entity resolution pairwise precision", f"{resolution.precision:.4f}")
    table.add_row("entity resolution pairwise recall", f"{resolution.recall:.4f}")
    table.add_row(
        "  mentions linked to their own company",
        f"{resolution.right}/{resolution.mentions} ({resolution.right_share:.4f})",
    )
    largest = f"without the {LARGEST_LEFT_OUT} largest companies"
    table.add_row(f"  pairwise precision {largest}", f"{resolution.precision_without_largest:.4f}")
    table.add_row(f"  pairwise recall {largest}", f"{resolution.recall_without_largest:.4f}")
    if result.site_links is not None:
        sites = result.site_links
        table.add_row(
            "cases linked to their site's project",
            f"{sites.linked}/{sites.cases} ({sites.share:.3f}), right {sites.precision:.3f}",
        )
    return table


def labelled_table(result: LabelledEvaluation) -> Table:
    table = Table(
        title=f"Evaluation 评估 of {result.run_id} against reviewers' decisions 审查结论",
        caption="precision over the leads reviewers confirmed or dismissed 仅计已审查线索",
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("leads 线索", str(result.leads))
    table.add_row("labelled 已审查", str(result.labelled))
    for k, value in result.precision_at.items():
        table.add_row(f"precision@{k}", "–" if value is None else f"{value:.3f}")
    recall = "–" if result.recall is None else f"{result.recall:.3f}"
    table.add_row("recall of confirmed leads 确认线索召回率", recall)
    return table


def leads_summary(result: JobResult) -> Table:
    """Leads by outcome and review status, then the top ten with their reasons."""
    leads = masked_text(result.leads, "subject_name", "reason")
    table = Table(title="Leads 线索 (top 10)", title_justify="left")
    for column in ("rank", "outcome 类型", "subject 对象", "score", "amount 元", "reason 理由"):
        table.add_column(column, overflow="fold")
    for row in leads.head(10).iter_rows(named=True):
        amount = "" if row["amount"] is None else f"{row['amount']:,.0f}"
        table.add_row(
            str(row["rank"]),
            OUTCOME_TITLES[row["outcome"]],
            f"{row['subject_name'] or ''} {row['subject_key']}",
            f"{row['score']:.2f}",
            amount,
            row["reason"],
        )
    outcomes = leads.group_by("outcome").len().sort("outcome")
    statuses = result.statuses.group_by("status").len().sort("status")
    table.caption = "\n".join(
        (
            "; ".join(f"{OUTCOME_TITLES.get(o, o)}: {n}" for o, n in outcomes.iter_rows()),
            "; ".join(f"{STATUS_TITLES[s]}: {n}" for s, n in statuses.iter_rows()),
            f"suppressed by a guard rule 被排除规则剔除: {result.suppressed}; "
            f"rule hits silenced by reviewers 审查人员屏蔽: {result.silenced}",
        )
    )
    return table


def print_coverage(coverage: list[Coverage]) -> None:
    """Rules and anomaly features the extracts cannot (fully) feed, never left unsaid."""
    for item in coverage:
        if item.status == "dead":
            console.print(
                f"[red]dead 无法运行: {item.describe()} — the extracts leave these empty; "
                "map or derive the column in the manifest[/]",
                highlight=False,
            )
        elif item.status == "partial":
            console.print(f"[yellow]partial 部分输入为空: {item.describe()}[/]", highlight=False)


def resolve_summary(result: ResolveResult) -> Table:
    table = Table(title="Entity resolution 主体识别", title_justify="left")
    table.add_column("mentions by method 按方法")
    table.add_column("count", justify="right")
    for method, count in result.by_method.items():
        table.add_row(method, f"{count:,}")
    table.add_row("all mentions", f"{result.mentions:,}", style="bold")
    table.add_section()
    for kind, count in result.entities.items():
        table.add_row(f"{kind} entities", f"{count:,}")
    table.add_row("names shared by several companies, left apart", f"{result.ambiguous_names:,}")
    table.add_row("reviewer judgements", f"{result.judgements:,}")
    table.caption = f"{result.seconds:.1f} s"
    return table


def explanation_view(explanation: Explanation) -> Table:
    table = Table(title=f"{explanation.name}", title_justify="left")
    for column in ("candidate 候选", "entity", "trade", "industry", "score", "why"):
        table.add_column(column)
    decision = explanation.decision
    if decision is None:
        table.caption = "a natural person's name: never linked to a company"
    else:
        parts = decision.parts
        for candidate in decision.candidates:
            detail = candidate.score
            table.add_row(
                candidate.company.name,
                candidate.company.entity_id,
                candidate.company.parts.trade,
                candidate.company.parts.industry,
                "exact" if detail is None else f"{detail.total:.3f}",
                ""
                if detail is None
                else (
                    f"sound {detail.trade_sound:.2f} chars {detail.trade_characters:.2f} "
                    f"industry {detail.industry_sound:.2f}"
                    + (" same region" if detail.same_place else "")
                    + (" rare trade" if detail.rare_trade else "")
                ),
            )
        verdict = decision.link.entity_id if decision.link else "no link by name alone"
        table.caption = (
            f"trade {parts.trade!r} industry {parts.industry!r} form {parts.legal_form!r} "
            f"branch {parts.branch!r} regions {list(parts.places)} → {verdict}: {decision.why}"
        )
    for entity_id, method, confidence, count in explanation.linked:
        table.add_row(
            "(linked now)", entity_id, "", "", f"{confidence:.2f}", f"{method}, {count} mentions"
        )
    return table


def ingest_summary(result: IngestResult) -> RenderableType:
    """Rows in / loaded / rejected … per source: the promise that nothing was lost; then
    what the manifest leaves out or fills itself, per source."""
    columns = ingest_columns(result)
    counts = _ingest_counts(result)
    return Group(counts, columns) if columns is not None else counts


def ingest_columns(result: IngestResult) -> Table | None:
    """Per source: headers in the files the manifest does not map, columns derived by a
    rule (and its parameters), canonical columns nothing fills. None when all are empty."""
    table = Table(title="Columns 字段映射", title_justify="left")
    for header in ("source 来源", "unmapped headers 未映射表头", "derived 派生", "absent 缺失"):
        table.add_column(header, overflow="fold")
    totals = result.by_source()
    shown = False
    for source, columns in result.columns.items():
        unmapped = totals[source].unmapped_headers if source in totals else []
        derived = [
            f"{item.column} ← {item.derivation}"
            + (
                f" ({', '.join(f'{k}={v}' for k, v in item.parameters.items())})"
                if item.parameters
                else ""
            )
            for item in columns.derived
        ]
        if unmapped or derived or columns.absent:
            shown = True
            table.add_row(
                source, ", ".join(unmapped), "\n".join(derived), ", ".join(columns.absent)
            )
    table.caption = "derived columns: SELECT * FROM derived_columns"
    return table if shown else None


def _ingest_counts(result: IngestResult) -> Table:
    table = Table(title="Ingest 数据导入", title_justify="left")
    for header in (
        "source 来源",
        "files",
        "rows in",
        "loaded",
        "rejected",
        "duplicates",
        "USCC invalid",
        "USCC missing",
    ):
        table.add_column(header, justify="left" if header.startswith("source") else "right")
    files = Counter(item.source for item in result.files if item.status != "removed")
    for source, total in result.by_source().items():
        table.add_row(
            source,
            str(files[source]),
            *(
                f"{value:,}"
                for value in (
                    total.rows_in,
                    total.loaded,
                    total.rejected,
                    total.duplicates,
                    total.uscc_invalid,
                    total.uscc_missing,
                )
            ),
        )
    changed = sum(item.status != "unchanged" for item in result.files)
    table.caption = f"{changed} file(s) loaded or removed, {len(result.files) - changed} unchanged"
    return table
