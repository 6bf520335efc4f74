-- Migration 6: review: reviewer decisions and suppressions; each lead's district and evidence fingerprint; the inputs hash of each stage, so unchanged stages can be reused
-- Released: never edit this file; add a new migration instead.

ALTER TABLE leads ADD COLUMN district VARCHAR;

ALTER TABLE leads ADD COLUMN evidence_hash VARCHAR;

ALTER TABLE run_stages ADD COLUMN inputs_hash VARCHAR;

ALTER TABLE runs ADD COLUMN counts JSON;

-- the whole job config and the model's features: enough to reproduce the run
ALTER TABLE runs ADD COLUMN settings JSON;

CREATE SEQUENCE review_no;

-- Append-only: a new decision supersedes the lead's earlier ones, which stay.
CREATE TABLE lead_decisions (
                decision_no BIGINT PRIMARY KEY DEFAULT nextval('review_no'),
                lead_id VARCHAR NOT NULL,
                decision VARCHAR NOT NULL
                    CHECK (decision IN ('confirmed', 'dismissed', 'needs_info', 'snoozed')),
                snoozed_until DATE,
                reason VARCHAR NOT NULL,
                reviewer VARCHAR NOT NULL,
                decided_at TIMESTAMP NOT NULL,
                run_id VARCHAR NOT NULL,
                evidence_hash VARCHAR,
                CHECK ((decision = 'snoozed') = (snoozed_until IS NOT NULL))
            );

-- Append-only too: lifting a suppression early is a new row expiring at once.
CREATE TABLE suppressions (
                suppression_no BIGINT PRIMARY KEY DEFAULT nextval('review_no'),
                rule_id VARCHAR NOT NULL,
                subject VARCHAR NOT NULL CHECK (subject IN ('company', 'project', 'award')),
                subject_key VARCHAR NOT NULL,
                expires DATE NOT NULL,
                reason VARCHAR NOT NULL,
                reviewer VARCHAR NOT NULL,
                decided_at TIMESTAMP NOT NULL
            );
