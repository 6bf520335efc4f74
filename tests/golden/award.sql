SELECT
  *
FROM (
  SELECT
    s.subject_key,
    COALESCE(
      (
        s.wage_claim
        AND s.in_workers_favour
        AND s.days_to_deadline BETWEEN 0 AND $award_unenforced__horizon_days
        AND s.enforcements = 0
        AND NOT s.paid_remark
        AND NOT s.iou_only
      ),
      FALSE
    ) AS "AWARD-UNENFORCED",
    1.0 * (
      CASE
        WHEN s.days_to_deadline <= 60
        THEN 1.3
        WHEN s.award_amount >= 20000
        THEN 1.1
        ELSE 1
      END
    ) AS "AWARD-UNENFORCED:score",
    COALESCE(
      (
        s.wage_claim
        AND s.site_contractors > 0
        AND NOT s.contractor_advanced
        AND NOT s.paid_remark
        AND (
          (
            s.in_workers_favour
            AND s.zb_enforcements > 0
            AND (
              s.respondent_is_person OR s.respondent_capital <= $chain_liability__tiny_capital
            )
          )
          OR (
            s.respondent_is_person
            AND (
              s.close_method IN ('驳回', '不予受理')
            )
            AND s.days_since_closed <= $chain_liability__limitation_days
          )
        )
      ),
      FALSE
    ) AS "CHAIN-LIABILITY",
    0.9 AS "CHAIN-LIABILITY:score",
    COALESCE(
      (
        s.wage_claim AND s.iou_only AND s.claim_amount >= $fake_claim__large_claim
      ),
      FALSE
    ) AS "FAKE-CLAIM",
    1.0 AS "FAKE-CLAIM:score"
  FROM subject_award AS s
) AS flags
WHERE
  "AWARD-UNENFORCED" OR "CHAIN-LIABILITY" OR "FAKE-CLAIM"
ORDER BY
  subject_key NULLS FIRST
