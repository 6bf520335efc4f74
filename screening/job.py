"""The batch screening job: ingest, resolve entities, rules and the anomaly model, rank,
publish.

Each stage records its timing in the run record; the leads, their contributions and their
evidence are published in one transaction, so a failed run leaves the previous published
run as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from importlib.metadata import version
from pathlib import Path

import duckdb
import polars as pl

from screening.config import JobConfig
from screening.errors import ConfigError
from screening.evidence import evidence_fingerprints, evidence_rows
from screening.export import check_export_path, export_leads
from screening.features.library import library
from screening.ingest.load import IngestResult, ingest, plan_inputs
from screening.ingest.manifest import load_manifest
from screening.model.anomaly import EVIDENCE as ANOMALY_EVIDENCE
from screening.model.anomaly import chosen_features, score_employers
from screening.rank import ANOMALY, Ranked, rank_leads
from screening.resolve.link import RESOLVER_VERSION, ResolveResult, resolve
from screening.review import active_suppressions, lead_statuses
from screening.rules.load import LoadedRule, load_rules
from screening.rules.run import run_rules
from screening.store import Store, insert_frame, now, query_frame, sha256_file, sha256_json

# The code that turns resolved data into leads: a change to any of it makes the next run
# score again rather than reuse leads this code did not make.
SCORING_CODE = (
    "features",
    "rules",
    "model",
    "rank.py",
    "evidence.py",
    "review.py",
    "job.py",
    "gazetteer.py",
    "data",  # the gazetteer: districts and area codes
)
# Libraries whose upgrade can move a score (the anomaly model, SQL, frames).
SCORING_LIBRARIES = ("scikit-learn", "numpy", "duckdb", "polars", "sqlglot")
SCORING_STAGES = ("rules", "model", "rank")  # reused together when their inputs are unchanged
Progress = Callable[[str, int, int, str], None]  # stage, done, total, detail


@dataclass(frozen=True)
class JobResult:
    run_id: str
    as_of: date
    ingest: IngestResult
    resolve: ResolveResult
    leads: pl.DataFrame  # the published leads, in rank order
    statuses: pl.DataFrame  # each lead's review status (screening.review.lead_statuses)
    suppressed: int  # leads a guard rule removed
    silenced: int  # rule hits a reviewer's suppression left out
    scoring_reused: bool  # rules, model and ranking reused from the last run (same inputs)
    gone: int  # leads of the previous published run that this run no longer has


def run_job(
    config: JobConfig, *, progress: Progress | None = None, today: date | None = None
) -> JobResult:
    """Run the job described by ``config`` and publish its outputs to ``config.database``;
    ``today`` (default: the clock's) decides which suppressions are in force."""
    manifest = load_manifest(config.manifest)
    rules = job_rules(config)
    if config.output.export is not None:
        check_export_path(config.output.export)  # before the run, not after minutes of it
    as_of = config.as_of or date.today()
    inputs = plan_inputs(manifest)
    with Store.open(config.database) as store:
        run_id = store.begin_run(
            as_of=as_of,
            config_hash=sha256_json(config.model_dump(mode="json")),
            input_hashes={item.relative: item.sha256 for item in inputs},
            seed=config.seed,
        )
        stages = _Stages(store, run_id, progress)
        try:
            with stages.stage("ingest") as stage:
                result = ingest(
                    manifest,
                    store,
                    inputs=inputs,
                    progress=lambda file, done, total: stages.tell("ingest", done, total, file),
                )
                totals = result.by_source().values()
                stage.rows_in = sum(t.rows_in for t in totals)
                stage.rows_out = sum(t.loaded for t in totals)
                stage.reused = all(item.status == "unchanged" for item in result.files)
            data_hash = _resolve_inputs(store)
            with stages.stage("resolve", data_hash) as stage:
                resolved, stage.reused = _resolve_unless_unchanged(store, data_hash)
                stage.rows_in = resolved.mentions
                stage.rows_out = sum(resolved.entities.values())
            # Suppressions are reviewers' acts in real time: in force on the day the job runs.
            suppressions = active_suppressions(store.con, today or date.today())
            scoring_hash = sha256_json(
                {
                    "data": data_hash,
                    "as_of": as_of,
                    "rules": [loaded.rule.model_dump(mode="json") for loaded in rules],
                    "config": config.model_dump(
                        mode="json", include={"parameters", "model", "ranking"}
                    ),
                    "suppressions": suppressions.rows(),
                    "features": library().fingerprint,
                    "code": _scoring_code_hash(),
                }
            )
            previous = store.latest_published_run()
            reusable = previous is not None and _stage_hash(store, previous.run_id) == scoring_hash
            if reusable and previous is not None:
                for name in SCORING_STAGES:
                    with stages.stage(name, scoring_hash) as stage:
                        stage.reused = True
                scored = None
            else:
                scored = _score(stages, store, config, rules, as_of, suppressions, scoring_hash)
            with store.publish(run_id) as con:
                con.execute(
                    """INSERT INTO run_inputs
                       SELECT ?, source, file, sha256, NULL, rows_in FROM ingested_files""",
                    [run_id],
                )
                settings = {
                    "config": config.model_dump(mode="json"),
                    "model_features": [f.name for f in chosen_features(config.model)],
                }
                con.execute(
                    "UPDATE runs SET settings = ? WHERE run_id = ?", [json.dumps(settings), run_id]
                )
                before = previous.run_id if previous else None
                if scored is None:
                    _copy_leads(con, before, run_id)
                else:
                    _publish_leads(con, run_id, before, scored)
                gone = _gone(con, before, run_id)
        except BaseException as exc:
            if store.get_run(run_id).status == "running":  # publish() marks its own failures
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            raise
        leads = query_frame(
            store.con, "SELECT * FROM leads WHERE run_id = ? ORDER BY rank", [run_id]
        )
        if config.output.export is not None:
            export_leads(leads, config.output.export)
        counts = _scoring_counts(store.con, run_id)
        statuses = lead_statuses(store.con, run_id)
    return JobResult(
        run_id,
        as_of,
        result,
        resolved,
        leads,
        statuses,
        suppressed=counts.get("suppressed", 0),
        silenced=counts.get("silenced", 0),
        scoring_reused=scored is None,
        gone=gone,
    )


@dataclass
class StageCounts:
    rows_in: int | None = None
    rows_out: int | None = None
    reused: bool = False


class _Stages:
    """Times each stage of a run, tells the progress display, and records the stage."""

    def __init__(self, store: Store, run_id: str, progress: Progress | None) -> None:
        self.store, self.run_id = store, run_id
        self.tell: Progress = progress or (lambda stage, done, total, detail: None)

    @contextmanager
    def stage(self, name: str, inputs_hash: str | None = None) -> Iterator[StageCounts]:
        counts = StageCounts()
        started_at, started = now(), time.perf_counter()
        self.tell(name, 0, 1, "")
        yield counts
        self.store.record_stage(
            self.run_id,
            name,
            seconds=time.perf_counter() - started,
            rows_in=counts.rows_in,
            rows_out=counts.rows_out,
            reused=counts.reused,
            started_at=started_at,
            inputs_hash=inputs_hash,
        )
        self.tell(name, 1, 1, "reused" if counts.reused else "")


@dataclass(frozen=True)
class _Scored:
    ranked: Ranked
    evidence: pl.DataFrame
    fingerprints: pl.DataFrame


def _score(
    stages: _Stages,
    store: Store,
    config: JobConfig,
    rules: list[LoadedRule],
    as_of: date,
    suppressions: pl.DataFrame,
    scoring_hash: str,
) -> _Scored:
    """Rules, the anomaly model and ranking, with each lead's evidence and fingerprint."""
    with stages.stage("rules", scoring_hash) as stage:
        hits = run_rules(store, rules, as_of, dict(config.parameters))
        stage.rows_in, stage.rows_out = len(rules), hits.height
    with stages.stage("model", scoring_hash) as stage:
        anomalies = None
        if config.model.enabled:
            model = score_employers(store.con, config.model)
            anomalies = model.flagged
            stage.rows_in, stage.rows_out = model.companies, anomalies.height
    with stages.stage("rank", scoring_hash) as stage:
        ranked = rank_leads(
            store.con, hits, rules, anomalies, settings=config.ranking, silenced=suppressions
        )
        evidence_tables: dict[str, Sequence[str]] = {ANOMALY: ANOMALY_EVIDENCE}
        evidence_tables |= {rule.rule.id: rule.rule.evidence for rule in rules}
        evidence = evidence_rows(store.con, ranked.leads, evidence_tables)
        fingerprints = evidence_fingerprints(store.con, evidence)
        stage.rows_in, stage.rows_out = hits.height, ranked.leads.height
    return _Scored(ranked, evidence, fingerprints)


RESOLVE_INPUTS, RESOLVE_RESULT = "resolve_inputs", "resolve_result"


def _resolve_inputs(store: Store) -> str:
    """A hash of everything entity resolution reads: the files and how they were ingested,
    the reviewers' judgements, the resolver's version."""
    con = store.con
    return sha256_json(
        {
            "files": con.execute(
                "SELECT file, sha256, spec_hash FROM ingested_files ORDER BY file"
            ).fetchall(),
            "judgements": con.execute(
                "SELECT count(*), max(decided_at)::VARCHAR FROM resolve_judgements"
            ).fetchall(),
            "resolver": RESOLVER_VERSION,
            # the vocabulary and link settings the record links are made with
            "features": library().fingerprint,
        }
    )


def _resolve_unless_unchanged(store: Store, inputs: str) -> tuple[ResolveResult, bool]:
    """Entity resolution, or its last result when nothing it reads has changed."""
    con = store.con
    saved = dict(
        con.execute(
            "SELECT key, value FROM settings WHERE key IN (?, ?)", [RESOLVE_INPUTS, RESOLVE_RESULT]
        ).fetchall()
    )
    if saved.get(RESOLVE_INPUTS) == inputs and RESOLVE_RESULT in saved:
        return ResolveResult(**json.loads(saved[RESOLVE_RESULT])), True
    resolved = resolve(store)
    for key, value in ((RESOLVE_INPUTS, inputs), (RESOLVE_RESULT, json.dumps(asdict(resolved)))):
        con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])
    return resolved, False


