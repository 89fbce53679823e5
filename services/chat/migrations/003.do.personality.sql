-- SPEC §3.3: each user's four sliders (integers 1–10), the preset they were set from (null when moved off
-- one), a version that every change increments (chat.personality.updated.v1 carries it), and the history of
-- changes. A user without a row has the balanced defaults; the row is written on first read.
CREATE TABLE personality (
  user_id uuid PRIMARY KEY,
  gandhi smallint NOT NULL CHECK (gandhi BETWEEN 1 AND 10),
  flirty smallint NOT NULL CHECK (flirty BETWEEN 1 AND 10),
  turbo smallint NOT NULL CHECK (turbo BETWEEN 1 AND 10),
  auto smallint NOT NULL CHECK (auto BETWEEN 1 AND 10),
  preset text CHECK (preset ~ '^[a-z][a-z-]{0,39}$'),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_at timestamptz NOT NULL
);

CREATE TABLE personality_history (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  version integer NOT NULL,
  "values" jsonb NOT NULL,
  preset text,
  -- who changed it (the user's id, or the service acting for them) and through which door
  changed_by text NOT NULL CHECK (char_length(changed_by) <= 100),
  via text NOT NULL CHECK (via IN ('rest', 'ws', 'command', 'slack')),
  at timestamptz NOT NULL
);
CREATE INDEX personality_history_user ON personality_history (user_id, at DESC);
