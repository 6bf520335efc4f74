-- Migration 8: record links: deposit to project, award to project, award to enforcement
-- Released: never edit this file; add a new migration instead.

CREATE TABLE record_links (
    link VARCHAR NOT NULL,
    from_file VARCHAR NOT NULL,
    from_row INTEGER NOT NULL,
    to_file VARCHAR NOT NULL,
    to_row INTEGER NOT NULL,
    method VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL
);
