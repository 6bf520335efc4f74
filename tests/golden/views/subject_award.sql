WITH layer0 AS (
  SELECT
    *
  FROM records_awards
), layer1 AS (
  SELECT
    p.*,
    p.case_no AS f__subject_key,
    p.applicant_hash AS f__applicant_hash,
    p.respondent_id AS f__respondent_id,
    p.respondent_name AS f__respondent_name,
    COALESCE(p.respondent_is_person, FALSE) AS f__respondent_is_person,
    p.cause AS f__cause,
    p.wage_claim AS f__wage_claim,
    p.claim_amount AS f__claim_amount,
    p.award_amount AS f__award_amount,
    p.close_method AS f__close_method,
    p.filed_date AS f__filed_date,
    p.closed_date AS f__closed_date,
    p.effective_date AS f__effective_date,
    p.remark AS f__remark,
    p.paid_remark AS f__paid_remark,
    p.iou_only AS f__iou_only,
    p.contractor_advanced AS f__contractor_advanced,
    p.project_no AS f__project_no,
    COALESCE(a0.f__enforcements, 0) AS f__enforcements,
    a0.f__completed_date AS f__completed_date,
    COALESCE(a0.f__zb_enforcements, 0) AS f__zb_enforcements
  FROM layer0 AS p
  LEFT JOIN (
    SELECT
      s.case_no AS __key,
      COUNT(DISTINCT r.case_no) AS f__enforcements,
      MIN(r.closed_date) FILTER(WHERE
        (
          r.close_method IN ('执行完毕', '执行和解')
        )) AS f__completed_date,
      COUNT(DISTINCT r.case_no) FILTER(WHERE
        r.zb_standing) AS f__zb_enforcements
    FROM layer0 AS s
    JOIN record_links AS l
      ON l.link = 'award_enforcement'
      AND l.from_file = s.source_file
      AND l.from_row = s.source_row
    JOIN records_enforcements AS r
      ON r.source_file = l.to_file AND r.source_row = l.to_row
    GROUP BY
      s.case_no
  ) AS a0
    ON a0.__key = p.case_no
), layer2 AS (
  SELECT
    p.*,
    COALESCE((
      p.f__close_method IN ('裁决', '调解')
    ) AND p.f__award_amount > 0, FALSE) AS f__in_workers_favour,
    DATE_DIFF('DAY', p.f__closed_date, $as_of) AS f__days_since_closed,
    $award__enforcement_deadline_days - DATE_DIFF('DAY', p.f__effective_date, $as_of) AS f__days_to_deadline,
    NOT p.f__completed_date IS NULL AS f__enforcement_completed,
    a0.f__respondent_capital AS f__respondent_capital,
    a1.f__general_contractor_id AS f__general_contractor_id,
    COALESCE(a2.f__site_contractors, 0) AS f__site_contractors
  FROM layer1 AS p
  LEFT JOIN (
    SELECT
      r.entity_id AS __key,
      ARG_MIN(r.reg_capital, r.source_row) AS f__respondent_capital
    FROM records_registrations AS r
    GROUP BY
      r.entity_id
  ) AS a0
    ON a0.__key = p.f__respondent_id
  LEFT JOIN (
    SELECT
      r.project_no AS __key,
      MAX(r.contractor_id) AS f__general_contractor_id
    FROM records_projects AS r
    GROUP BY
      r.project_no
  ) AS a1
    ON a1.__key = p.f__project_no
  LEFT JOIN (
    SELECT
      s.case_no AS __key,
      COUNT(DISTINCT r.contractor_id) FILTER(WHERE
        COALESCE(r.contractor_id <> s.f__respondent_id, TRUE)) AS f__site_contractors
    FROM layer1 AS s
    JOIN record_links AS l
      ON l.link = 'award_site'
      AND l.from_file = s.source_file
      AND l.from_row = s.source_row
    JOIN records_projects AS r
      ON r.source_file = l.to_file AND r.source_row = l.to_row
    GROUP BY
      s.case_no
  ) AS a2
    ON a2.__key = p.case_no
)
SELECT
  f__subject_key AS subject_key,
  f__applicant_hash AS applicant_hash,
  f__respondent_id AS respondent_id,
  f__respondent_name AS respondent_name,
  f__respondent_is_person AS respondent_is_person,
  f__respondent_capital AS respondent_capital,
  f__cause AS cause,
  f__wage_claim AS wage_claim,
  f__claim_amount AS claim_amount,
  f__award_amount AS award_amount,
  f__close_method AS close_method,
  f__in_workers_favour AS in_workers_favour,
  f__filed_date AS filed_date,
  f__closed_date AS closed_date,
  f__effective_date AS effective_date,
  f__days_since_closed AS days_since_closed,
  f__days_to_deadline AS days_to_deadline,
  f__remark AS remark,
  f__paid_remark AS paid_remark,
  f__iou_only AS iou_only,
  f__contractor_advanced AS contractor_advanced,
  f__enforcements AS enforcements,
  f__completed_date AS completed_date,
  f__enforcement_completed AS enforcement_completed,
  f__zb_enforcements AS zb_enforcements,
  f__project_no AS project_no,
  f__general_contractor_id AS general_contractor_id,
  f__site_contractors AS site_contractors,
  source_file,
  source_row
FROM layer2
