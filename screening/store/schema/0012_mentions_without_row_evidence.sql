-- Migration 12: entity resolution: a mention is its row's name cell and its link. The USCC,
-- ID-number hash and context (the place the row is tied to) it was linked with are the
-- row's own, read from the canonical tables (screening.resolve.mentions.mentions_sql), no
-- longer copied: at province scale the copies cost a third of writing eight million
-- mentions.
-- Released: never edit this file; add a new migration instead.

ALTER TABLE mentions DROP COLUMN uscc;

ALTER TABLE mentions DROP COLUMN person_hash;

ALTER TABLE mentions DROP COLUMN context;
