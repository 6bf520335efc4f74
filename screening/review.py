"""Reviewers' decisions on leads, and suppressions of a rule on one subject.

A decision (confirmed, dismissed, needs more information, snoozed until a date) is kept
with its reason, reviewer and time, keyed by the lead's stable id, and never changed: a
later decision supersedes an earlier one, which stays in the history. A decision also
keeps the fingerprint of the evidence the reviewer saw (``leads.evidence_hash``), so:

- a dismissed lead whose evidence is unchanged stays dismissed in later runs;
- a dismissed or snoozed lead whose evidence changed comes back as *re-opened*;
- a snooze ends on its date, and the lead is open again.

A suppression silences one rule on one subject until it expires (the job leaves those
hits out before ranking). Lifting one early is a new suppression expiring at once.
Confirmed and dismissed decisions are labels for ``screening evaluate`` and ``tune``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import duckdb
import polars as pl

from screening.errors import ConfigError
from screening.store import Store, now, query_frame

Decision = Literal["confirmed", "dismissed", "needs_info", "snoozed"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
Subject = Literal["company", "project", "award"]

# What a reviewer reads: Chinese first, English beside.
STATUS_TITLES = {
    "open": "待审查 open",
    "confirmed": "已确认 confirmed",
    "dismissed": "已排除 dismissed",
    "needs_info": "待补充材料 needs info",
    "snoozed": "暂缓 snoozed",
    "reopened": "重新打开 re-opened",
}

# Each lead's latest decision: a later one supersedes the earlier, which stay.
_LATEST = """SELECT * FROM lead_decisions
             QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY decision_no DESC) = 1"""
# The evidence a decision was made on differs from the lead's evidence in this run.
_CHANGED = "d.evidence_hash IS DISTINCT FROM l.evidence_hash"


def record_decision(
    store: Store,
    lead_id: str,
    decision: Decision,
    *,
    reason: str,
    reviewer: str,
    snoozed_until: date | None = None,
    today: date | None = None,
    run_id: str | None = None,
) -> int:
    """Record a decision on a lead of ``run_id`` (default: the latest published run), with
    the fingerprint of the evidence that run showed; returns the decision's number. Pass
    the run the reviewer read, so a run published meanwhile cannot lend its evidence."""
    if decision not in DECISIONS:
        raise ConfigError(
            f"unknown decision {decision!r}", hint=f"use one of {', '.join(DECISIONS)}"
        )
    _require_text(reason=reason, reviewer=reviewer)
    if (decision == "snoozed") != (snoozed_until is not None):
        raise ConfigError(
            "a snooze needs a date, and only a snooze has one",
            hint="give the day a snooze ends (--until; snoozed_until= in Python), only then",
        )
    if snoozed_until is not None and snoozed_until <= (today or date.today()):
        raise ConfigError(
            f"snoozed until {snoozed_until}, which is not in the future",
            hint="give the day the lead should come back, after today",
        )
    run_id = run_id or _latest_run(store)
    row = store.con.execute(
        "SELECT evidence_hash FROM leads WHERE run_id = ? AND lead_id = ?", [run_id, lead_id]
    ).fetchall()
    if not row:
        raise ConfigError(
            f"run {run_id} has no lead {lead_id}",
            hint="take the lead id from the latest run's leads (review notebook or export)",
        )
    number = store.con.execute(
        """INSERT INTO lead_decisions (lead_id, decision, snoozed_until, reason, reviewer,
                                       decided_at, run_id, evidence_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING decision_no""",
        [lead_id, decision, snoozed_until, reason, reviewer, now(), run_id, row[0][0]],
    ).fetchall()
    return int(number[0][0])


def decision_history(con: duckdb.DuckDBPyConnection, lead_id: str) -> pl.DataFrame:
    """Every decision ever made on a lead, oldest first."""
    return query_frame(
        con,
        """SELECT decision_no, decision, snoozed_until, reason, reviewer, decided_at, run_id
           FROM lead_decisions WHERE lead_id = ? ORDER BY decision_no""",
        [lead_id],
    )


def lead_statuses(
    con: duckdb.DuckDBPyConnection, run_id: str, today: date | None = None
) -> pl.DataFrame:
    """Per lead of a run, in rank order: its review status (a key of STATUS_TITLES), the
    latest decision behind it, and whether the evidence changed since that decision."""
    return query_frame(
        con,
        f"""WITH latest AS ({_LATEST})
            SELECT l.lead_id,
                   CASE WHEN d.decision IS NULL THEN 'open'
                        WHEN d.decision IN ('dismissed', 'snoozed') AND {_CHANGED} THEN 'reopened'
                        WHEN d.decision = 'snoozed' AND d.snoozed_until <= ? THEN 'open'
                        ELSE d.decision END AS status,
                   d.decision, d.snoozed_until, d.reason, d.reviewer, d.decided_at,
                   coalesce({_CHANGED}, false) AS evidence_changed
            FROM leads l LEFT JOIN latest d USING (lead_id)
            WHERE l.run_id = ? ORDER BY l.rank""",
        [today or date.today(), run_id],
    )


def reviewer_labels(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(subject, subject_key, outcome, confirmed): every lead whose latest decision is
    confirmed (true) or dismissed (false), as labels for evaluation and tuning. A dismissal
    whose lead has since come back with other evidence (re-opened) is no label."""
    return query_frame(
        con,
        f"""WITH latest AS ({_LATEST}),
           subjects AS (SELECT DISTINCT lead_id, subject, subject_key, outcome FROM leads),
           current AS (
               SELECT lead_id, evidence_hash FROM leads
               WHERE run_id = (SELECT run_id FROM runs WHERE status = 'published'
                               ORDER BY finished_at DESC, run_id DESC LIMIT 1))
           SELECT s.subject, s.subject_key, s.outcome, d.decision = 'confirmed' AS confirmed
           FROM latest d JOIN subjects s USING (lead_id)
           LEFT JOIN current c USING (lead_id)
           WHERE d.decision = 'confirmed'
              OR (d.decision = 'dismissed' AND (c.lead_id IS NULL
                                                OR c.evidence_hash IS NOT DISTINCT FROM
                                                   d.evidence_hash))
           ORDER BY s.subject, s.subject_key, s.outcome""",
    )


def suppress(
    store: Store,
    rule_id: str,
    subject: Subject,
    subject_key: str,
    *,
    expires: date,
    reason: str,
    reviewer: str,
) -> int:
    """Silence ``rule_id`` on one subject until ``expires``; returns the suppression's number."""
    _require_text(rule_id=rule_id, subject_key=subject_key, reason=reason, reviewer=reviewer)
    if subject not in get_args(Subject):
        raise ConfigError(f"unknown subject {subject!r}", hint="company, project or award")
    fired = store.con.execute(
        """SELECT count(*) FROM leads l JOIN lead_contributions c USING (run_id, lead_id)
           WHERE l.subject = ? AND l.subject_key = ? AND c.source = ?""",
        [subject, subject_key, rule_id],
    ).fetchall()[0][0]
    if not fired:
        raise ConfigError(
            f"no lead on {subject} {subject_key} ever came from {rule_id}",
            hint="take the rule id and subject key from a lead (notebook, report or export)",
        )
    number = store.con.execute(
        """INSERT INTO suppressions (rule_id, subject, subject_key, expires, reason, reviewer,
                                     decided_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING suppression_no""",
        [rule_id, subject, subject_key, expires, reason, reviewer, now()],
    ).fetchall()
    return int(number[0][0])


def active_suppressions(con: duckdb.DuckDBPyConnection, on: date) -> pl.DataFrame:
    """(rule_id, subject, subject_key) silenced on ``on``: the latest suppression of each
    rule and subject, if it has not expired."""
    return query_frame(
        con,
        """SELECT rule_id, subject, subject_key FROM suppressions
           QUALIFY row_number() OVER (PARTITION BY rule_id, subject, subject_key
                                      ORDER BY suppression_no DESC) = 1
               AND expires > ?
           ORDER BY rule_id, subject, subject_key""",
        [on],
    )


def _latest_run(store: Store) -> str:
    run = store.latest_published_run()
    if run is None:
        raise ConfigError("there is no published run to review", hint="run `screening run`")
    return run.run_id


def _require_text(**fields: str) -> None:
    for name, value in fields.items():
        if not value or not value.strip():
            raise ConfigError(f"{name} is empty", hint=f"say the {name.replace('_', ' ')}")
