-- Migration 7: entity resolution: names (and registry rows) taken apart, kept for the next resolve
-- Released: never edit this file; add a new migration instead.

CREATE TABLE resolve_name_parses (
                parser VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                is_person BOOLEAN NOT NULL,
                province VARCHAR,
                city VARCHAR,
                district VARCHAR,
                trade VARCHAR,
                industry VARCHAR,
                legal_form VARCHAR,
                branch VARCHAR,
                core_sound VARCHAR
            );

CREATE TABLE resolve_registry_parses (
                parser VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                address VARCHAR,
                text VARCHAR NOT NULL,
                is_person BOOLEAN NOT NULL,
                province VARCHAR,
                city VARCHAR,
                district VARCHAR,
                trade VARCHAR NOT NULL,
                industry VARCHAR NOT NULL,
                legal_form VARCHAR NOT NULL,
                branch VARCHAR NOT NULL,
                core_sound VARCHAR NOT NULL,
                address_province VARCHAR,
                address_city VARCHAR,
                address_district VARCHAR
            );
