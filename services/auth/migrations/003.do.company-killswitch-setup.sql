-- SPEC §2.2 company settings (one row, id = 1), §11.5 killswitch history, §2.1 the one-time setup code.
CREATE TABLE company_settings (
  id smallint PRIMARY KEY CHECK (id = 1),
  name text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
  slug text NOT NULL DEFAULT '' CHECK (char_length(slug) <= 63),
  internal_domains text[] NOT NULL DEFAULT '{}',
  time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) <= 64),
  undo_window_s integer NOT NULL DEFAULT 30,
  daily_send_cap integer NOT NULL DEFAULT 50,
  daily_calendar_write_cap integer NOT NULL DEFAULT 200,
  member_gpu_seconds_per_day integer NOT NULL DEFAULT 3600,
  writing_style text NOT NULL DEFAULT '' CHECK (char_length(writing_style) <= 4000),
  brief_cron text NOT NULL DEFAULT '0 8 * * 1-5' CHECK (char_length(brief_cron) <= 100),
  onboarded_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The row always exists, so readers never special-case "not configured yet".
INSERT INTO company_settings (id) VALUES (1);

-- Append-only: the newest row is the state.
CREATE TABLE killswitch_events (
  id uuid PRIMARY KEY,
  active boolean NOT NULL,
  pause_outbound boolean NOT NULL,
  reason text CHECK (char_length(reason) <= 500),
  actor_id text NOT NULL CHECK (char_length(actor_id) <= 200),
  at timestamptz NOT NULL
);
CREATE INDEX killswitch_events_at_idx ON killswitch_events (at DESC, id DESC);

-- Only the SHA-256 of a code is stored; a code works once, within 24 h, and only while no owner exists.
CREATE TABLE setup_codes (
  id uuid PRIMARY KEY,
  code_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
