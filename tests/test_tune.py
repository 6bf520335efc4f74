"""Tuning a rule parameter on the sample world: the current value reproduces the job's
leads, other values move leads in and out, and labels come from the truth or reviewers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sample_job import SAMPLE, sample_config
from typer.testing import CliRunner

from screening.cli import app
from screening.config import JobConfig
from screening.errors import ConfigError
from screening.evaluate import decision_labels, truth_labels
from screening.job import job_rules, run_job
from screening.review import record_decision, suppress
from screening.store import Store
from screening.tune import Tuning, tune

RULE, PARAMETER = "AWARD-UNENFORCED", "horizon_days"


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> JobConfig:
    config = sample_config(tmp_path_factory.mktemp("tune") / "t.duckdb")
    run_job(config)
    return config


def _tune(config: JobConfig, values: str, *, truth: bool = True) -> Tuning:
    with Store.open(config.database) as store:
        labels = truth_labels(SAMPLE) if truth else decision_labels(store.con)
        assert config.as_of is not None
        return tune(
            store,
            config,
            job_rules(config),
            RULE,
            PARAMETER,
            values,
            as_of=config.as_of,
            labels=labels,
        )


def test_the_current_value_gives_the_jobs_leads_and_others_move_them(job: JobConfig) -> None:
    tuning = _tune(job, "30,180,365")
    current, narrow, wide = tuning.points
    assert current.value == 180 and current.is_current and len(tuning.points) == 3
    with Store.open(job.database, read_only=True) as store:
        published = {lead for (lead,) in store.con.execute("SELECT lead_id FROM leads").fetchall()}
    assert set(current.leads["lead_id"]) == published
    assert current.entering.is_empty() and current.leaving.is_empty()

    assert narrow.rule_hits < current.rule_hits <= wide.rule_hits
    for point in (narrow, wide):
        expected = (published - set(point.leaving["lead_id"])) | set(point.entering["lead_id"])
        assert set(point.leads["lead_id"]) == expected
    assert not narrow.leaving.is_empty()
    assert narrow.recall is not None and current.recall is not None
    assert narrow.recall < current.recall  # planted awards are lost with a short horizon
    assert current.rule_true == current.rule_hits  # the rule is precise on the sample


def test_reviewer_decisions_are_the_labels_without_a_truth(tmp_path: Path) -> None:
    config = sample_config(tmp_path / "r.db")
    result = run_job(config)
    rule_leads = result.leads.filter(result.leads["rules"].str.contains(RULE))
    near, far = rule_leads.sort("subject_key")["lead_id"][:2]
    with Store.open(config.database) as store:
        record_decision(store, near, "confirmed", reason="属实", reviewer="李")
        record_decision(store, far, "dismissed", reason="已履行", reviewer="李")
    scored = CliRunner().invoke(app, ["evaluate", "--db", str(config.database)])
    assert scored.exit_code == 0 and "labelled 已审查" in scored.output
    tuning = _tune(config, "0,365", truth=False)
    current = tuning.points[0]
    assert tuning.labels == "reviewers' decisions"
    assert current.precision == 0.5 and current.recall == 1.0 and current.rule_true == 1
    zero = next(p for p in tuning.points if p.value == 0)
    assert zero.rule_hits == 0 and zero.recall == 0.0  # the confirmed lead is gone


def test_the_command_prints_each_value_and_refuses_bad_input(job: JobConfig) -> None:
    runner = CliRunner()
    base = ["tune", RULE, "--config", str(SAMPLE / "job.yaml"), "--db", str(job.database)]
    result = runner.invoke(app, [*base, "--param", "horizon_days=30,365", "--truth", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "horizon_days=30:" in result.output and "leave" in result.output
    bad = runner.invoke(app, [*base, "--param", "horizon_days=soon"])
    assert bad.exit_code == 1 and "'soon' is not a int value" in bad.output
    unknown = runner.invoke(app, [*base, "--param", "days=1"])
    assert unknown.exit_code == 1 and "has no parameter 'days'" in unknown.output
    with pytest.raises(ConfigError, match="no rule NOPE"), Store.open(job.database) as store:
        tune(
            store,
            job,
            job_rules(job),
            "NOPE",
            "x",
            "1",
            as_of=date(2026, 9, 30),
            labels=truth_labels(SAMPLE),
        )


def first_run(store: Store) -> str:
    run = store.latest_published_run()
    assert run is not None
    return run.run_id


def test_the_current_value_matches_the_job_with_a_suppression_and_a_minimum(
    tmp_path: Path,
) -> None:
    config = sample_config(tmp_path / "m.db")
    config = config.model_copy(
        update={"ranking": config.ranking.model_copy(update={"min_score": 0.8})}
    )
    first = run_job(config)
    lead = first.leads.filter(pl.col("rules") == RULE).row(0, named=True)
    with Store.open(config.database) as store:
        suppress(
            store,
            RULE,
            lead["subject"],
            lead["subject_key"],
            expires=date(2099, 1, 1),
            reason="测试",
            reviewer="李",
        )
    second = run_job(config)
    tuning = _tune(config, "365")
    assert set(tuning.points[0].leads["lead_id"]) == set(second.leads["lead_id"])
    assert lead["lead_id"] not in set(second.leads["lead_id"])
    assert second.leads["score"].min() >= 0.8
