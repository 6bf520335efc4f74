"""The batch screening job: ingest, resolve entities, rules and the anomaly model, rank,
publish.

The stages, each with what it reads and when its last result is reused:

- **ingest** reads the extract files (on Spark, on its executors); a file whose hash and
  spec are unchanged is kept.
- **resolve** reads the ingested files, reviewers' judgements, the package's code and
  the feature library (links): reused while :func:`_resolve_inputs` holds.
- **rules, model, rank** read the resolved data, as-of date, rules, settings, suppressions
  and the package's code: reused together while :func:`_scoring_inputs` holds.
- **publish** writes the run's leads (the previous run's when scoring was reused).

Each stage records its timing in the run record; the leads, their contributions and their
evidence are published in one transaction, so a failed run leaves the previous published
run as it was. ``progress`` hears each stage start and end, resolve's steps, and publish
twice: once its rows are written (still invisible to others: ``("publish", 1, 2, …)``)
and once they are committed; ``tests/test_faults.py`` kills the process at these points.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache

import duckdb
import polars as pl

from screening.backend.engine import JobEngine
from screening.config import JobConfig
from screening.elsewhere import code_digest
from screening.errors import ConfigError, StoreError
from screening.export import check_export_path, export_leads
from screening.features.coverage import Coverage
from screening.features.library import library
from screening.ingest.load import IngestResult, ingest, plan_inputs
from screening.ingest.manifest import load_manifest
from screening.leads.publish import (
    copy_leads,
    gone_leads,
    publish_leads,
    run_coverage,
    scoring_counts,
)
from screening.leads.score import Scored, Scorer
from screening.model.features import chosen_features
from screening.resolve.link import ResolveResult, resolve
from screening.review import active_suppressions, lead_statuses
from screening.rules.load import LoadedRule, load_rules
from screening.rules.model import Rule, value_problem
from screening.store import Store, now, query_frame, sha256_json

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
    coverage: list[Coverage]  # each rule's and anomaly feature's status on this data


def run_job(
    config: JobConfig, *, progress: Progress | None = None, today: date | None = None
) -> JobResult:
    """Run the job described by ``config`` and publish its outputs to ``config.database``;
    ``today`` (default: the clock's) decides which suppressions are in force."""
    manifest = load_manifest(config.manifest, data=config.data)
    rules = job_rules(config)
    chosen_features(config.model)  # a feature name the model does not know: refused now
    if config.output.export is not None:
        check_export_path(config.output.export)  # before the run, not after minutes of it
    if config.engine == "spark":
        from screening.backend.spark import check_spark

        check_spark()  # pyspark and Java: refused now, not after ingest
    as_of = config.as_of or date.today()
    inputs = plan_inputs(manifest)
    with Store.open(config.database) as store, ExitStack() as session:
        store.limit_memory(config.memory_limit)
        engine = JobEngine(config, session)
        run_id = store.begin_run(
            as_of=as_of,
            config_hash=sha256_json(config.model_dump(mode="json")),
            input_hashes={item.relative: item.sha256 for item in inputs},
            seed=config.seed,
        )
        stages = _Stages(store, run_id, progress)
        try:
            starting = engine.ingesting(lambda step: stages.tell("ingest", 0, 1, step))
            with stages.stage("ingest") as stage, starting:
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
                resolved, stage.reused = _resolve_unless_unchanged(
                    store, data_hash, engine, lambda step: stages.tell("resolve", 0, 1, step)
                )
                stage.rows_in = resolved.mentions
                stage.rows_out = sum(resolved.entities.values())
            # Suppressions are reviewers' acts in real time: in force on the day the job runs.
            suppressions = active_suppressions(store.con, today or date.today())
            scoring_hash = _scoring_inputs(config, rules, as_of, data_hash, suppressions)
            previous = store.latest_published_run()
            reusable = previous is not None and _stage_hash(store, previous.run_id) == scoring_hash
            if reusable and previous is not None:
                for name in SCORING_STAGES:
                    with stages.stage(name, scoring_hash) as stage:
                        stage.reused = True
                scored = None
            else:
                scored = _score(
                    stages,
                    store,
                    engine,
                    config,
                    rules,
                    as_of,
                    suppressions,
                    data_hash,
                    scoring_hash,
                )
            stages.tell("publish", 0, 2, "writing leads")
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
                    copy_leads(con, before, run_id)
                else:
                    publish_leads(con, run_id, before, scored)
                gone = gone_leads(con, before, run_id)
                stages.tell("publish", 1, 2, "committing")  # all written, nothing visible yet
            stages.tell("publish", 2, 2, "")
        except BaseException as exc:
            if store.get_run(run_id).status == "running":  # publish() marks its own failures
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            if isinstance(exc, duckdb.OutOfMemoryException):
                raise StoreError(
                    f"the database needed more memory than memory_limit ({config.memory_limit}) "
                    "allows, and some of the work cannot spill to disk",
                    where=config.where("memory_limit") or str(config.database),
                    hint="raise memory_limit in the job config (e.g. 8GB), or set it to auto; "
                    "the last published run is untouched",
                ) from exc
            raise
        leads = query_frame(
            store.con, "SELECT * FROM leads WHERE run_id = ? ORDER BY rank", [run_id]
        )
        if config.output.export is not None:
            export_leads(leads, config.output.export)
        counts = scoring_counts(store.con, run_id)
        coverage = run_coverage(store.con, run_id)
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
        coverage=coverage,
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


def _score(
    stages: _Stages,
    store: Store,
    engine: JobEngine,
    config: JobConfig,
    rules: list[LoadedRule],
    as_of: date,
    suppressions: pl.DataFrame,
    data_hash: str,
    scoring_hash: str,
) -> Scored:
    """Rules, the anomaly model and ranking, with each lead's evidence and fingerprint, on
    the job's engine (the rules stage's time includes starting it, unless ingest or
    resolve did). ``data_hash`` is what the stored tables were made from
    (:func:`_resolve_inputs`)."""
    with ExitStack() as opened:
        with stages.stage("rules", scoring_hash) as stage:
            views = opened.enter_context(engine.views(store.con, data_hash))
            scorer = Scorer(
                store.con,
                config,
                rules,
                as_of,
                silenced=suppressions,
                views=views,
                progress=lambda step: stages.tell("rules", 0, 1, step),
            )
            hits = scorer.fire(rules)
            coverage = scorer.coverage(hits)
            stage.rows_in, stage.rows_out = len(rules), hits.height
        with stages.stage("model", scoring_hash) as stage:
            model = scorer.run_model()
            if model is not None:
                stage.rows_in, stage.rows_out = model.companies, model.flagged.height
        with stages.stage("rank", scoring_hash) as stage:
            ranked = scorer.rank(hits)
            evidence, fingerprints = scorer.evidence(ranked)
            stage.rows_in, stage.rows_out = hits.height, ranked.leads.height
    return Scored(hits, model, ranked, evidence, fingerprints, coverage)


def _scoring_inputs(
    config: JobConfig,
    rules: list[LoadedRule],
    as_of: date,
    data_hash: str,
    suppressions: pl.DataFrame,
) -> str:
    """A hash of everything rules, model and ranking read: reused together while it holds."""
    return sha256_json(
        {
            "data": data_hash,
            "as_of": as_of,
            "rules": [loaded.rule.model_dump(mode="json") for loaded in rules],
            # the engine too: a run on another engine computes its leads, never assumes them
            "config": config.model_dump(
                mode="json", include={"parameters", "model", "ranking", "engine"}
            ),
            "suppressions": suppressions.rows(),
            "features": library().fingerprint,
            "code": _package_code_hash(),
        }
    )


RESOLVE_INPUTS, RESOLVE_RESULT = "resolve_inputs", "resolve_result"


def _resolve_inputs(store: Store) -> str:
    """A hash of everything entity resolution reads: the files and how they were ingested,
    the reviewers' judgements and the package's code."""
    con = store.con
    return sha256_json(
        {
            "files": con.execute(
                "SELECT file, sha256, spec_hash FROM ingested_files ORDER BY file"
            ).fetchall(),
            "judgements": con.execute(
                "SELECT count(*), max(decided_at)::VARCHAR FROM resolve_judgements"
            ).fetchall(),
            # the code that links names and records: a new version may link differently
            "code": _package_code_hash(),
            # the vocabulary and link settings the record links are made with
            "features": library().fingerprint,
        }
    )


def _resolve_unless_unchanged(
    store: Store, inputs: str, engine: JobEngine, progress: Callable[[str], None]
) -> tuple[ResolveResult, bool]:
    """Entity resolution on ``engine`` (telling ``progress`` each step), or its last
    result when nothing it reads has changed."""
    con = store.con
    saved = dict(
        con.execute(
            "SELECT key, value FROM settings WHERE key IN (?, ?)", [RESOLVE_INPUTS, RESOLVE_RESULT]
        ).fetchall()
    )
    if saved.get(RESOLVE_INPUTS) == inputs and RESOLVE_RESULT in saved:
        return ResolveResult(**json.loads(saved[RESOLVE_RESULT])), True
    with engine.resolving():
        resolved = resolve(store, progress=progress)
    for key, value in ((RESOLVE_INPUTS, inputs), (RESOLVE_RESULT, json.dumps(asdict(resolved)))):
        con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])
    return resolved, False


