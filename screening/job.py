"""The batch screening job: ingest, resolve entities, rules and the anomaly model, rank,
publish.

Each stage records its timing in the run record; the leads, their contributions and their
evidence are published in one transaction, so a failed run leaves the previous published
run as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import duckdb
import polars as pl

from screening.config import JobConfig
from screening.errors import ConfigError
from screening.evidence import evidence_rows
from screening.export import check_export_path, export_leads
from screening.ingest.load import IngestResult, ingest, plan_inputs
from screening.ingest.manifest import load_manifest
from screening.model.anomaly import EVIDENCE as ANOMALY_EVIDENCE
from screening.model.anomaly import score_employers
from screening.rank import ANOMALY, Ranked, rank_leads
from screening.resolve.link import RESOLVER_VERSION, ResolveResult, resolve
from screening.rules.load import LoadedRule, load_rules
from screening.rules.run import run_rules
from screening.store import Store, insert_frame, sha256_json


@dataclass(frozen=True)
class JobResult:
    run_id: str
    as_of: date | None
    ingest: IngestResult
    resolve: ResolveResult
    ranked: Ranked
    gone: int  # leads of the previous published run that this run no longer has


def run_job(
    config: JobConfig, *, progress: Callable[[str, int, int], None] | None = None
) -> JobResult:
    """Run the job described by ``config`` and publish its outputs to ``config.database``."""
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
        try:
            started = time.perf_counter()
            result = ingest(manifest, store, inputs=inputs, progress=progress)
            totals = result.by_source().values()
            store.record_stage(
                run_id,
                "ingest",
                seconds=time.perf_counter() - started,
                rows_in=sum(t.rows_in for t in totals),
                rows_out=sum(t.loaded for t in totals),
            )
            started = time.perf_counter()
            resolved, reused = _resolve_unless_unchanged(store)
            store.record_stage(
                run_id,
                "resolve",
                seconds=time.perf_counter() - started,
                rows_in=resolved.mentions,
                rows_out=sum(resolved.entities.values()),
                reused=reused,
            )
            started = time.perf_counter()
            hits = run_rules(store, rules, as_of, dict(config.parameters))
            store.record_stage(
                run_id,
                "rules",
                seconds=time.perf_counter() - started,
                rows_in=len(rules),
                rows_out=hits.height,
            )
            started = time.perf_counter()
            anomalies = None
            if config.model.enabled:
                model = score_employers(store.con, config.model)
                anomalies = model.flagged
                store.record_stage(
                    run_id,
                    "model",
                    seconds=time.perf_counter() - started,
                    rows_in=model.companies,
                    rows_out=anomalies.height,
                )
            started = time.perf_counter()
            ranked = rank_leads(
                store.con,
                hits,
                rules,
                anomalies,
                rule_weight=config.ranking.rule_weight,
                anomaly_weight=config.ranking.anomaly_weight,
                min_score=config.ranking.min_score,
            )
            evidence_tables: dict[str, Sequence[str]] = {ANOMALY: ANOMALY_EVIDENCE}
            evidence_tables |= {rule.rule.id: rule.rule.evidence for rule in rules}
            evidence = evidence_rows(store.con, ranked.leads, evidence_tables)
            store.record_stage(
                run_id,
                "rank",
                seconds=time.perf_counter() - started,
                rows_in=hits.height,
                rows_out=ranked.leads.height,
            )
            previous = store.latest_published_run()
            with store.publish(run_id) as con:
                con.execute(
                    """INSERT INTO run_inputs
                       SELECT ?, source, file, sha256, NULL, rows_in FROM ingested_files""",
                    [run_id],
                )
                gone = _publish_leads(
                    con, run_id, previous.run_id if previous else None, ranked, evidence
                )
        except BaseException as exc:
            if store.get_run(run_id).status == "running":  # publish() marks its own failures
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            raise
        if config.output.export is not None:
            published = pl.from_arrow(
                store.con.sql(
                    "SELECT * FROM leads WHERE run_id = ? ORDER BY rank", params=[run_id]
                ).to_arrow_table()
            )
            assert isinstance(published, pl.DataFrame)
            export_leads(published, config.output.export)
    return JobResult(run_id, as_of, result, resolved, ranked, gone)


RESOLVE_INPUTS, RESOLVE_RESULT = "resolve_inputs", "resolve_result"


def _resolve_unless_unchanged(store: Store) -> tuple[ResolveResult, bool]:
    """Entity resolution, or its last result when nothing it reads has changed: the same
    files ingested the same way, the same judgements, the same resolver."""
    con = store.con
    inputs = sha256_json(
        {
            "files": con.execute(
                "SELECT file, sha256, spec_hash FROM ingested_files ORDER BY file"
            ).fetchall(),
            "judgements": con.execute(
                "SELECT count(*), max(decided_at)::VARCHAR FROM resolve_judgements"
            ).fetchall(),
            "resolver": RESOLVER_VERSION,
        }
    )
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


def job_rules(config: JobConfig) -> list[LoadedRule]:
    """The rules a job runs: every rule in its folders but drafts; overrides checked."""
    rules: list[LoadedRule] = []
    for folder in config.rules:
        loaded = load_rules(folder)
        loaded.raise_errors()
        rules += [rule for rule in loaded.rules if rule.rule.status != "draft"]
    known = {rule.rule.id: rule.rule for rule in rules}
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
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    previous: str | None,
    ranked: Ranked,
    evidence: pl.DataFrame,
) -> int:
    """Write the run's leads; returns how many of the previous run's leads are gone."""
    before = {
        lead
        for (lead,) in con.execute(
            "SELECT lead_id FROM leads WHERE run_id = ?", [previous]
        ).fetchall()
    }
    leads = ranked.leads.with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.when(pl.col("lead_id").is_in(list(before)))
        .then(pl.lit("persisting"))
        .otherwise(pl.lit("new"))
        .alias("change"),
    )
    insert_frame(con, "leads", leads)
    insert_frame(
        con, "lead_contributions", ranked.contributions.with_columns(run_id=pl.lit(run_id))
    )
    insert_frame(con, "lead_evidence", evidence.with_columns(run_id=pl.lit(run_id)))
    return len(before - set(leads.get_column("lead_id").to_list()))
