SELECT
  *,
  'C-' || r.uscc AS entity_id
FROM (
  SELECT
    t.company_name AS company_name,
    t.uscc AS uscc,
    t.uscc_status AS uscc_status,
    t.legal_rep AS legal_rep,
    t.company_type AS company_type,
    t.reg_status AS reg_status,
    t.status_date AS status_date,
    t.dereg_reason AS dereg_reason,
    t.reg_capital AS reg_capital,
    t.paid_capital AS paid_capital,
    t.founded AS founded,
    t.address AS address,
    t.source_file AS source_file,
    t.source_row AS source_row,
    t.duplicate_of_row AS duplicate_of_row
  FROM registry AS t
  WHERE
    (
      t.uscc_status = 'valid' AND t.duplicate_of_row IS NULL
    ) AND TRUE
) AS r
