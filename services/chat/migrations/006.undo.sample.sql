DROP INDEX notes_sample;
DROP INDEX conversations_sample;
ALTER TABLE conversations DROP COLUMN sample;