@cache
def _scoring_code_hash() -> str:
    package = Path(__file__).parent
    files = sorted(
        path
        for part in (package / name for name in SCORING_CODE)
        for path in ([part] if part.is_file() else part.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    )
    return sha256_json(
        {
            "files": {str(f.relative_to(package)): sha256_file(f) for f in files},
            "libraries": {name: version(name) for name in SCORING_LIBRARIES},
        }
    )


def _stage_hash(store: Store, run_id: str) -> str | None:
    """The inputs hash a run's ranking was computed from."""
    row = store.con.execute(
        "SELECT inputs_hash FROM run_stages WHERE run_id = ? AND stage = 'rank'", [run_id]
    ).fetchall()
    return row[0][0] if row else None


def job_rules(config: JobConfig) -> list[LoadedRule]:
    """The rules a job runs: every rule in its folders but drafts; overrides checked."""
    rules: list[LoadedRule] = []
    for folder in config.rules:
        loaded = load_rules(folder)
        loaded.raise_errors()
        rules += [rule for rule in loaded.rules if rule.rule.status != "draft"]
    known = {rule.rule.id: rule.rule for rule in rules}
    for rule_id in config.ranking.rule_weights:
        if rule_id not in known:
            raise ConfigError(f"a weight for an unknown rule {rule_id}", hint="check the id")
    for rule_id, values in config.parameters.items():
        if rule_id not in known:
            raise ConfigError(f"parameters for an unknown rule {rule_id}", hint="check the id")
        for name in values:
            if name not in known[rule_id].parameters:
                raise ConfigError(
                    f"rule {rule_id} has no parameter '{name}'",
                    hint=f"its parameters: {', '.join(known[rule_id].parameters) or 'none'}",
                )
    return rules


def _publish_leads(
    con: duckdb.DuckDBPyConnection, run_id: str, previous: str | None, scored: _Scored
) -> None:
    """Write the run's leads (new or persisting beside the previous run), their
    contributions, evidence rows and the counts behind them."""
    ranked = scored.ranked
    leads = ranked.leads.join(scored.fingerprints, on="lead_id", how="left").with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.when(pl.col("lead_id").is_in(_lead_ids(con, previous)))
        .then(pl.lit("persisting"))
        .otherwise(pl.lit("new"))
        .alias("change"),
    )
    insert_frame(con, "leads", leads)
    insert_frame(
        con, "lead_contributions", ranked.contributions.with_columns(run_id=pl.lit(run_id))
    )
    insert_frame(con, "lead_evidence", scored.evidence.with_columns(run_id=pl.lit(run_id)))
    counts = {"suppressed": ranked.suppressed, "silenced": ranked.silenced}
    con.execute("UPDATE runs SET counts = ? WHERE run_id = ?", [json.dumps(counts), run_id])


