"""The batch screening job, as far as it is built: ingest, resolve entities, publish.

Each stage records its timing in the run record; outputs are published in one
transaction so a failed run leaves the previous published run as it was. Resolution,
rules, the anomaly model and ranking join here as they are built.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from screening.config import JobConfig
from screening.ingest.load import IngestResult, ingest, plan_inputs
from screening.ingest.manifest import load_manifest
from screening.resolve.link import ResolveResult, resolve
from screening.store import Store, sha256_json


@dataclass(frozen=True)
class JobResult:
    run_id: str
    as_of: date | None
    ingest: IngestResult
    resolve: ResolveResult


def run_job(
    config: JobConfig, *, progress: Callable[[str, int, int], None] | None = None
) -> JobResult:
    """Run the job described by ``config`` and publish its outputs to ``config.database``."""
    manifest = load_manifest(config.manifest)
    inputs = plan_inputs(manifest)
    with Store.open(config.database) as store:
        run_id = store.begin_run(
            as_of=config.as_of,
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
            resolved = resolve(store)
            store.record_stage(
                run_id,
                "resolve",
                seconds=time.perf_counter() - started,
                rows_in=resolved.mentions,
                rows_out=sum(resolved.entities.values()),
            )
            with store.publish(run_id) as con:
                con.execute(
                    """INSERT INTO run_inputs
                       SELECT ?, source, file, sha256, NULL, rows_in FROM ingested_files""",
                    [run_id],
                )
        except BaseException as exc:
            if store.get_run(run_id).status == "running":  # publish() marks its own failures
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            raise
    return JobResult(run_id=run_id, as_of=config.as_of, ingest=result, resolve=resolved)
