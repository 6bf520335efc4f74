-- Migration 2: input inventory: every extract file a run read, with its hash
-- Released: never edit this file; add a new migration instead.

CREATE TABLE run_inputs (
                run_id VARCHAR,
                source VARCHAR,
                file VARCHAR,
                sha256 VARCHAR,
                bytes BIGINT,
                data_rows BIGINT,
                PRIMARY KEY (run_id, file)
            );
