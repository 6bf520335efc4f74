"""Subject views as of a date: one row per company, project and award, for the rules.

Every step is a temporary table built from the canonical tables and the entity links, in
order, with the as-of date bound as a parameter (never spliced into the SQL). A record
dated after the as-of date is invisible, and so is a status reached after it: a case
closed after the date is still open, a project completed after it is still being built.
Exact duplicate rows are skipped; a case number filed twice counts once.

The SQL only reads the canonical tables and ``mentions``; the views' columns are those of
:mod:`screening.features.catalog` (a test holds them equal).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import duckdb

from screening.features.catalog import SUBJECTS, Subject
from screening.gazetteer import load_gazetteer
from screening.store import MIGRATIONS

DEADLINE_DAYS = 730  # two years to apply for enforcement (Civil Procedure Law art. 250)
# Case numbers are typed with any brackets, spaces, with or without 第.
CASE_KEY = r"regexp_replace({}, '[\[\]()〔〕【】（）\s第]', '', 'g')"
PAID = r"(已|当庭|当场|自动)履行|履行完毕|付清|已支付"
COMPLETED = "('执行完毕', '执行和解')"
ZB = "('终结本次执行程序', '终本')"
GUARANTEE = "coalesce(method, '') NOT IN ('现金', '')"
# A number filed twice (in two files, or retyped) counts once: its first row.
FIRST_COPY = "QUALIFY row_number() OVER (PARTITION BY {} ORDER BY t.source_file, t.source_row) = 1"


# Rows related to each subject, for rule aggregates: (table, the column naming the subject).
RELATIONS: dict[Subject, dict[str, tuple[str, str]]] = {
    "company": {
        "awards": ("f_awards", "respondent_id"),
        "enforcements": ("f_enforcements", "respondent_id"),
        "projects": ("f_projects", "contractor_id"),
        "deposits": ("f_deposits", "contractor_id"),
    },
    "project": {
        "deposits": ("f_deposits", "project_no"),
        "awards": ("f_awards_by_project", "project_no"),
    },
    "award": {"enforcements": ("f_enforcements_by_award", "award_case_no")},
}
# The subject view's column that relations refer to.
SUBJECT_REFERENCE: dict[Subject, str] = {
    "company": "entity_id",
    "project": "subject_key",
    "award": "subject_key",
}


def view_table(subject: Subject) -> str:
    return f"subject_{subject}"


def build_views(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """(Re)create the subject views for ``as_of`` as temporary tables on ``con``."""
    for name, sql in _steps():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", _parameters(sql, as_of))


@cache
def table_columns() -> dict[str, tuple[str, ...]]:
    """The columns of every view and relation table, read off an empty database."""
    con = duckdb.connect()
    for migration in MIGRATIONS:
        for statement in migration.statements:
            con.execute(statement)
    build_views(con, date(2000, 1, 1))
    tables = [view_table(s) for s in SUBJECTS]
    tables += [table for relations in RELATIONS.values() for table, _ in relations.values()]
    result = {
        table: tuple(row[0] for row in con.execute(f"DESCRIBE {table}").fetchall())
        for table in tables
    }
    con.close()
    return result


def _parameters(sql: str, as_of: date) -> dict[str, object]:
    return {"as_of": as_of} if "$as_of" in sql else {}


def _site_core(column: str) -> str:
    """A site as arbitration clerks type it (禅城碧桂花园一期工地): estate and phase only."""
    districts = sorted(
        {p.short_name for p in load_gazetteer().places("district") if len(p.short_name) >= 2},
        key=lambda name: (-len(name), name),
    )
    trimmed = f"regexp_replace({column}, '(项目部|工地|项目|工程)$', '')"
    return f"regexp_replace({trimmed}, '^({'|'.join(districts)})', '')"


def _entity(table: str, role: str, alias: str) -> str:
    return f"""LEFT JOIN mentions {alias} ON {alias}.source_table = '{table}'
               AND {alias}.role = '{role}' AND {alias}.source_file = t.source_file
               AND {alias}.source_row = t.source_row"""


def _steps() -> list[tuple[str, str]]:
    return [
        (
            "f_awards",
            f"""SELECT t.case_no, {CASE_KEY.format("t.case_no")} AS case_key,
                         t.source_file, t.source_row, t.applicant_id_hash AS applicant_hash,
                         r.entity_id AS respondent_id, t.respondent_name,
                         r.entity_id LIKE 'P-%' AS respondent_is_person,
                         {_site_core("t.project_text")} AS site, t.cause,
                         regexp_extract(t.case_no, '^(.+?)劳', 1) AS committee,
                         coalesce(regexp_matches(t.cause, '劳动报酬|工资'), false) AS wage_claim,
                         t.claim_amount, t.filed_date,
                         CASE WHEN t.closed_date <= $as_of THEN t.closed_date END AS closed_date,
                         CASE WHEN t.closed_date <= $as_of THEN t.close_method END
                           AS close_method,
                         CASE WHEN t.closed_date <= $as_of THEN t.award_amount END
                           AS award_amount,
                         CASE WHEN t.effective_date <= $as_of THEN t.effective_date END
                           AS effective_date,
                         t.remark,
                         coalesce(regexp_matches(t.remark, '{PAID}')
                                  AND NOT contains(t.remark, '未履行'), false) AS paid_remark,
                         coalesce(contains(t.remark, '欠条'), false) AS iou_only,
                         coalesce(contains(t.remark, '垫付'), false) AS contractor_advanced
                  FROM arbitrations t {_entity("arbitrations", "respondent_name", "r")}
                  WHERE t.duplicate_of_row IS NULL AND t.case_no IS NOT NULL
                    AND t.filed_date <= $as_of
                  {FIRST_COPY.format("t.case_no")}""",
        ),
        (
            "f_enforcements",
            f"""SELECT t.case_no, {CASE_KEY.format("t.basis")} AS basis_key,
                       t.applicant_code_hash AS applicant_hash, r.entity_id AS respondent_id,
                       t.filed_date, t.source_file, t.source_row, t.target_amount,
                       t.unpaid_amount,
                       CASE WHEN t.closed_date <= $as_of THEN t.closed_date END AS closed_date,
                       CASE WHEN t.closed_date <= $as_of THEN t.close_method END AS close_method
                FROM enforcements t {_entity("enforcements", "respondent_name", "r")}
                WHERE t.duplicate_of_row IS NULL AND t.filed_date <= $as_of""",
        ),
        (
            "f_projects",
            f"""SELECT t.project_no, t.project_name, t.permit_no, c.entity_id AS contractor_id,
                         -- a permit number starts with its district's 6-digit code
                         CASE WHEN regexp_matches(t.permit_no, '^[0-9]{{6}}')
                              THEN left(t.permit_no, 6) END AS area,
                         t.contractor_name, t.district, t.contract_amount, t.permit_date,
                         CASE WHEN t.completion_date <= $as_of THEN t.completion_date END
                           AS completion_date,
                         t.source_file, t.source_row
                  FROM projects t {_entity("projects", "contractor_name", "c")}
                  WHERE t.duplicate_of_row IS NULL AND t.project_no IS NOT NULL
                    AND t.permit_date <= $as_of
                  {FIRST_COPY.format("t.project_no")}""",
        ),
        (
            # A deposit belongs to the project with its permit number (the contractor's,
            # when two projects share the number), or, when the permit number is blank,
            # to the contractor's project whose name contains the deposit's.
            "f_deposits",
            f"""WITH d AS (
                   SELECT t.*, c.entity_id AS contractor_id FROM deposits t
                   {_entity("deposits", "contractor_name", "c")}
                   WHERE t.duplicate_of_row IS NULL AND t.deposit_date <= $as_of),
               candidates AS (
                   SELECT d.source_file, d.source_row, p.project_no, p.contractor_id
                   FROM d JOIN f_projects p ON p.permit_no = d.permit_no
                   UNION ALL
                   SELECT d.source_file, d.source_row, p.project_no, p.contractor_id
                   FROM d JOIN f_projects p ON p.contractor_id = d.contractor_id
                   WHERE d.permit_no IS NULL AND contains(p.project_name,
                           regexp_replace(d.project_name, '(项目|工程)$', ''))
                     -- a deposit follows its permit: an older namesake project is not it
                     AND d.deposit_date >= p.permit_date - INTERVAL 90 DAY),
               picked AS (
                   SELECT c.source_file, c.source_row,
                          arg_min(c.project_no, (c.contractor_id IS DISTINCT FROM d.contractor_id,
                                                 c.project_no)) AS project_no
                   FROM candidates c JOIN d USING (source_file, source_row)
                   GROUP BY ALL)
               SELECT d.*, picked.project_no FROM d JOIN picked USING (source_file, source_row)""",
        ),
        (
            # The project a case's site text names: by a shared three-character piece (an
            # equality join), then containment, once per distinct site (they repeat);
            # among projects of that name in the committee's district, one permitted
            # before the case was filed and not finished more than a year before it, one
            # still being built first.
            "f_award_project",
            """WITH pieces AS (
                   SELECT DISTINCT project_no, substr(project_name, i::INTEGER, 3) AS piece
                   FROM (SELECT project_no, project_name,
                                unnest(range(1, length(project_name) - 1)) AS i
                         FROM f_projects)),
               sites AS (SELECT DISTINCT site FROM f_awards WHERE length(site) >= 3),
               named AS (
                   SELECT DISTINCT t.site, p.project_no
                   FROM sites t JOIN pieces s ON s.piece = substr(t.site, 1, 3)
                   JOIN f_projects p ON p.project_no = s.project_no
                   WHERE contains(p.project_name, t.site)),
               -- A committee's district: where most of its employers are registered
               -- (a USCC's characters 3–8), as generic estate names recur across a
               -- province. Unknown (no registered employer yet): any district.
               committees AS (
                   SELECT committee, mode(substr(respondent_id, 5, 6)) AS area
                   FROM f_awards WHERE respondent_id LIKE 'C-%' GROUP BY committee),
               awarded AS (
                   SELECT a.case_no, a.site, a.filed_date, c.area
                   FROM f_awards a LEFT JOIN committees c USING (committee)
                   WHERE length(a.site) >= 3),
               candidates AS (
                   SELECT w.case_no, w.filed_date, n.project_no
                   FROM awarded w JOIN named n USING (site)
                   JOIN f_projects p ON p.project_no = n.project_no AND p.area = w.area
                   UNION ALL
                   SELECT w.case_no, w.filed_date, n.project_no
                   FROM awarded w JOIN named n USING (site) WHERE w.area IS NULL)
               SELECT w.case_no, arg_min(p.project_no, (
                          p.completion_date < w.filed_date, p.project_no)) AS project_no
               FROM candidates w JOIN f_projects p USING (project_no)
               WHERE p.permit_date <= w.filed_date
                 AND (p.completion_date IS NULL OR p.completion_date >= w.filed_date - 365)
               GROUP BY w.case_no""",
        ),
        (
            # An award's enforcements: by its case number, or a wage enforcement between
            # the same worker and employer after it took effect (a judgment replaced it).
            "f_award_enforcement",
            f"""WITH linked AS (
                   SELECT a.case_no, e.case_no AS enforcement, e.close_method, e.closed_date
                   FROM f_awards a JOIN f_enforcements e ON e.basis_key = a.case_key
                   UNION
                   SELECT a.case_no, e.case_no, e.close_method, e.closed_date
                   FROM f_awards a JOIN f_enforcements e
                     ON e.applicant_hash = a.applicant_hash AND e.respondent_id = a.respondent_id
                   WHERE e.filed_date >= a.effective_date)
               SELECT case_no, count(DISTINCT enforcement) AS enforcements,
                      min(closed_date) FILTER (WHERE close_method IN {COMPLETED})
                        AS completed_date,
                      count(DISTINCT enforcement) FILTER (WHERE close_method IN {ZB})
                        AS zb_enforcements
               FROM linked GROUP BY case_no""",
        ),
        (
            "f_awards_by_project",
            "SELECT ap.project_no, a.* FROM f_award_project ap JOIN f_awards a USING (case_no)",
        ),
        (
            "f_enforcements_by_award",
            """SELECT a.case_no AS award_case_no, e.* FROM f_awards a
               JOIN f_enforcements e ON e.basis_key = a.case_key""",
        ),
        (
            view_table("award"),
            f"""SELECT a.case_no AS subject_key, a.applicant_hash, a.respondent_id,
                       a.respondent_name, coalesce(a.respondent_is_person, false)
                         AS respondent_is_person,
                       g.reg_capital AS respondent_capital, a.cause, a.wage_claim,
                       a.claim_amount, a.award_amount, a.close_method,
                       coalesce(a.close_method IN ('裁决', '调解') AND a.award_amount > 0, false)
                         AS in_workers_favour,
                       a.effective_date,
                       {DEADLINE_DAYS} - date_diff('day', a.effective_date, $as_of)
                         AS days_to_deadline,
                       a.remark, a.paid_remark, a.iou_only, a.contractor_advanced,
                       coalesce(e.enforcements, 0) AS enforcements,
                       e.completed_date IS NOT NULL AS enforcement_completed,
                       coalesce(e.zb_enforcements, 0) AS zb_enforcements,
                       ap.project_no, p.contractor_id AS general_contractor_id
                FROM f_awards a
                LEFT JOIN f_award_enforcement e USING (case_no)
                LEFT JOIN f_award_project ap USING (case_no)
                LEFT JOIN f_projects p ON p.project_no = ap.project_no
                LEFT JOIN (SELECT 'C-' || uscc AS entity_id, arg_min(reg_capital, source_row)
                             AS reg_capital FROM registry WHERE uscc_status = 'valid'
                           GROUP BY uscc) g ON g.entity_id = a.respondent_id
                ORDER BY subject_key""",
        ),
        (
            view_table("project"),
            f"""WITH d AS (
                   SELECT project_no, count(*) AS deposits,
                          max(required_amount) AS deposit_required,
                          sum(actual_amount) AS deposit_actual,
                          count(*) FILTER (WHERE {GUARANTEE}) AS guarantees,
                          coalesce(bool_or({GUARANTEE} AND (guarantee_valid_until IS NULL
                                   OR guarantee_valid_until > $as_of)), false)
                            AS guarantee_open_ended,
                          max(guarantee_valid_until) FILTER (WHERE {GUARANTEE})
                            AS guarantee_valid_until,
                          min(refund_date) FILTER (WHERE refund_date <= $as_of) AS refund_date,
                          arg_min(date_diff('day', notice_start, notice_end), refund_date)
                            FILTER (WHERE refund_date <= $as_of) AS notice_days
                   FROM f_deposits GROUP BY project_no),
               busy AS (
                   SELECT contractor_id, district, count(*) AS n FROM f_projects
                   WHERE completion_date IS NULL GROUP BY ALL),
               pending AS (
                   SELECT p.project_no, count(DISTINCT a.case_no) AS n
                   FROM f_projects p JOIN d USING (project_no)
                   JOIN f_awards a ON a.respondent_id = p.contractor_id
                   WHERE a.wage_claim AND length(a.site) >= 2
                     AND contains(p.project_name, a.site) AND a.filed_date < d.refund_date
                     AND (a.closed_date IS NULL OR a.closed_date > d.refund_date)
                   GROUP BY p.project_no)
               SELECT p.project_no AS subject_key, p.project_name, p.permit_no,
                      p.contractor_id, p.contractor_name, p.district, p.contract_amount,
                      p.permit_date, p.completion_date,
                      p.completion_date IS NULL AS under_construction,
                      date_diff('day', p.permit_date, $as_of) AS days_since_permit,
                      coalesce(b.n, 0) AS contractor_projects_in_district,
                      coalesce(d.deposits, 0) AS deposits, d.deposit_required,
                      coalesce(d.deposit_actual, 0) AS deposit_actual,
                      coalesce(d.deposit_actual, 0) / nullif(p.contract_amount, 0)
                        AS deposit_share,
                      coalesce(d.guarantees, 0) AS guarantees,
                      coalesce(d.guarantee_open_ended, false) AS guarantee_open_ended,
                      d.guarantee_valid_until, d.refund_date, d.notice_days,
                      coalesce(pending.n, 0) AS claims_pending_at_refund
               FROM f_projects p LEFT JOIN d USING (project_no)
               LEFT JOIN busy b ON b.contractor_id = p.contractor_id AND b.district = p.district
               LEFT JOIN pending USING (project_no)
               ORDER BY subject_key""",
        ),
        (
            view_table("company"),
            f"""WITH reg AS (
                   SELECT 'C-' || uscc AS entity_id,
                          arg_min(reg_status, (source_file, source_row)) AS reg_status,
                          arg_min(status_date, (source_file, source_row)) AS status_date,
                          arg_min(dereg_reason, (source_file, source_row)) AS dereg_reason,
                          arg_min(reg_capital, (source_file, source_row)) AS reg_capital,
                          arg_min(founded, (source_file, source_row)) AS founded
                   FROM registry WHERE uscc_status = 'valid' GROUP BY uscc),
               awards AS (
                   SELECT a.*, coalesce(e.enforcements, 0) AS enforcements,
                          e.completed_date IS NOT NULL AS completed, e.completed_date,
                          a.close_method IN ('裁决', '调解') AND a.award_amount > 0 AS favour
                   FROM f_awards a LEFT JOIN f_award_enforcement e USING (case_no)),
               zb AS (
                   SELECT respondent_id AS entity_id, count(*) AS zb_cases,
                          max(closed_date) AS last_zb_date,
                          sum(coalesce(unpaid_amount, target_amount)) AS zb_unpaid_total
                   FROM f_enforcements WHERE close_method IN {ZB} GROUP BY ALL),
               claims AS (
                   SELECT a.respondent_id AS entity_id,
                          count(*) FILTER (WHERE favour) AS awards,
                          count(*) FILTER (WHERE favour AND NOT paid_remark AND NOT completed)
                            AS unpaid_awards,
                          coalesce(sum(award_amount) FILTER (
                            WHERE favour AND NOT paid_remark AND NOT completed), 0)
                            AS unpaid_award_total,
                          count(DISTINCT applicant_hash) FILTER (
                            WHERE favour AND NOT paid_remark AND NOT completed) AS unpaid_workers,
                          count(*) FILTER (WHERE favour AND enforcements > 0 AND NOT completed)
                            AS unpaid_enforced_awards,
                          coalesce(sum(award_amount) FILTER (
                            WHERE favour AND enforcements > 0 AND NOT completed), 0)
                            AS unpaid_enforced_total,
                          count(DISTINCT applicant_hash) FILTER (
                            WHERE favour AND enforcements > 0 AND NOT completed)
                            AS unpaid_enforced_workers,
                          count(*) FILTER (WHERE close_method = '调解'
                            AND award_amount < 0.5 * claim_amount) AS cheap_mediations,
                          count(*) FILTER (WHERE iou_only) AS iou_awards
                   FROM awards a GROUP BY ALL),
               before_dereg AS (
                   SELECT a.respondent_id AS entity_id, count(*) AS n
                   FROM awards a JOIN reg r ON r.entity_id = a.respondent_id
                   WHERE a.favour AND NOT a.paid_remark AND r.reg_status = '注销'
                     AND a.effective_date < r.status_date
                     AND (a.completed_date IS NULL OR a.completed_date > r.status_date)
                   GROUP BY ALL),
               held AS (
                   SELECT contractor_id AS entity_id, sum(actual_amount) AS deposits_held
                   FROM f_deposits WHERE refund_date IS NULL OR refund_date > $as_of
                   GROUP BY ALL),
               built AS (
                   SELECT p.contractor_id AS entity_id,
                          count(*) FILTER (WHERE p.completion_date IS NULL) AS active_projects,
                          sum(p.contract_amount) FILTER (WHERE p.completion_date IS NULL)
                            AS active_contract_total,
                          count(*) FILTER (WHERE p.permit_date <= z.last_zb_date
                            AND (p.completion_date IS NULL
                                 OR p.completion_date > z.last_zb_date)) AS at_zb,
                          count(*) FILTER (WHERE p.permit_date > z.last_zb_date) AS after_zb
                   FROM f_projects p LEFT JOIN zb z ON z.entity_id = p.contractor_id
                   GROUP BY ALL)
               SELECT coalesce(en.uscc, en.entity_id) AS subject_key, en.entity_id, en.name,
                      en.kind = 'person' AS is_person, en.in_registry, r.reg_status,
                      coalesce(r.reg_status = '注销' AND r.status_date <= $as_of, false)
                        AS deregistered,
                      CASE WHEN r.reg_status = '注销' AND r.status_date <= $as_of
                           THEN r.status_date END AS dereg_date,
                      r.dereg_reason, r.reg_capital, r.founded,
                      coalesce(b.active_projects, 0) AS active_projects,
                      coalesce(b.active_contract_total, 0) AS active_contract_total,
                      coalesce(h.deposits_held, 0) AS deposits_held,
                      coalesce(h.deposits_held, 0) / nullif(b.active_contract_total, 0)
                        AS deposit_share_active,
                      coalesce(c.awards, 0) AS awards,
                      coalesce(c.unpaid_awards, 0) AS unpaid_awards,
                      coalesce(c.unpaid_award_total, 0) AS unpaid_award_total,
                      coalesce(c.unpaid_workers, 0) AS unpaid_workers,
                      coalesce(c.unpaid_enforced_awards, 0) AS unpaid_enforced_awards,
                      coalesce(c.unpaid_enforced_total, 0) AS unpaid_enforced_total,
                      coalesce(c.unpaid_enforced_workers, 0) AS unpaid_enforced_workers,
                      coalesce(bd.n, 0) AS awards_before_dereg_unpaid,
                      coalesce(z.zb_cases, 0) AS zb_cases,
                      coalesce(z.zb_unpaid_total, 0) AS zb_unpaid_total, z.last_zb_date,
                      date_diff('day', z.last_zb_date, $as_of) AS days_since_last_zb,
                      coalesce(b.at_zb, 0) AS projects_active_at_zb,
                      coalesce(b.after_zb, 0) AS projects_won_after_zb,
                      coalesce(c.cheap_mediations, 0) AS cheap_mediations,
                      coalesce(c.iou_awards, 0) AS iou_awards
               FROM entities en
               LEFT JOIN reg r USING (entity_id)
               LEFT JOIN claims c USING (entity_id)
               LEFT JOIN before_dereg bd USING (entity_id)
               LEFT JOIN zb z USING (entity_id)
               LEFT JOIN built b USING (entity_id)
               LEFT JOIN held h USING (entity_id)
               ORDER BY subject_key""",
        ),
    ]
