WITH layer0 AS (
  SELECT
    *
  FROM records_entities
), layer1 AS (
  SELECT
    p.*,
    COALESCE(p.uscc, p.entity_id) AS f__subject_key,
    p.entity_id AS f__entity_id,
    p.name AS f__name,
    p.kind = 'person' AS f__is_person,
    p.in_registry AS f__in_registry
  FROM layer0 AS p
), layer2 AS (
  SELECT
    p.*,
    a0.f__reg_status AS f__reg_status,
    a0.f__status_date AS f__status_date,
    a0.f__dereg_reason AS f__dereg_reason,
    a0.f__reg_capital AS f__reg_capital,
    a0.f__founded AS f__founded,
    COALESCE(a1.f__active_projects, 0) AS f__active_projects,
    COALESCE(a1.f__active_contract_total, 0) AS f__active_contract_total,
    COALESCE(a2.f__deposits_held, 0) AS f__deposits_held,
    COALESCE(a3.f__awards, 0) AS f__awards,
    COALESCE(a3.f__unpaid_awards, 0) AS f__unpaid_awards,
    COALESCE(a3.f__unpaid_award_total, 0) AS f__unpaid_award_total,
    COALESCE(a3.f__unpaid_workers, 0) AS f__unpaid_workers,
    COALESCE(a3.f__cheap_mediations, 0) AS f__cheap_mediations,
    COALESCE(a3.f__iou_awards, 0) AS f__iou_awards,
    COALESCE(a3.f__wage_cases, 0) AS f__wage_cases,
    a3.f__open_wage_share AS f__open_wage_share,
    COALESCE(a3.f__open_wage_cases, 0) AS f__open_wage_cases,
    COALESCE(a3.f__claim_projects, 0) AS f__claim_projects,
    a3.f__last_claim_date AS f__last_claim_date,
    COALESCE(a3.f__closed_wage_cases, 0) AS f__closed_wage_cases,
    a3.f__mediation_share AS f__mediation_share,
    a3.f__low_mediation_share AS f__low_mediation_share,
    a3.f__recovery_rate AS f__recovery_rate,
    a3.f__days_to_close AS f__days_to_close,
    a3.f__first_any_claim_date AS f__first_any_claim_date,
    a3.f__enforced_share AS f__enforced_share,
    COALESCE(a3.f__closed_wage_workers, 0) AS f__closed_wage_workers,
    COALESCE(a4.f__zb_cases, 0) AS f__zb_cases,
    COALESCE(a4.f__zb_unpaid_total, 0) AS f__zb_unpaid_total,
    a4.f__last_zb_date AS f__last_zb_date
  FROM layer1 AS p
  LEFT JOIN (
    SELECT
      r.entity_id AS __key,
      ARG_MIN(r.reg_status, (r.source_file, r.source_row)) AS f__reg_status,
      ARG_MIN(r.status_date, (r.source_file, r.source_row)) AS f__status_date,
      ARG_MIN(r.dereg_reason, (r.source_file, r.source_row)) AS f__dereg_reason,
      ARG_MIN(r.reg_capital, (r.source_file, r.source_row)) AS f__reg_capital,
      ARG_MIN(r.founded, (r.source_file, r.source_row)) AS f__founded
    FROM records_registrations AS r
    GROUP BY
      r.entity_id
  ) AS a0
    ON a0.__key = p.f__entity_id
  LEFT JOIN (
    SELECT
      r.contractor_id AS __key,
      COUNT(*) FILTER(WHERE
        r.completion_date IS NULL) AS f__active_projects,
      SUM(r.contract_amount) FILTER(WHERE
        r.completion_date IS NULL) AS f__active_contract_total
    FROM records_projects AS r
    GROUP BY
      r.contractor_id
  ) AS a1
    ON a1.__key = p.f__entity_id
  LEFT JOIN (
    SELECT
      r.contractor_id AS __key,
      SUM(r.actual_amount) FILTER(WHERE
        r.refund_date IS NULL) AS f__deposits_held
    FROM records_deposits AS r
    GROUP BY
      r.contractor_id
  ) AS a2
    ON a2.__key = p.f__entity_id
  LEFT JOIN (
    SELECT
      r.respondent_id AS __key,
      COUNT(*) FILTER(WHERE
        r.in_workers_favour) AS f__awards,
      COUNT(*) FILTER(WHERE
        r.wage_claim
        AND r.in_workers_favour
        AND NOT r.effective_date IS NULL
        AND NOT r.paid_remark
        AND NOT r.contractor_advanced
        AND NOT r.enforcement_completed) AS f__unpaid_awards,
      SUM(r.award_amount) FILTER(WHERE
        r.wage_claim
        AND r.in_workers_favour
        AND NOT r.effective_date IS NULL
        AND NOT r.paid_remark
        AND NOT r.contractor_advanced
        AND NOT r.enforcement_completed) AS f__unpaid_award_total,
      COUNT(DISTINCT r.applicant_hash) FILTER(WHERE
        r.wage_claim
        AND r.in_workers_favour
        AND NOT r.effective_date IS NULL
        AND NOT r.paid_remark
        AND NOT r.contractor_advanced
        AND NOT r.enforcement_completed) AS f__unpaid_workers,
      COUNT(*) FILTER(WHERE
        (
          r.close_method IN ('调解')
        )
        AND r.award_amount < $company__cheap_share * r.claim_amount) AS f__cheap_mediations,
      COUNT(*) FILTER(WHERE
        r.iou_only) AS f__iou_awards,
      COUNT(*) FILTER(WHERE
        r.wage_claim) AS f__wage_cases,
      AVG(CAST(r.closed_date IS NULL AS DOUBLE)) FILTER(WHERE
        r.wage_claim) AS f__open_wage_share,
      COUNT(*) FILTER(WHERE
        r.wage_claim AND r.closed_date IS NULL) AS f__open_wage_cases,
      COUNT(DISTINCT r.project_no) FILTER(WHERE
        r.wage_claim) AS f__claim_projects,
      MAX(r.filed_date) FILTER(WHERE
        r.wage_claim) AS f__last_claim_date,
      COUNT(*) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__closed_wage_cases,
      AVG(CAST((
        r.close_method IN ('调解')
      ) AS DOUBLE)) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__mediation_share,
      AVG(
        CAST(COALESCE(
          (
            r.close_method IN ('调解')
          )
          AND r.award_amount < $company__cheap_share * r.claim_amount,
          FALSE
        ) AS DOUBLE)
      ) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__low_mediation_share,
      MEDIAN(r.award_amount / r.claim_amount) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL AND r.claim_amount > 0) AS f__recovery_rate,
      MEDIAN(DATE_DIFF('DAY', r.filed_date, r.closed_date)) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__days_to_close,
      MIN(r.filed_date) FILTER(WHERE
        r.wage_claim) AS f__first_any_claim_date,
      AVG(CAST(r.enforcements > 0 AS DOUBLE)) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__enforced_share,
      COUNT(DISTINCT r.applicant_hash) FILTER(WHERE
        r.wage_claim AND NOT r.closed_date IS NULL) AS f__closed_wage_workers
    FROM subject_award AS r
    GROUP BY
      r.respondent_id
  ) AS a3
    ON a3.__key = p.f__entity_id
  LEFT JOIN (
    SELECT
      r.respondent_id AS __key,
      COUNT(*) FILTER(WHERE
        r.zb_standing) AS f__zb_cases,
      SUM(COALESCE(r.unpaid_amount, r.target_amount)) FILTER(WHERE
        r.zb_standing) AS f__zb_unpaid_total,
      MAX(r.closed_date) FILTER(WHERE
        r.zb_standing) AS f__last_zb_date
    FROM records_enforcements AS r
    GROUP BY
      r.respondent_id
  ) AS a4
    ON a4.__key = p.f__entity_id
), layer3 AS (
  SELECT
    p.*,
    COALESCE((
      p.f__reg_status IN ('注销')
    ) AND p.f__status_date <= $as_of, FALSE) AS f__deregistered,
    CASE
      WHEN (
        p.f__reg_status IN ('注销')
      ) AND p.f__status_date <= $as_of
      THEN p.f__status_date
    END AS f__dereg_date,
    p.f__deposits_held / NULLIF(p.f__active_contract_total, 0) AS f__deposit_share_active,
    DATE_DIFF('DAY', p.f__last_zb_date, $as_of) AS f__days_since_last_zb,
    DATE_DIFF('DAY', p.f__first_any_claim_date, p.f__last_claim_date) AS f__claim_window_days,
    CASE
      WHEN p.f__founded <= p.f__first_any_claim_date
      THEN DATE_DIFF('DAY', p.f__founded, p.f__first_any_claim_date)
    END AS f__days_founding_to_first_claim,
    p.f__closed_wage_cases / p.f__closed_wage_workers AS f__claims_per_worker,
    COALESCE(a0.f__awards_before_dereg_unpaid, 0) AS f__awards_before_dereg_unpaid,
    COALESCE(a1.f__projects_active_at_zb, 0) AS f__projects_active_at_zb,
    COALESCE(a1.f__projects_won_after_zb, 0) AS f__projects_won_after_zb
  FROM layer2 AS p
  LEFT JOIN (
    SELECT
      s.entity_id AS __key,
      COUNT(*) FILTER(WHERE
        r.in_workers_favour
        AND NOT r.paid_remark
        AND (
          s.f__reg_status IN ('注销')
        )
        AND r.effective_date < s.f__status_date
        AND (
          r.completed_date IS NULL OR r.completed_date > s.f__status_date
        )) AS f__awards_before_dereg_unpaid
    FROM layer2 AS s
    JOIN subject_award AS r
      ON r.respondent_id = s.f__entity_id
    GROUP BY
      s.entity_id
  ) AS a0
    ON a0.__key = p.entity_id
  LEFT JOIN (
    SELECT
      s.entity_id AS __key,
      COUNT(*) FILTER(WHERE
        r.permit_date <= s.f__last_zb_date
        AND (
          r.completion_date IS NULL OR r.completion_date > s.f__last_zb_date
        )) AS f__projects_active_at_zb,
      COUNT(*) FILTER(WHERE
        r.permit_date > s.f__last_zb_date) AS f__projects_won_after_zb
    FROM layer2 AS s
    JOIN records_projects AS r
      ON r.contractor_id = s.f__entity_id
    GROUP BY
      s.entity_id
  ) AS a1
    ON a1.__key = p.entity_id
), layer4 AS (
  SELECT
    p.*,
    p.f__wage_cases * 30.0 / GREATEST(p.f__claim_window_days, 30) AS f__claims_per_month
  FROM layer3 AS p
)
SELECT
  f__subject_key AS subject_key,
  f__entity_id AS entity_id,
  f__name AS name,
  f__is_person AS is_person,
  f__in_registry AS in_registry,
  f__reg_status AS reg_status,
  f__status_date AS status_date,
  f__dereg_reason AS dereg_reason,
  f__reg_capital AS reg_capital,
  f__founded AS founded,
  f__deregistered AS deregistered,
  f__dereg_date AS dereg_date,
  f__active_projects AS active_projects,
  f__active_contract_total AS active_contract_total,
  f__deposits_held AS deposits_held,
  f__deposit_share_active AS deposit_share_active,
  f__awards AS awards,
  f__unpaid_awards AS unpaid_awards,
  f__unpaid_award_total AS unpaid_award_total,
  f__unpaid_workers AS unpaid_workers,
  f__awards_before_dereg_unpaid AS awards_before_dereg_unpaid,
  f__zb_cases AS zb_cases,
  f__zb_unpaid_total AS zb_unpaid_total,
  f__last_zb_date AS last_zb_date,
  f__days_since_last_zb AS days_since_last_zb,
  f__projects_active_at_zb AS projects_active_at_zb,
  f__projects_won_after_zb AS projects_won_after_zb,
  f__cheap_mediations AS cheap_mediations,
  f__iou_awards AS iou_awards,
  f__wage_cases AS wage_cases,
  f__open_wage_share AS open_wage_share,
  f__open_wage_cases AS open_wage_cases,
  f__claim_projects AS claim_projects,
  f__last_claim_date AS last_claim_date,
  f__closed_wage_cases AS closed_wage_cases,
  f__mediation_share AS mediation_share,
  f__low_mediation_share AS low_mediation_share,
  f__recovery_rate AS recovery_rate,
  f__days_to_close AS days_to_close,
  f__first_any_claim_date AS first_any_claim_date,
  f__claim_window_days AS claim_window_days,
  f__claims_per_month AS claims_per_month,
  f__days_founding_to_first_claim AS days_founding_to_first_claim,
  f__enforced_share AS enforced_share,
  f__closed_wage_workers AS closed_wage_workers,
  f__claims_per_worker AS claims_per_worker
FROM layer4
