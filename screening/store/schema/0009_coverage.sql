-- Migration 9: coverage: each rule's and anomaly feature's status on the run's data, empty inputs
-- Released: never edit this file; add a new migration instead.

ALTER TABLE runs ADD COLUMN coverage JSON;
