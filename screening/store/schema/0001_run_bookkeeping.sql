-- Migration 1: run bookkeeping
-- Released: never edit this file; add a new migration instead.

CREATE TABLE runs (
                run_id VARCHAR PRIMARY KEY,
                started_at TIMESTAMP,
                finished_at TIMESTAMP,
                status VARCHAR NOT NULL CHECK (status IN ('running', 'published', 'failed')),
                as_of DATE,
                config_hash VARCHAR,
                seed BIGINT,
                input_hashes JSON,
                error VARCHAR
            );

CREATE TABLE run_stages (
                run_id VARCHAR,
                stage VARCHAR,
                started_at TIMESTAMP,
                seconds DOUBLE,
                rows_in BIGINT,
                rows_out BIGINT,
                reused BOOLEAN,
                PRIMARY KEY (run_id, stage)
            );
