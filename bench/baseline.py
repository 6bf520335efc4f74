"""The naive baseline the engine must beat: DOMAIN.md's screening patterns as plain SQL.

What a competent analyst would write over the canonical tables in an afternoon: one query
per pattern, each hit one point, no anomaly model and no entity resolution. A company is
known by its USCC where the row has one (or where its exact name is in the registry), else
by its name as typed; a deposit belongs to a project by permit number, else by the same
contractor and one project name containing the other; an enforcement case enforces an
award when their case numbers agree once brackets, spaces and 第 are dropped; an
arbitration's site (涉及项目) is a project whose name contains it, less 项目部/项目/工地.

Leads are one per subject and outcome, with the sum of points, ranked by points and then
the amount at stake. Their keys take the form the engine's leads and the truth use: a
project's number, an award's case number, a company's USCC (its name where none is known,
which the truth never names).

Every query reads canonical columns only, and a column that is all NULL (a dialect that
lacks it) only makes the query find less. Parameters come from DOMAIN.md.

Used by bench/dialects.py, and by tests/test_baseline.py on the sample world:
    baseline_leads(con, as_of) -> polars frame; score_baseline(leads, world) -> ListScores
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from screening.evaluate import ListScores, score_leads, world_of


@dataclass(frozen=True)
class Parameters:
    """DOMAIN.md's figures, as a reader of it would set them."""

    deposit_grace_days: int = 28  # "within 20 working days of the permit" ≈ four weeks
    deposit_min_rate: float = 0.01  # "1–3 % of the construction contract price"
    deposit_exempt_below: int = 3_000_000  # "may be exempt when the contract is under ¥3M"
    refund_notice_days: int = 30  # "a 30-day public notice"
    enforce_within_days: int = 730  # "within 2 years of the performance deadline"
    deadline_horizon_days: int = 180  # "deadline approaching": within six months
    criminal_workers: int = 10  # "¥30k–100k for ≥10 workers" …
    criminal_total: int = 100_000  # … "Foshan: ¥20k / ¥100k"
    tiny_capital: int = 1_000_000  # "a tiny unqualified firm": registered capital ≤ ¥1M
    fake_claim_amount: int = 100_000  # "a single very large wage claim" backed by an IOU


PATTERN_OUTCOMES = {
    "DEP-MISSING": ("project", "administrative_supervision"),
    "DEP-GUARANTEE-LAPSED": ("project", "administrative_supervision"),
    "DEP-EARLY-REFUND": ("project", "administrative_supervision"),
    "AWARD-UNENFORCED": ("award", "support_prosecution"),
    "ZB-WITH-ASSETS": ("company", "enforcement_supervision"),
    "DEREG-EVASION": ("company", "administrative_supervision"),
    "MULTI-CLAIM-EMPLOYER": ("company", "criminal_referral"),
    "CHAIN-LIABILITY": ("award", "support_prosecution"),
}