def _copy_leads(con: duckdb.DuckDBPyConnection, previous: str | None, run_id: str) -> None:
    """Publish the previous run's leads again: same inputs, same leads, all persisting."""
    for table in ("leads", "lead_contributions", "lead_evidence"):
        change = ", 'persisting' AS change" if table == "leads" else ""
        con.execute(
            f"""INSERT INTO {table} BY NAME
                SELECT * REPLACE (? AS run_id{change}) FROM {table} WHERE run_id = ?""",
            [run_id, previous],
        )
    con.execute(
        "UPDATE runs SET counts = (SELECT counts FROM runs WHERE run_id = ?) WHERE run_id = ?",
        [previous, run_id],
    )


def _lead_ids(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[str]:
    rows = con.execute("SELECT lead_id FROM leads WHERE run_id = ?", [run_id]).fetchall()
    return [lead for (lead,) in rows]


def _gone(con: duckdb.DuckDBPyConnection, previous: str | None, run_id: str) -> int:
    """How many of the previous run's leads this run no longer has."""
    return len(set(_lead_ids(con, previous)) - set(_lead_ids(con, run_id)))


def _scoring_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    row = con.execute("SELECT counts FROM runs WHERE run_id = ?", [run_id]).fetchall()
    return json.loads(row[0][0]) if row and row[0][0] else {}
