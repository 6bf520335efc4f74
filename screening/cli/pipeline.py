"""The pipeline's commands: generate a world, ingest, resolve, judge a name, run the whole
job, evaluate a run. Each is a thin wrapper over a library function."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from screening.cli.common import (
    console,
    file_progress,
    job_config,
    parse_date,
    reports_errors,
    stage_progress,
)
from screening.cli.summaries import (
    evaluation_table,
    explanation_view,
    ingest_summary,
    labelled_table,
    leads_summary,
    print_coverage,
    resolve_summary,
)
from screening.config import SAMPLE_DATA_DIR, Engine
from screening.errors import ConfigError


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
    dialect: Annotated[
        str,
        typer.Option(
            help="How the agencies write: default | shenzhen | jiangmen | huizhou | zhaoqing "
            "(zhaoqing is the holdout). Each ships its own manifest.yaml."
        ),
    ] = "default",
) -> None:
    """Generate a synthetic world: five agencies' extracts plus its ground truth.

    Example: screening generate --scale small --seed 7 --out worlds/small-7 --dialect jiangmen
    """
    from screening.synth import DEFAULT_AS_OF, generate_world

    world = generate_world(
        scale,
        seed,
        out,
        as_of=parse_date(as_of, "--as-of") if as_of else DEFAULT_AS_OF,
        overwrite=overwrite,
        progress=lambda message: console.print(f"  {message}", style="dim", highlight=False),
        dialect=dialect,
    )
    rows = sum(world.files.values())
    console.print(f"wrote {len(world.files)} files, {rows:,} data rows to {world.extracts}")
    console.print(f"ground truth in {world.truth} (the engine never reads it)")


@reports_errors
def ingest(
    manifest: Annotated[Path, typer.Option(help="Source manifest (YAML).")] = SAMPLE_DATA_DIR
    / "manifest.yaml",
    db: Annotated[Path, typer.Option(help="Database file.")] = Path("screening.duckdb"),
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the extract files; the manifest's globs are relative to it. "
            "Default: the manifest's root (its own folder unless it says root: DIR)."
        ),
    ] = None,
) -> None:
    """Load the agency extracts a manifest names into the database's canonical tables.

    Unchanged files are skipped; a changed file replaces its previous load. Rows that
    cannot be loaded go to the `rejects` table with file, row, column and reason. The
    summary lists, per source, the headers the manifest does not map, the columns it
    derives (table `derived_columns`) and the columns nothing fills.

    Example: screening ingest --manifest sample_data/manifest.yaml --db screening.duckdb

    Example: screening ingest --manifest manifests/foshan.yaml --data /mnt/extracts/2025-06
    """
    from screening.ingest.load import ingest as ingest_files
    from screening.ingest.manifest import load_manifest
    from screening.store import Store

    loaded_manifest = load_manifest(manifest, data=data)
    with Store.open(db) as store, file_progress() as advance:
        result = ingest_files(loaded_manifest, store, progress=advance)
    console.print(ingest_summary(result))
    console.print(f"database: {db}; rejected rows: SELECT * FROM rejects")


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
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the extract files, instead of the job's data: or the manifest's root."
        ),
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option(help="Run views, rules and evidence on duckdb or spark (the job's engine:)."),
    ] = None,
) -> None:
    """Run the screening job and publish its results to the database.

    With no options it screens the bundled sample_data/ into ./screening.duckdb.

    Example: screening run --config sample_data/job.yaml --as-of 2026-09-30

    Example: screening run --export leads.xlsx

    Example: screening run --config jobs/foshan.yaml --data /mnt/extracts/2025-06

    Example: screening run --engine spark
    """
    from screening.job import run_job

    job = job_config(config)
    overrides: dict[str, object] = {}
    if as_of:
        overrides["as_of"] = parse_date(as_of, "--as-of")
    if db:
        overrides["database"] = db
    if data:
        overrides["data"] = data
    if engine:
        overrides["engine"] = engine
    if export:
        overrides["output"] = job.output.model_copy(update={"export": export})
    job = job.model_copy(update=overrides)
    with stage_progress() as tell:
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
    from screening.evaluate import decision_labels, evaluate_labels, world_of
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
    console.print(evaluation_table(result))