# Shared plumbing for every pattern query: the canonical tables without their marked
# duplicate rows, companies keyed by USCC where one is known, case numbers comparable.
_COMMON = r"""
WITH
registry_ AS (
    SELECT * FROM registry WHERE duplicate_of_row IS NULL AND uscc IS NOT NULL
),
-- exact registry name -> USCC, for names the registry spells one way only
uscc_by_name AS (
    SELECT company_name, min(uscc) AS uscc FROM registry_
    GROUP BY company_name HAVING count(DISTINCT uscc) = 1
),
projects_ AS (
    SELECT p.*,
           coalesce(ru.uscc, rn.uscc, p.contractor_uscc, p.contractor_name) AS contractor_key,
           -- under construction: the status says so, or (no status) not completed yet
           coalesce(p.project_status = '在建',
                    p.completion_date IS NULL OR p.completion_date > $as_of) AS building
    FROM projects p
    LEFT JOIN registry_ ru ON ru.uscc = p.contractor_uscc
    LEFT JOIN uscc_by_name rn ON rn.company_name = p.contractor_name
    WHERE p.duplicate_of_row IS NULL
      AND coalesce(p.permit_date, p.start_date, $as_of) <= $as_of
),
deposits_ AS (
    SELECT d.*, coalesce(ru.uscc, rn.uscc, d.contractor_uscc, d.contractor_name) AS contractor_key
    FROM deposits d
    LEFT JOIN registry_ ru ON ru.uscc = d.contractor_uscc
    LEFT JOIN uscc_by_name rn ON rn.company_name = d.contractor_name
    WHERE d.duplicate_of_row IS NULL AND coalesce(d.deposit_date, $as_of) <= $as_of
),
-- a deposit's project: the same permit number, else the same contractor and a project
-- name containing the deposit's, less 项目 (the deposit ledger shortens project names)
project_deposits AS (
    SELECT p.project_no, d.*
    FROM projects_ p JOIN deposits_ d ON d.permit_no = p.permit_no
    UNION
    SELECT p.project_no, d.*
    FROM projects_ p JOIN deposits_ d
      ON d.permit_no IS NULL AND d.contractor_key = p.contractor_key
     AND contains(p.project_name, regexp_replace(d.project_name, '(项目部|项目)$', ''))
),
-- wage claims (追索劳动报酬 / 拖欠工资), with the FAKE-CLAIM guard applied:
-- "a single very large 'wage' claim … backed only by an IOU" is not a lead
wage_claims AS (
    SELECT a.*,
           regexp_replace(a.case_no, '[\s〔〕\[\]【】()（）第]', '', 'g') AS case_key,
           coalesce(ru.uscc, rn.uscc, a.respondent_uscc, a.respondent_name) AS employer_key,
           coalesce(a.applicant_id_hash, a.applicant_name) AS worker,
           coalesce(a.award_amount, a.claim_amount) AS amount,
           coalesce(a.effective_date, a.closed_date) AS effective,
           -- the site (涉及项目, free text) less 项目部 / 项目 / 工地
           nullif(regexp_replace(a.project_text, '(项目部|项目|工地)$', ''), '') AS site,
           -- remarks saying the money was paid (or advanced by the general contractor)
           coalesce(regexp_matches(a.remark, '履行|已付|付清|已支付|垫付'), false) AS paid,
           a.respondent_uscc IS NULL AND ru.uscc IS NULL AND rn.uscc IS NULL
             AND length(a.respondent_name) <= 4 AND NOT contains(a.respondent_name, '公司')
             AS respondent_is_person,
           coalesce(ru.reg_capital, rr.reg_capital) AS respondent_capital
    FROM arbitrations a
    LEFT JOIN registry_ ru ON ru.uscc = a.respondent_uscc
    LEFT JOIN uscc_by_name rn ON rn.company_name = a.respondent_name
    LEFT JOIN registry_ rr ON rr.uscc = rn.uscc
    WHERE a.duplicate_of_row IS NULL AND coalesce(a.filed_date, $as_of) <= $as_of
      -- the cause says wages; where a dialect has no cause, every claim might be
      AND coalesce(a.cause LIKE '%劳动报酬%' OR a.cause LIKE '%拖欠工资%', true)
      AND NOT (coalesce(a.remark LIKE '%欠条%', false)
               AND coalesce(a.claim_amount, 0) >= $fake_claim_amount)
),
-- awards and mediations in the worker's favour, in force by the as-of date
wage_awards AS (
    SELECT * FROM wage_claims
    WHERE (close_method LIKE '%裁决%' OR close_method LIKE '%调解%')
      AND amount > 0 AND effective <= $as_of
),
enforcements_ AS (
    SELECT e.*,
           regexp_replace(e.basis, '[\s〔〕\[\]【】()（）第]', '', 'g') AS basis_key,
           coalesce(ru.uscc, rn.uscc,
                    CASE WHEN e.respondent_code_kind = 'uscc' THEN e.respondent_code END,
                    e.respondent_name) AS debtor_key,
           e.close_method LIKE '%终结本次%' OR e.close_method LIKE '%终本%' AS zb,
           e.close_method LIKE '%执行完毕%' OR e.close_method LIKE '%和解%' AS satisfied
    FROM enforcements e
    LEFT JOIN registry_ ru ON ru.uscc = e.respondent_code
    LEFT JOIN uscc_by_name rn ON rn.company_name = e.respondent_name
    WHERE e.duplicate_of_row IS NULL AND coalesce(e.filed_date, $as_of) <= $as_of
),
-- per award: was it ever enforced, did enforcement pay it, did enforcement fail
award_enforcement AS (
    SELECT a.case_no,
           count(e.basis_key) AS cases,
           coalesce(bool_or(e.satisfied AND e.closed_date <= $as_of), false) AS satisfied,
           coalesce(bool_or((e.zb OR e.close_method = '终结执行'
                             OR coalesce(e.unpaid_amount, 0) > 0)
                            AND e.closed_date <= $as_of), false) AS failed
    FROM wage_awards a LEFT JOIN enforcements_ e ON e.basis_key = a.case_key
    GROUP BY a.case_no
),
-- awards still unpaid: no remark of payment, enforcement tried and it did not pay
unpaid_awards AS (
    SELECT a.* FROM wage_awards a JOIN award_enforcement ae USING (case_no)
    WHERE NOT a.paid AND ae.failed AND NOT ae.satisfied
)
"""

