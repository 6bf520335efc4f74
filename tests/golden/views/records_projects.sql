SELECT
  t.project_no AS project_no,
  t.project_name AS project_name,
  t.permit_no AS permit_no,
  t.client_name AS client_name,
  t.client_uscc AS client_uscc,
  t.client_uscc_status AS client_uscc_status,
  t.contractor_name AS contractor_name,
  t.contractor_uscc AS contractor_uscc,
  t.contractor_uscc_status AS contractor_uscc_status,
  t.contract_amount AS contract_amount,
  t.permit_date AS permit_date,
  t.start_date AS start_date,
  CASE WHEN t.completion_date <= $as_of THEN t.completion_date END AS completion_date,
  t.project_status AS project_status,
  t.district AS district,
  t.source_file AS source_file,
  t.source_row AS source_row,
  t.duplicate_of_row AS duplicate_of_row,
  m0.entity_id AS contractor_id
FROM projects AS t
LEFT JOIN mentions AS m0
  ON m0.source_table = 'projects'
  AND m0.role = 'contractor_name'
  AND m0.source_file = t.source_file
  AND m0.source_row = t.source_row
WHERE
  (
    t.duplicate_of_row IS NULL AND NOT t.project_no IS NULL
  )
  AND t.permit_date <= $as_of
QUALIFY
  ROW_NUMBER() OVER (PARTITION BY t.project_no ORDER BY t.source_file, t.source_row) = 1
