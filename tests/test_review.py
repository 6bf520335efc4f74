"""Reviewers' decisions and suppressions survive re-runs, and changed evidence re-opens a
dismissed lead. Every run here is the real job on a copy of the sample world."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sample_job import SAMPLE
from typer.testing import CliRunner

from screening import dossier
from screening.cli import app
from screening.config import JobConfig, load_config
from screening.errors import ConfigError
from screening.evaluate import decision_labels, evaluate_labels
from screening.job import run_job
from screening.review import (
    decision_history,
    lead_statuses,
    record_decision,
    reviewer_labels,
    suppress,
)
from screening.store import Store

TODAY = date(2026, 11, 23)


@pytest.fixture
def world(tmp_path: Path) -> JobConfig:
    """A private copy of the sample world (its files get edited) and its job."""
    folder = tmp_path / "world"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("truth"))
    config = load_config(folder / "job.yaml")
    return config.model_copy(update={"database": tmp_path / "review.duckdb"})


def _statuses(config: JobConfig, run_id: str) -> dict[str, str]:
    with Store.open(config.database, read_only=True) as store:
        frame = lead_statuses(store.con, run_id, today=TODAY)
    return dict(zip(frame["lead_id"], frame["status"], strict=True))


def _enforcement_evidence(config: JobConfig, run_id: str) -> dict[str, set[tuple[str, int]]]:
    """Per lead, the enforcement CSV rows behind it."""
    with Store.open(config.database, read_only=True) as store:
        rows = store.con.execute(
            """SELECT lead_id, source_file, source_row FROM lead_evidence
               WHERE run_id = ? AND source_table = 'enforcements' ORDER BY ALL""",
            [run_id],
        ).fetchall()
    evidence: dict[str, set[tuple[str, int]]] = {}
    for lead, file, row in rows:
        evidence.setdefault(lead, set()).add((file, row))
    return evidence


def _rename_court(world: Path, file: str, row: int) -> None:
    """Edit one enforcement record in its extract: the court's name, which no rule reads."""
    path = world / file
    lines = path.read_text(encoding="gbk").splitlines(keepends=True)
    fields = lines[row - 1].split(",")
    fields[1] = fields[1].replace("人民法院", "人民法院执行局")
    lines[row - 1] = ",".join(fields)
    path.write_text("".join(lines), encoding="gbk")


def test_decisions_survive_reruns_and_changed_evidence_reopens(world: JobConfig) -> None:
    first = run_job(world)
    evidence = _enforcement_evidence(world, first.run_id)
    leads = first.leads.get_column("lead_id").to_list()
    changed = next(lead for lead in leads if lead in evidence)
    edited = min(evidence[changed])
    untouched = next(
        lead for lead in leads if lead != changed and edited not in evidence.get(lead, set())
    )
    confirmed, snoozed = [lead for lead in leads if lead not in {changed, untouched}][:2]
    with Store.open(world.database) as store:
        for lead in (changed, untouched):
            record_decision(store, lead, "dismissed", reason="已履行", reviewer="李检察官")
        record_decision(store, confirmed, "needs_info", reason="待调取", reviewer="李检察官")
        record_decision(store, confirmed, "confirmed", reason="属实", reviewer="王检察官")
        record_decision(
            store,
            snoozed,
            "snoozed",
            reason="等待仲裁结果",
            reviewer="李检察官",
            snoozed_until=TODAY + timedelta(days=30),
            today=TODAY,
        )

    again = run_job(world)  # nothing changed: the same leads, every decision holds
    assert again.scoring_reused
    statuses = _statuses(world, again.run_id)
    assert statuses[changed] == statuses[untouched] == "dismissed"
    assert statuses[confirmed] == "confirmed"
    assert statuses[snoozed] == "snoozed"
    assert set(statuses.values()) == {"open", "dismissed", "confirmed", "snoozed"}

    _rename_court(Path(world.manifest).parent, *edited)
    third = run_job(world)
    assert not third.scoring_reused
    statuses = _statuses(world, third.run_id)
    assert statuses[changed] == "reopened"  # its evidence changed since the dismissal
    assert statuses[untouched] == "dismissed"
    assert statuses[confirmed] == "confirmed"
    with Store.open(world.database, read_only=True) as store:
        # A dossier of the earlier run says its records have changed since; the new run's not.
        assert dossier.lead_dossier(store.con, again.run_id, changed).evidence_changed
        assert not dossier.lead_dossier(store.con, third.run_id, changed).evidence_changed
        history = decision_history(store.con, confirmed)
        assert history["decision"].to_list() == ["needs_info", "confirmed"]  # nothing lost
        # A snooze ends on its date.
        later = lead_statuses(store.con, third.run_id, today=TODAY + timedelta(days=30))
        assert later.filter(lead_id=snoozed)["status"].item() == "open"
        labels = reviewer_labels(store.con)
        scored = evaluate_labels(store, decision_labels(store.con))
    # Labels: the confirmed lead and the dismissal that still holds; the re-opened one and
    # needs-info are no label.
    assert labels.height == 2 and labels["confirmed"].sum() == 1
    assert scored.labelled == 2 and scored.precision_at[100] == pytest.approx(1 / 2)
    assert scored.recall == 1.0


