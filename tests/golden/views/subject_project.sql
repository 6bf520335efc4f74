WITH layer0 AS (
  SELECT
    *
  FROM records_projects
), layer1 AS (
  SELECT
    p.*,
    p.project_no AS f__subject_key,
    p.project_name AS f__project_name,
    p.permit_no AS f__permit_no,
    p.contractor_id AS f__contractor_id,
    p.contractor_name AS f__contractor_name,
    p.district AS f__district,
    p.contract_amount AS f__contract_amount,
    p.permit_date AS f__permit_date,
    p.completion_date AS f__completion_date,
    COALESCE(a0.f__deposits, 0) AS f__deposits,
    a0.f__deposit_required AS f__deposit_required,
    COALESCE(a0.f__deposit_cash, 0) AS f__deposit_cash,
    a0.f__deposit_guarantee AS f__deposit_guarantee,
    COALESCE(a0.f__guarantees, 0) AS f__guarantees,
    COALESCE(a0.f__guarantee_open_ended, FALSE) AS f__guarantee_open_ended,
    a0.f__guarantee_valid_until AS f__guarantee_valid_until,
    a0.f__refund_date AS f__refund_date,
    a0.f__notice_days AS f__notice_days
  FROM layer0 AS p
  LEFT JOIN (
    SELECT
      r.project_no AS __key,
      COUNT(*) AS f__deposits,
      MAX(r.required_amount) AS f__deposit_required,
      SUM(r.actual_amount) FILTER(WHERE
        COALESCE((
          r.method IN ('现金')
        ) OR r.method = '' OR r.method IS NULL, TRUE)) AS f__deposit_cash,
      ARG_MAX(r.actual_amount, (r.deposit_date, r.source_row)) FILTER(WHERE
        COALESCE(NOT (
          r.method IN ('现金')
        ) AND r.method <> '', FALSE)) AS f__deposit_guarantee,
      COUNT(*) FILTER(WHERE
        COALESCE(NOT (
          r.method IN ('现金')
        ) AND r.method <> '', FALSE)) AS f__guarantees,
      BOOL_OR(
        CAST(COALESCE(NOT (
          r.method IN ('现金')
        ) AND r.method <> '', FALSE)
        AND (
          r.guarantee_valid_until IS NULL OR r.guarantee_valid_until > $as_of
        ) AS BOOLEAN)
      ) AS f__guarantee_open_ended,
      MAX(r.guarantee_valid_until) FILTER(WHERE
        COALESCE(NOT (
          r.method IN ('现金')
        ) AND r.method <> '', FALSE)) AS f__guarantee_valid_until,
      MIN(r.refund_date) AS f__refund_date,
      ARG_MIN(DATE_DIFF('DAY', r.notice_start, r.notice_end), r.refund_date) FILTER(WHERE
        NOT r.refund_date IS NULL) AS f__notice_days
    FROM records_deposits AS r
    GROUP BY
      r.project_no
  ) AS a0
    ON a0.__key = p.project_no
), layer2 AS (
  SELECT
    p.*,
    p.f__completion_date IS NULL AS f__under_construction,
    DATE_DIFF('DAY', p.f__permit_date, $as_of) AS f__days_since_permit,
    p.f__deposit_cash + COALESCE(p.f__deposit_guarantee, 0) AS f__deposit_actual,
    COALESCE(a0.f__contractor_arrears_before_permit, 0) AS f__contractor_arrears_before_permit,
    COALESCE(a1.f__contractor_projects_in_district, 0) AS f__contractor_projects_in_district,
    COALESCE(a2.f__claims_pending_at_refund, 0) AS f__claims_pending_at_refund,
    COALESCE(a3.f__contractor_claims_pending_at_refund, 0) AS f__contractor_claims_pending_at_refund
  FROM layer1 AS p
  LEFT JOIN (
    SELECT
      s.project_no AS __key,
      COUNT(*) FILTER(WHERE
        r.wage_claim
        AND r.in_workers_favour
        AND DATE_DIFF('DAY', r.filed_date, s.f__permit_date) BETWEEN 0 AND $project__arrears_lookback_days) AS f__contractor_arrears_before_permit
    FROM layer1 AS s
    JOIN subject_award AS r
      ON r.respondent_id = s.f__contractor_id
    GROUP BY
      s.project_no
  ) AS a0
    ON a0.__key = p.project_no
  LEFT JOIN (
    SELECT
      s.project_no AS __key,
      COUNT(*) FILTER(WHERE
        r.completion_date IS NULL) AS f__contractor_projects_in_district
    FROM layer1 AS s
    JOIN records_projects AS r
      ON r.contractor_id = s.f__contractor_id AND r.district = s.f__district
    GROUP BY
      s.project_no
  ) AS a1
    ON a1.__key = p.project_no
  LEFT JOIN (
    SELECT
      s.project_no AS __key,
      COUNT(DISTINCT r.subject_key) FILTER(WHERE
        r.wage_claim
        AND r.filed_date < s.f__refund_date
        AND (
          r.closed_date IS NULL
          OR r.closed_date > s.f__refund_date
          OR (
            r.in_workers_favour
            AND NOT r.paid_remark
            AND NOT r.contractor_advanced
            AND (
              r.completed_date IS NULL OR r.completed_date > s.f__refund_date
            )
          )
        )) AS f__claims_pending_at_refund
    FROM layer1 AS s
    JOIN subject_award AS r
      ON r.project_no = s.project_no
    GROUP BY
      s.project_no
  ) AS a2
    ON a2.__key = p.project_no
  LEFT JOIN (
    SELECT
      s.project_no AS __key,
      COUNT(DISTINCT r.subject_key) FILTER(WHERE
        r.wage_claim
        AND r.filed_date < s.f__refund_date
        AND (
          r.closed_date IS NULL OR r.closed_date > s.f__refund_date
        )) AS f__contractor_claims_pending_at_refund
    FROM layer1 AS s
    JOIN record_links AS l
      ON l.link = 'award_contractor_site'
      AND l.to_file = s.source_file
      AND l.to_row = s.source_row
    JOIN subject_award AS r
      ON r.source_file = l.from_file AND r.source_row = l.from_row
    GROUP BY
      s.project_no
  ) AS a3
    ON a3.__key = p.project_no
), layer3 AS (
  SELECT
    p.*,
    p.f__deposit_actual / NULLIF(p.f__contract_amount, 0) AS f__deposit_share
  FROM layer2 AS p
)
SELECT
  f__subject_key AS subject_key,
  f__project_name AS project_name,
  f__permit_no AS permit_no,
  f__contractor_id AS contractor_id,
  f__contractor_name AS contractor_name,
  f__district AS district,
  f__contract_amount AS contract_amount,
  f__permit_date AS permit_date,
  f__completion_date AS completion_date,
  f__under_construction AS under_construction,
  f__days_since_permit AS days_since_permit,
  f__contractor_arrears_before_permit AS contractor_arrears_before_permit,
  f__contractor_projects_in_district AS contractor_projects_in_district,
  f__deposits AS deposits,
  f__deposit_required AS deposit_required,
  f__deposit_cash AS deposit_cash,
  f__deposit_guarantee AS deposit_guarantee,
  f__deposit_actual AS deposit_actual,
  f__deposit_share AS deposit_share,
  f__guarantees AS guarantees,
  f__guarantee_open_ended AS guarantee_open_ended,
  f__guarantee_valid_until AS guarantee_valid_until,
  f__refund_date AS refund_date,
  f__notice_days AS notice_days,
  f__claims_pending_at_refund AS claims_pending_at_refund,
  f__contractor_claims_pending_at_refund AS contractor_claims_pending_at_refund,
  source_file,
  source_row
FROM layer3
