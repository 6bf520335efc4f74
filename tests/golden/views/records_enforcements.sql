SELECT
  *,
  r.applicant_code_hash AS applicant_hash,
  COALESCE(
    (
      r.close_method IN ('终结本次执行程序', '终本')
    )
    AND NOT COALESCE(r.restored_filed <= $as_of, FALSE),
    FALSE
  ) AS zb_standing
FROM (
  SELECT
    t.case_no AS case_no,
    t.court AS court,
    t.applicant_name AS applicant_name,
    t.applicant_code AS applicant_code,
    t.applicant_code_kind AS applicant_code_kind,
    t.applicant_code_hash AS applicant_code_hash,
    t.applicant_code_status AS applicant_code_status,
    t.respondent_name AS respondent_name,
    t.respondent_code AS respondent_code,
    t.respondent_code_kind AS respondent_code_kind,
    t.respondent_code_hash AS respondent_code_hash,
    t.respondent_code_status AS respondent_code_status,
    t.basis AS basis,
    t.cause AS cause,
    t.filed_date AS filed_date,
    CASE WHEN t.closed_date <= $as_of THEN t.closed_date END AS closed_date,
    CASE WHEN t.closed_date <= $as_of THEN t.close_method END AS close_method,
    t.target_amount AS target_amount,
    t.executed_amount AS executed_amount,
    t.unpaid_amount AS unpaid_amount,
    t.dishonest AS dishonest,
    t.remark AS remark,
    t.source_file AS source_file,
    t.source_row AS source_row,
    t.duplicate_of_row AS duplicate_of_row,
    m0.entity_id AS respondent_id,
    x0.filed_date AS restored_filed
  FROM enforcements AS t
  LEFT JOIN mentions AS m0
    ON m0.source_table = 'enforcements'
    AND m0.role = 'respondent_name'
    AND m0.source_file = t.source_file
    AND m0.source_row = t.source_row
  LEFT JOIN record_links AS l0
    ON l0.link = 'enforcement_restored'
    AND l0.from_file = t.source_file
    AND l0.from_row = t.source_row
  LEFT JOIN enforcements AS x0
    ON x0.source_file = l0.to_file AND x0.source_row = l0.to_row
  WHERE
    (
      t.duplicate_of_row IS NULL
      AND NOT COALESCE((
        REGEXP_MATCHES(t.case_no, '执保|执复|执异|执监')
      ), FALSE)
    )
    AND t.filed_date <= $as_of
) AS r
