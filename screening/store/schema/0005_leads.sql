-- Migration 5: leads: one per subject and outcome, with each contribution and the evidence rows
-- Released: never edit this file; add a new migration instead.

CREATE TABLE leads (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                rank INTEGER NOT NULL,
                subject VARCHAR NOT NULL CHECK (subject IN ('company', 'project', 'award')),
                subject_key VARCHAR NOT NULL,
                subject_name VARCHAR,
                outcome VARCHAR NOT NULL,
                score DOUBLE NOT NULL,
                amount DECIMAL(18,2),
                workers BIGINT,
                rules VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                change VARCHAR NOT NULL CHECK (change IN ('new', 'persisting')),
                PRIMARY KEY (run_id, lead_id)
            );

CREATE TABLE lead_contributions (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                score DOUBLE NOT NULL
            );

CREATE TABLE lead_evidence (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                source_table VARCHAR NOT NULL,
                source_file VARCHAR NOT NULL,
                source_row INTEGER NOT NULL
            );
