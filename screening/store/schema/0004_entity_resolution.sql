-- Migration 4: entity resolution: mentions, their links to entities, reviewer judgements
-- Released: never edit this file; add a new migration instead.

CREATE TABLE mentions (
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
                    CHECK (method IN ('uscc', 'exact', 'fuzzy', 'reviewer', 'person', 'new')),
                confidence DOUBLE NOT NULL
            );

CREATE TABLE entities (
                entity_id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL CHECK (kind IN ('company', 'person')),
                name VARCHAR NOT NULL,
                uscc VARCHAR,
                place VARCHAR,
                in_registry BOOLEAN NOT NULL,
                mentions BIGINT NOT NULL
            );

CREATE TABLE resolve_judgements (
                name VARCHAR NOT NULL,
                entity_id VARCHAR NOT NULL,
                judgement VARCHAR NOT NULL CHECK (judgement IN ('must_link', 'cannot_link')),
                reviewer VARCHAR NOT NULL,
                reason VARCHAR,
                decided_at TIMESTAMP NOT NULL
            );
