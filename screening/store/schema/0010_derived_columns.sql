-- Migration 10: manifests: columns derived by a declared rule, headers a manifest leaves unmapped
-- Released: never edit this file; add a new migration instead.

CREATE TABLE derived_columns (
    source VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    derivation VARCHAR NOT NULL,
    parameters_json JSON NOT NULL,
    PRIMARY KEY (source, column_name)
);

ALTER TABLE ingested_files ADD COLUMN unmapped_headers JSON;
