-- SPEC §11.6: sample data is marked on every row, so "remove sample data" removes exactly it.
ALTER TABLE items ADD COLUMN sample boolean NOT NULL DEFAULT false;
ALTER TABLE deals ADD COLUMN sample boolean NOT NULL DEFAULT false;
ALTER TABLE people ADD COLUMN sample boolean NOT NULL DEFAULT false;