@cache
def _package_code_hash() -> str:
    """The package's code and data, and the versions of the libraries that can move a
    score: any change to any of them makes the next run score again rather than reuse
    leads this code did not make (no hand-kept list of the files that matter)."""
    return code_digest(SCORING_LIBRARIES, [""])


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
            raise ConfigError(
                f"a weight for an unknown rule {rule_id!r}",
                where=config.where("ranking", "rule_weights", rule_id),
                hint=_known_rules(rule_id, known),
            )
    for rule_id, values in config.parameters.items():
        if rule_id not in known:
            raise ConfigError(
                f"parameters for an unknown rule {rule_id!r}",
                where=config.where("parameters", rule_id),
                hint=_known_rules(rule_id, known),
            )
        declared = known[rule_id].parameters
        for name, value in values.items():
            where = config.where("parameters", rule_id, name)
            if name not in declared:
                raise ConfigError(
                    f"rule {rule_id} has no parameter {name!r}",
                    where=where,
                    hint=f"its parameters: {', '.join(declared) or 'none'}",
                )
            if problem := value_problem(declared[name], value):
                raise ConfigError(
                    f"rule {rule_id}'s parameter {name} {problem}",
                    where=where,
                    hint=f"write a value like the default, e.g. {name}: {declared[name].default}",
                )
    return rules


def _known_rules(rule_id: str, known: dict[str, Rule]) -> str:
    close = difflib.get_close_matches(rule_id, list(known), n=1)
    return f"did you mean {close[0]}?" if close else f"known rules: {', '.join(sorted(known))}"