# An arbitration's site ``c.site`` is project ``p`` when the project's name contains it,
# or contains it less a leading district ("高明紫荆名苑" for 高明区…紫荆名苑…).
_SITE_IS_PROJECT = """(
    contains(p.project_name, c.site)
    OR (length(c.site) > 4 AND left(c.site, 2) = left(p.district, 2)
        AND contains(p.project_name, substr(c.site, 3))))"""

PATTERNS = {
    # DOMAIN.md: "project under construction, permit older than the grace period, no deposit
    # or deposit below the required rate" (contracts under ¥3M may be exempt).
    "DEP-MISSING": """
        SELECT p.project_no AS subject_key,
               coalesce(max(d.required_amount), $deposit_min_rate * p.contract_amount)
                 - coalesce(sum(d.actual_amount), 0) AS amount
        FROM projects_ p LEFT JOIN project_deposits d USING (project_no)
        WHERE p.building AND p.permit_date <= $as_of - $deposit_grace_days
          AND coalesce(p.contract_amount, $deposit_exempt_below) >= $deposit_exempt_below
        GROUP BY p.project_no, p.contract_amount
        HAVING count(d.project_no) = 0
            OR coalesce(sum(d.actual_amount), 0) < coalesce(
                   max(d.required_amount), $deposit_min_rate * p.contract_amount)
    """,
    # DOMAIN.md: "deposit is a bank guarantee that expired before completion" (a guarantee
    # "must run ≥1 year and not shorter than the contract period"); a renewal noted in the
    # remarks keeps it alive.
    "DEP-GUARANTEE-LAPSED": """
        SELECT p.project_no AS subject_key, max(d.actual_amount) AS amount
        FROM projects_ p JOIN project_deposits d USING (project_no)
        WHERE d.method LIKE '%保函%' OR d.method LIKE '%保险%'
        GROUP BY p.project_no, p.completion_date
        HAVING max(d.guarantee_valid_until) < least(coalesce(p.completion_date, $as_of), $as_of)
           AND NOT coalesce(bool_or(d.remark LIKE '%续%'), false)
    """,
    # DOMAIN.md: "deposit refunded before completion, with a notice period < 30 days, or
    # while wage claims against the contractor on that project were pending".
    "DEP-EARLY-REFUND": """
        SELECT p.project_no AS subject_key, max(d.actual_amount) AS amount
        FROM projects_ p JOIN project_deposits d USING (project_no)
        WHERE d.refund_date <= $as_of AND (
                p.completion_date IS NULL OR d.refund_date < p.completion_date
             OR date_diff('day', d.notice_start, coalesce(d.notice_end, d.refund_date))
                  < $refund_notice_days
             OR EXISTS (
                  SELECT 1 FROM wage_claims c
                  WHERE c.employer_key = p.contractor_key AND c.filed_date < d.refund_date
                    AND (c.closed_date IS NULL OR c.closed_date > d.refund_date)
                    AND SITE_IS_PROJECT))
        GROUP BY p.project_no
    """.replace("SITE_IS_PROJECT", _SITE_IS_PROJECT),
    # DOMAIN.md: "award/mediation for wages in the worker's favour, no enforcement case on
    # it, deadline (2 years) approaching"; an award the remarks say was paid is no lead.
    "AWARD-UNENFORCED": """
        SELECT a.case_no AS subject_key, a.amount
        FROM wage_awards a JOIN award_enforcement ae USING (case_no)
        WHERE ae.cases = 0 AND NOT a.paid
          AND a.effective + $enforce_within_days
              BETWEEN $as_of AND $as_of + $deadline_horizon_days
    """,
    # DOMAIN.md: "enforcement closed as 终本 'no assets' while the debtor is contractor on
    # active projects, won new projects, or holds a deposit".
    "ZB-WITH-ASSETS": """
        SELECT e.debtor_key AS subject_key, sum(e.target_amount) AS amount
        FROM enforcements_ e
        WHERE e.zb AND e.closed_date <= $as_of
          AND coalesce(e.respondent_code_kind, 'uscc') = 'uscc'
          AND (EXISTS (SELECT 1 FROM projects_ p
                       WHERE p.contractor_key = e.debtor_key
                         AND p.permit_date <= $as_of
                         AND (p.completion_date IS NULL OR p.completion_date > e.closed_date))
               OR EXISTS (SELECT 1 FROM deposits_ d
                          WHERE d.contractor_key = e.debtor_key AND d.method = '现金'
                            AND d.deposit_date <= e.closed_date
                            AND (d.refund_date IS NULL OR d.refund_date > e.closed_date)))
        GROUP BY e.debtor_key
    """,
    # DOMAIN.md: "company deregistered (esp. simplified deregistration) after wage
    # liabilities arose" — unpaid awards from before the deregistration (a bankruptcy is the
    # lawful way out, not evasion).
    "DEREG-EVASION": """
        SELECT r.uscc AS subject_key, sum(a.amount) AS amount
        FROM registry_ r
        JOIN wage_awards a
          ON a.employer_key = r.uscc AND coalesce(a.filed_date, a.effective) < r.status_date
        JOIN award_enforcement ae USING (case_no)
        WHERE r.reg_status LIKE '%注销%' AND r.reg_status NOT LIKE '%未注销%'
          AND r.status_date <= $as_of
          AND coalesce(r.dereg_reason, '') NOT LIKE '%破产%'
          AND NOT a.paid AND NOT ae.satisfied
        GROUP BY r.uscc
    """,
    # DOMAIN.md: "many workers' unpaid awards against one employer, amounts over the
    # criminal threshold" (Foshan: ≥10 workers and ¥100k).
    "MULTI-CLAIM-EMPLOYER": """
        SELECT employer_key AS subject_key, sum(amount) AS amount
        FROM unpaid_awards
        GROUP BY employer_key
        HAVING count(DISTINCT worker) >= $criminal_workers AND sum(amount) >= $criminal_total
    """,
    # DOMAIN.md: "the liable employer is an individual or a tiny unqualified firm working on
    # a project: the general contractor is the solvent party to pursue" — the employer
    # did not pay when enforced, the site names a project of another contractor.
    "CHAIN-LIABILITY": """
        SELECT c.case_no AS subject_key, c.amount
        FROM unpaid_awards c
        WHERE (c.respondent_is_person OR c.respondent_capital <= $tiny_capital)
          AND EXISTS (SELECT 1 FROM projects_ p
                      WHERE p.contractor_key IS DISTINCT FROM c.employer_key
                        AND SITE_IS_PROJECT)
    """.replace("SITE_IS_PROJECT", _SITE_IS_PROJECT),
}

