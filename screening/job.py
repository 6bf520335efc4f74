"""The batch screening job, as far as it is built: take stock of the inputs and publish.

Each stage records its timing in the run record; outputs are published in one
transaction so a failed run leaves the previous published run as it was. Ingest,
resolution, rules, the anomaly model and ranking join here as they are built.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from screening.config import JobConfig
from screening.inventory import InputFile, take_inventory
from screening.store import Store, sha256_json


@dataclass(frozen=True)
class JobResult:
    run_id: str
    as_of: date | None
    inputs: list[InputFile]

    def rows_by_source(self) -> dict[str, tuple[int, int]]:
        """source -> (files, data rows), in source order."""
        totals: dict[str, tuple[int, int]] = {}
        for item in self.inputs:
            files, rows = totals.get(item.source, (0, 0))
            totals[item.source] = (files + 1, rows + item.data_rows)
        return totals


def run_job(config: JobConfig, *, progress: Callable[[str], None] | None = None) -> JobResult:
    """Run the job described by ``config`` and publish its outputs to ``config.database``."""
    notify = progress or (lambda _message: None)
    notify("taking stock of the extracts")
    started = time.perf_counter()
    inputs = take_inventory(config.sources)
    inventory_seconds = time.perf_counter() - started
    with Store.open(config.database) as store:
        run_id = store.begin_run(
            as_of=config.as_of,
            config_hash=sha256_json(config.model_dump(mode="json")),
            input_hashes={item.relative: item.sha256 for item in inputs},
            seed=config.seed,
        )
        try:
            store.record_stage(
                run_id,
                "inventory",
                seconds=inventory_seconds,
                rows_out=sum(item.data_rows for item in inputs),
            )
            notify("publishing")
            with store.publish(run_id) as con:
                con.executemany(
                    "INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (run_id, i.source, i.relative, i.sha256, i.bytes, i.data_rows)
                        for i in inputs
                    ],
                )
        except BaseException as exc:
            if store.get_run(run_id).status == "running":  # publish() marks its own failures
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            raise
    return JobResult(run_id=run_id, as_of=config.as_of, inputs=inputs)
