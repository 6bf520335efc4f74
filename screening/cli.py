"""``screening`` command line: thin wrappers over library functions.

Every command has help with an example. Expected problems (ScreeningError) become a
one-line message and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from screening import __version__
from screening.cli_common import console, errors, reports_errors
from screening.cli_report import report
from screening.cli_review import decide, suppress
from screening.cli_rules import features_app, rules_app
from screening.cli_tune import tune
from screening.config import SAMPLE_DATA_DIR, JobConfig, load_config
from screening.errors import ConfigError
from screening.export import masked_text
from screening.ingest.load import IngestResult
from screening.resolve.link import ResolveResult
from screening.review import STATUS_TITLES
from screening.rules.model import OUTCOME_TITLES

if TYPE_CHECKING:
    from screening.evaluate import LabelledEvaluation
    from screening.features.coverage import Coverage
    from screening.job import JobResult
from screening.resolve.review import Explanation

app = typer.Typer(
    help="Screen agency extracts for wage-arrears leads (欠薪线索筛查).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")
app.add_typer(features_app, name="features")
app.command("tune")(tune)
app.command("decide")(decide)
app.command("suppress")(suppress)
app.command()(report)


def _version(value: bool) -> None:
    if value:
        console.print(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Screen agency extracts for wage-arrears leads (欠薪线索筛查)."""


@app.command()
@reports_errors
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write extracts/ and truth/ into.")],
    scale: Annotated[str, typer.Option(help="tiny | small | medium | province")] = "small",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives identical files.")
    ] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the planted leads are relative to.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing world in OUT.")] = False,
) -> None:
    """Generate a synthetic world: five agencies' extracts plus its ground truth.

    Example: screening generate --scale small --seed 7 --out worlds/small-7
    """
    from screening.synth import DEFAULT_AS_OF, generate_world

    world = generate_world(
        scale,
        seed,
        out,
        as_of=_parse_date(as_of, "--as-of") if as_of else DEFAULT_AS_OF,
        overwrite=overwrite,
        progress=lambda message: console.print(f"  {message}", style="dim", highlight=False),
    )
    rows = sum(world.files.values())
    console.print(f"wrote {len(world.files)} files, {rows:,} data rows to {world.extracts}")
    console.print(f"ground truth in {world.truth} (the engine never reads it)")


@app.command()
@reports_errors
def ingest(
    manifest: Annotated[Path, typer.Option(help="Source manifest (YAML).")] = SAMPLE_DATA_DIR
    / "manifest.yaml",
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
) -> None:
    """Load the agency extracts a manifest names into the database's canonical tables.

    Unchanged files are skipped; a changed file replaces its previous load. Rows that
    cannot be loaded go to the `rejects` table with file, row, column and reason.

    Example: screening ingest --manifest sample_data/manifest.yaml --db screening.duckdb
    """
    from screening.ingest.load import ingest as ingest_files
    from screening.ingest.manifest import load_manifest
    from screening.store import Store

    loaded_manifest = load_manifest(manifest)
    with Store.open(db) as store, _file_progress() as advance:
        result = ingest_files(loaded_manifest, store, progress=advance)
    console.print(ingest_summary(result))
    console.print(f"database: {db}; rejected rows: SELECT * FROM rejects")


@app.command()
@reports_errors
def run(
    config: Annotated[
        Path | None, typer.Option(help="Job config (YAML). Default: sample_data/job.yaml.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Screen as of this date (YYYY-MM-DD).")
    ] = None,
    db: Annotated[
        Path | None, typer.Option(help="Database file (default ./screening.duckdb).")
    ] = None,
    export: Annotated[
        Path | None, typer.Option(help="Also write the leads to .parquet, .csv or .xlsx.")
    ] = None,
) -> None:
    """Run the screening job and publish its results to the database.

    With no options it screens the bundled sample_data/ into ./screening.duckdb.

    Example: screening run --config sample_data/job.yaml --as-of 2026-09-30
    Example: screening run --export leads.xlsx
    """
    from screening.job import run_job

    job = _job_config(config)
    overrides: dict[str, object] = {}
    if as_of:
        overrides["as_of"] = _parse_date(as_of, "--as-of")
    if db:
        overrides["database"] = db
    if export:
        overrides["output"] = job.output.model_copy(update={"export": export})
    job = job.model_copy(update=overrides)
    with _stage_progress() as tell:
        result = run_job(job, progress=tell)
    console.print(ingest_summary(result.ingest))
    console.print(resolve_summary(result.resolve))
    console.print(leads_summary(result))
    print_coverage(result.coverage)
    reused = " (rules, model and ranking reused: nothing they read changed)"
    console.print(
        f"published {result.run_id} (as of {result.as_of}) to {job.database}: "
        f"{result.leads.height} leads, {result.gone} of the last run's gone"
        f"{reused if result.scoring_reused else ''}."
    )


