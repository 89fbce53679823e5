ALTER TABLE secrets DROP COLUMN sample;
