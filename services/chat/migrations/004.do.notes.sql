-- SPEC §3.8: notes are the assistant's memory. `user_id` is the note's owner (whose memory it is); `author`
-- says whether the user or Robbie wrote it. Private notes are their owner's alone; company notes every
-- signed-in user reads. Expired notes are hidden at once and purged 30 days later (the notes-purge job).
-- `sample` marks rows loaded as sample data (SPEC §11.6) so they can be removed again.
CREATE TABLE notes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  content text NOT NULL DEFAULT '' CHECK (char_length(content) <= 20000),
  category text NOT NULL CHECK (category IN ('intel', 'reference', 'drafts', 'connections', 'ideas')),
  author text NOT NULL CHECK (author IN ('user', 'robbie')),
  visibility text NOT NULL CHECK (visibility IN ('private', 'company')),
  locked boolean NOT NULL DEFAULT false,
  tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  -- {type, id, url?}: where a fact came from
  source_ref jsonb,
  expires_at timestamptz,
  sample boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- the title weighs more than the body in relevance ranking
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')
  ) STORED
);
CREATE INDEX notes_user ON notes (user_id, id DESC);
CREATE INDEX notes_company ON notes (id DESC) WHERE visibility = 'company';
CREATE INDEX notes_tsv ON notes USING gin (tsv);
CREATE INDEX notes_expires ON notes (expires_at) WHERE expires_at IS NOT NULL;
