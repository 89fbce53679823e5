-- SPEC §11.6: the sample secret is marked, so "remove sample data" removes exactly it.
ALTER TABLE secrets ADD COLUMN sample boolean NOT NULL DEFAULT false;
