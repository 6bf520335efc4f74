"""Rule files the rule tests start from and change one line of."""

# A valid rule on awards; its condition is on line 9.
GOOD = """\
id: GOOD-RULE
title: {zh: 测试, en: test}
outcome: support_prosecution
legal_basis: [test]
subject: award
status: test
parameters:
  horizon_days: {default: 180, unit: 天 days}
condition: days_to_deadline <= $horizon_days
score: {weight: 1}
evidence: [arbitrations]
tests:
  - {name: a, as_of: 2026-09-30, rows: {}, expect: []}
  - {name: b, as_of: 2026-09-30, rows: {}, expect: []}
"""
