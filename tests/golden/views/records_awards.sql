SELECT
  *,
  r.applicant_id_hash AS applicant_hash,
  STARTS_WITH(r.respondent_id, 'P-') AS respondent_is_person,
  COALESCE((
    REGEXP_MATCHES(r.cause, '劳动报酬|拖欠工资|加班费|欠薪')
  ), FALSE) AS wage_claim,
  COALESCE(
    (
      REGEXP_MATCHES(r.remark, '履行完毕|当场履行|当场支付|当庭履行|当庭支付|自动履行|已付款|已发放|已履行|已支付|付清|结清')
      AND NOT REGEXP_MATCHES(r.remark, '未履行|未付清|未结清')
    ),
    FALSE
  ) AS paid_remark,
  COALESCE((
    REGEXP_MATCHES(r.remark, '欠条|白条')
  ), FALSE) AS iou_only,
  COALESCE((
    REGEXP_MATCHES(r.remark, '代付|垫付')
  ), FALSE) AS contractor_advanced
FROM (
  SELECT
    t.case_no AS case_no,
    t.applicant_name AS applicant_name,
    t.applicant_id AS applicant_id,
    t.applicant_id_hash AS applicant_id_hash,
    t.applicant_id_status AS applicant_id_status,
    t.applicant_phone AS applicant_phone,
    t.respondent_name AS respondent_name,
    t.respondent_uscc AS respondent_uscc,
    t.respondent_uscc_status AS respondent_uscc_status,
    t.project_text AS project_text,
    t.cause AS cause,
    t.claim_amount AS claim_amount,
    CASE WHEN t.closed_date <= $as_of THEN t.award_amount END AS award_amount,
    t.filed_date AS filed_date,
    CASE WHEN t.closed_date <= $as_of THEN t.closed_date END AS closed_date,
    CASE WHEN t.closed_date <= $as_of THEN t.close_method END AS close_method,
    t.final_award AS final_award,
    CASE WHEN t.effective_date <= $as_of THEN t.effective_date END AS effective_date,
    t.remark AS remark,
    t.source_file AS source_file,
    t.source_row AS source_row,
    t.duplicate_of_row AS duplicate_of_row,
    m0.entity_id AS respondent_id,
    x0.project_no AS project_no
  FROM arbitrations AS t
  LEFT JOIN mentions AS m0
    ON m0.source_table = 'arbitrations'
    AND m0.role = 'respondent_name'
    AND m0.source_file = t.source_file
    AND m0.source_row = t.source_row
  LEFT JOIN record_links AS l0
    ON l0.link = 'award_project'
    AND l0.from_file = t.source_file
    AND l0.from_row = t.source_row
  LEFT JOIN projects AS x0
    ON x0.source_file = l0.to_file AND x0.source_row = l0.to_row
  WHERE
    (
      t.duplicate_of_row IS NULL AND NOT t.case_no IS NULL
    )
    AND t.filed_date <= $as_of
  QUALIFY
    ROW_NUMBER() OVER (PARTITION BY t.case_no ORDER BY t.source_file, t.source_row) = 1
) AS r
