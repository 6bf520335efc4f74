SELECT
  *
FROM (
  SELECT
    s.subject_key,
    COALESCE(
      (
        s.deregistered
        AND COALESCE(s.dereg_reason, '') <> '破产'
        AND s.awards_before_dereg_unpaid > 0
      ),
      FALSE
    ) AS "DEREG-EVASION",
    0.8 * (
      CASE WHEN s.dereg_reason = '简易注销' THEN 1.3 ELSE 1 END
    ) AS "DEREG-EVASION:score",
    COALESCE(
      (
        s.unpaid_workers >= $multi_claim_employer__min_workers
        AND s.unpaid_award_total >= $multi_claim_employer__min_total
      ),
      FALSE
    ) AS "MULTI-CLAIM-EMPLOYER",
    1.0 * (
      CASE
        WHEN s.unpaid_award_total >= 3 * $multi_claim_employer__min_total
        THEN 1.3
        ELSE 1
      END
    ) AS "MULTI-CLAIM-EMPLOYER:score",
    COALESCE(
      (
        s.zb_cases > 0
        AND s.days_since_last_zb >= $zb_with_assets__min_zb_age_days
        AND (
          s.projects_active_at_zb > 0 OR s.projects_won_after_zb > 0
        )
      ),
      FALSE
    ) AS "ZB-WITH-ASSETS",
    0.9 * (
      CASE WHEN s.projects_won_after_zb > 0 THEN 1.2 ELSE 1 END
    ) AS "ZB-WITH-ASSETS:score"
  FROM subject_company AS s
) AS flags
WHERE
  "DEREG-EVASION" OR "MULTI-CLAIM-EMPLOYER" OR "ZB-WITH-ASSETS"
ORDER BY
  subject_key NULLS FIRST
