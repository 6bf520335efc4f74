SELECT
  *
FROM (
  SELECT
    t.project_name AS project_name,
    t.permit_no AS permit_no,
    t.contractor_name AS contractor_name,
    t.contractor_uscc AS contractor_uscc,
    t.contractor_uscc_status AS contractor_uscc_status,
    t.contract_amount AS contract_amount,
    t.deposit_rate AS deposit_rate,
    t.required_amount AS required_amount,
    t.actual_amount AS actual_amount,
    t.method AS method,
    t.guarantee_valid_until AS guarantee_valid_until,
    t.deposit_date AS deposit_date,
    t.used_amount AS used_amount,
    t.used_date AS used_date,
    t.refund_applied_date AS refund_applied_date,
    t.notice_start AS notice_start,
    t.notice_end AS notice_end,
    CASE WHEN t.refund_date <= $as_of THEN t.refund_date END AS refund_date,
    t.remark AS remark,
    t.source_file AS source_file,
    t.source_row AS source_row,
    t.duplicate_of_row AS duplicate_of_row,
    m0.entity_id AS contractor_id,
    x0.project_no AS project_no
  FROM deposits AS t
  LEFT JOIN mentions AS m0
    ON m0.source_table = 'deposits'
    AND m0.role = 'contractor_name'
    AND m0.source_file = t.source_file
    AND m0.source_row = t.source_row
  LEFT JOIN record_links AS l0
    ON l0.link = 'deposit_project'
    AND l0.from_file = t.source_file
    AND l0.from_row = t.source_row
  LEFT JOIN projects AS x0
    ON x0.source_file = l0.to_file AND x0.source_row = l0.to_row
  WHERE
    t.duplicate_of_row IS NULL AND t.deposit_date <= $as_of
) AS r
WHERE
  NOT r.project_no IS NULL
