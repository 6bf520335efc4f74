-- Migration 11: entity resolution: a contested short name linked by its spelling alone has
-- a method of its own, 'contested', so a reviewer can tell it from a link the place picked
-- Released: never edit this file; add a new migration instead.

CREATE TABLE mentions_v11 (
    source_table VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    uscc VARCHAR,
    person_hash VARCHAR,
    context VARCHAR,
    entity_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL
        CHECK (method IN ('uscc', 'exact', 'contested', 'fuzzy', 'reviewer', 'person', 'new')),
    confidence DOUBLE NOT NULL
);

INSERT INTO mentions_v11 SELECT * FROM mentions;

DROP TABLE mentions;

ALTER TABLE mentions_v11 RENAME TO mentions;