@app.command()
@reports_errors
def resolve(
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
    explain: Annotated[
        str | None, typer.Option(help="Show how this name is matched, and stop.")
    ] = None,
) -> None:
    """Link every company and person mention to an entity (USCC, exact, fuzzy, reviewer).

    Example: screening resolve --db screening.duckdb
    Example: screening resolve --explain 佛山市三水区宏达建筑劳务有限公司
    """
    from screening.resolve.link import resolve as resolve_entities
    from screening.resolve.review import explain as explain_name
    from screening.store import Store

    with Store.open(db) as store:
        if explain is not None:
            console.print(explanation_view(explain_name(store, explain)))
            return
        with console.status("resolving") as status:
            result = resolve_entities(store, progress=lambda stage: status.update(stage))
    console.print(resolve_summary(result))


@app.command()
@reports_errors
def judge(
    name: Annotated[str, typer.Argument(help="The company name as typed in a source.")],
    entity: Annotated[str, typer.Argument(help="An entity id, e.g. C-91440605MA4UQ2LW1R.")],
    cannot: Annotated[bool, typer.Option("--cannot", help="The name is NOT this entity.")] = False,
    reviewer: Annotated[str, typer.Option(help="Who decides.")] = "analyst",
    reason: Annotated[str, typer.Option(help="Why, for the record.")] = "",
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
) -> None:
    """Record that a name is (or, with --cannot, is not) an entity; it wins from the next
    `screening resolve` on, and is kept with its history.

    Example: screening judge 佛山宏达劳务 C-91440605MA4UQ2LW1R --reviewer 李检察官
    """
    from screening.resolve.review import judge as record
    from screening.store import Store

    with Store.open(db) as store:
        record(
            store,
            name,
            entity,
            "cannot_link" if cannot else "must_link",
            reviewer=reviewer,
            reason=reason,
        )
    console.print(f"recorded; run `screening resolve --db {db}` to apply it")


@app.command()
@reports_errors
def evaluate(
    truth: Annotated[
        Path | None,
        typer.Option(help="A generated world's truth/ folder (or the world); default: reviews."),
    ] = None,
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
) -> None:
    """Score the latest published run against a generated world's truth, or, without
    --truth, against the reviewers' confirmed and dismissed leads.

    Example: screening evaluate --truth sample_data/truth
    Example: screening evaluate --db screening.duckdb
    """
    from screening.evaluate import DECOY_WINDOW, decision_labels, evaluate_labels, world_of
    from screening.evaluate import evaluate as score_run
    from screening.store import Store

    with Store.open(db, read_only=True) as store:
        if truth is None:
            labels = decision_labels(store.con)
            if not labels.true and not labels.false:
                raise ConfigError(
                    "no lead has been confirmed or dismissed yet: nothing to score against",
                    hint="review leads first (notebook 01 or `screening decide`), or pass --truth",
                )
            console.print(labelled_table(evaluate_labels(store, labels)))
            return
        result = score_run(store, world_of(truth))
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
    precision, recall = result.resolution
    table.add_row("entity resolution pairwise precision", f"{precision:.4f}")
    table.add_row("entity resolution pairwise recall", f"{recall:.4f}")
    console.print(table)


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


def ingest_summary(result: IngestResult) -> Table:
    """Rows in / loaded / rejected … per source: the promise that nothing was lost."""
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


@contextmanager
def _file_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over files, fed by the (file, done, total) callbacks of ingest."""
    with _stage_progress() as tell:
        yield lambda file, done, total: tell("ingest", done, total, file)


@contextmanager
def _stage_progress() -> Iterator[Callable[[str, int, int, str], None]]:
    """One progress bar per stage of a job, fed by (stage, done, total, detail) callbacks."""
    with Progress(
        TextColumn("{task.fields[stage]:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=errors,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def tell(stage: str, done: int, total: int, detail: str) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(detail, stage=stage, total=None)
            # A stage without steps of its own shows a pulsing bar until it is done.
            steps = total if total > 1 or done == total else None
            bar.update(tasks[stage], description=detail, completed=done, total=steps)

        yield tell


def _job_config(path: Path | None) -> JobConfig:
    if path is not None:
        return load_config(path)
    default = SAMPLE_DATA_DIR / "job.yaml"
    if not default.exists():
        raise ConfigError(
            f"no --config given and {default} not found in the current folder",
            hint="run from the project folder or pass --config path/to/job.yaml",
        )
    return load_config(default)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-09-30"
        ) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