LEAD_SCHEMA = pl.Schema(
    {
        "rank": pl.Int64(),
        "subject": pl.String(),
        "subject_key": pl.String(),
        "outcome": pl.String(),
        "points": pl.Int64(),
        "amount": pl.Float64(),
        "rules": pl.List(pl.String()),
    }
)


def pattern_hits(
    con: duckdb.DuckDBPyConnection, as_of: date, parameters: Parameters | None = None
) -> pl.DataFrame:
    """Every pattern's hits: pattern, subject, subject_key, outcome, amount."""
    values = vars(parameters or Parameters()) | {"as_of": as_of}
    frames = []
    for pattern, sql in PATTERNS.items():
        subject, outcome = PATTERN_OUTCOMES[pattern]
        used = {name: value for name, value in values.items() if f"${name}" in _COMMON + sql}
        rows = con.execute(_COMMON + sql, used).fetchall()
        frames.append(
            pl.DataFrame(
                [(pattern, subject, key, outcome, _float(amount)) for key, amount in rows],
                schema={
                    "pattern": pl.String,
                    "subject": pl.String,
                    "subject_key": pl.String,
                    "outcome": pl.String,
                    "amount": pl.Float64,
                },
                orient="row",
            ).filter(pl.col("subject_key").is_not_null())
        )
    return pl.concat(frames)


def baseline_leads(
    con: duckdb.DuckDBPyConnection, as_of: date, parameters: Parameters | None = None
) -> pl.DataFrame:
    """The baseline's leads, best first: rank, subject, subject_key, outcome, points (one
    per pattern that hit), amount (the largest at stake) and rules (the patterns)."""
    hits = pattern_hits(con, as_of, parameters)
    if hits.is_empty():
        return pl.DataFrame(schema=LEAD_SCHEMA)
    leads = (
        hits.group_by("subject", "subject_key", "outcome")
        .agg(
            pl.col("pattern").n_unique().cast(pl.Int64).alias("points"),
            pl.col("amount").max(),
            pl.col("pattern").unique().sort().alias("rules"),
        )
        .sort(
            ["points", "amount", "subject", "subject_key", "outcome"],
            descending=[True, True, False, False, False],
            nulls_last=True,
        )
    )
    return leads.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


def score_baseline(leads: pl.DataFrame, world: Path) -> ListScores:
    """The baseline's leads scored like ``screening evaluate`` scores a run (precision@k,
    recall overall and per pattern, each pattern's precision, decoys near the top)."""
    return score_leads(leads, world_of(world))


def _float(amount: object) -> float | None:
    return None if amount is None else float(amount)  # type: ignore[arg-type]
