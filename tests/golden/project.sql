SELECT
  *
FROM (
  SELECT
    s.subject_key,
    COALESCE(
      (
        NOT s.refund_date IS NULL
        AND (
          s.completion_date IS NULL
          OR s.refund_date < s.completion_date
          OR s.notice_days < $dep_early_refund__notice_days
          OR s.claims_pending_at_refund > 0
          OR s.contractor_claims_pending_at_refund > 0
        )
      ),
      FALSE
    ) AS "DEP-EARLY-REFUND",
    0.7 * (
      CASE
        WHEN s.claims_pending_at_refund > 0 OR s.contractor_claims_pending_at_refund > 0
        THEN 1.3
        ELSE 1
      END
    ) AS "DEP-EARLY-REFUND:score",
    COALESCE(
      (
        s.guarantees > 0
        AND NOT s.guarantee_open_ended
        AND (
          s.completion_date IS NULL OR s.completion_date > s.guarantee_valid_until
        )
      ),
      FALSE
    ) AS "DEP-GUARANTEE-LAPSED",
    0.6 * (
      CASE WHEN s.completion_date IS NULL THEN 1.2 ELSE 1 END
    ) AS "DEP-GUARANTEE-LAPSED:score",
    COALESCE(
      (
        s.under_construction
        AND s.days_since_permit > $dep_missing__grace_days
        AND (
          s.contract_amount >= $dep_missing__exempt_below
          OR s.contractor_arrears_before_permit > 0
        )
        AND (
          s.deposits = 0
          OR s.deposit_actual < s.deposit_required - $dep_missing__shortfall_tolerance
        )
      ),
      FALSE
    ) AS "DEP-MISSING",
    0.8 * (
      CASE
        WHEN s.deposits = 0 AND s.contract_amount >= 50000000
        THEN 1.3
        WHEN s.deposits = 0
        THEN 1.1
        ELSE 1
      END
    ) AS "DEP-MISSING:score"
  FROM subject_project AS s
) AS flags
WHERE
  "DEP-EARLY-REFUND" OR "DEP-GUARANTEE-LAPSED" OR "DEP-MISSING"
ORDER BY
  subject_key NULLS FIRST