def test_a_suppression_silences_one_rule_on_one_subject_until_lifted(world: JobConfig) -> None:
    first = run_job(world)
    lead = first.leads.row(0, named=True)
    rule = lead["rules"].split(",")[0]
    with Store.open(world.database) as store:
        suppress(
            store,
            rule,
            lead["subject"],
            lead["subject_key"],
            expires=date(2027, 6, 30),
            reason="已由劳动监察处理",
            reviewer="李检察官",
        )
    silenced = run_job(world)
    assert silenced.silenced == 1 and not silenced.scoring_reused
    again = silenced.leads.filter(lead_id=lead["lead_id"])
    assert again.is_empty() or rule not in again["rules"].item().split(",")

    lift = ["suppress", rule, lead["subject"], lead["subject_key"], "--lift"]
    lifted = CliRunner().invoke(
        app, [*lift, "--reason", "误屏蔽", "--reviewer", "王", "--db", str(world.database)]
    )
    assert lifted.exit_code == 0, lifted.output  # lifted early: it ends today
    back = run_job(world)
    assert back.silenced == 0
    assert back.leads.filter(lead_id=lead["lead_id"])["score"].item() == lead["score"]


def test_bad_decisions_are_refused_with_what_to_do(world: JobConfig) -> None:
    with Store.open(world.database) as store, pytest.raises(ConfigError, match="no published"):
        record_decision(store, "L-0", "confirmed", reason="x", reviewer="y")
    first = run_job(world)
    lead = first.leads["lead_id"][0]
    with Store.open(world.database) as store:
        with pytest.raises(ConfigError, match="has no lead L-nothing"):
            record_decision(store, "L-nothing", "confirmed", reason="x", reviewer="y")
        with pytest.raises(ConfigError, match="a snooze needs a date"):
            record_decision(store, lead, "snoozed", reason="x", reviewer="y")
        with pytest.raises(ConfigError, match="reviewer is empty"):
            record_decision(store, lead, "dismissed", reason="x", reviewer=" ")
        with pytest.raises(ConfigError, match="unknown decision"):
            record_decision(store, lead, "maybe", reason="x", reviewer="y")  # type: ignore[arg-type]
        (count,) = store.con.execute("SELECT count(*) FROM lead_decisions").fetchall()[0]
    assert count == 0


def test_decisions_and_suppressions_from_the_shell(world: JobConfig) -> None:
    first = run_job(world)
    lead = first.leads.row(0, named=True)
    db = ["--db", str(world.database)]
    runner = CliRunner()
    who = ["--reason", "已履行", "--reviewer", "李检察官"]
    done = runner.invoke(app, ["decide", lead["lead_id"], "dismissed", *who, *db])
    assert done.exit_code == 0, done.output
    refused = runner.invoke(app, ["decide", lead["lead_id"], "snoozed", *who, *db])
    assert refused.exit_code == 1 and "a snooze needs a date" in refused.output
    rule = lead["rules"].split(",")[0]
    key = [rule, lead["subject"], lead["subject_key"], "--until", "2027-06-30"]
    silenced = runner.invoke(app, ["suppress", *key, *who, *db])
    assert silenced.exit_code == 0, silenced.output
    assert _statuses(world, first.run_id)[lead["lead_id"]] == "dismissed"
    assert run_job(world).silenced == 1
