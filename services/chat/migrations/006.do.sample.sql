-- SPEC §11.6: sample data is marked so that removing it takes exactly those rows. Notes got the column in 004;
-- conversations get it here (their messages go with them through ON DELETE CASCADE). Sample rows are few, so
-- partial indexes keep the removal and the "already loaded?" checks cheap.
ALTER TABLE conversations ADD COLUMN sample boolean NOT NULL DEFAULT false;
CREATE INDEX conversations_sample ON conversations (user_id) WHERE sample;
CREATE INDEX notes_sample ON notes (user_id) WHERE sample;
