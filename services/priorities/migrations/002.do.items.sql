-- SPEC §4.1: every thing that may deserve attention is an item; tasks add task_details. Ids are UUIDv7 made
-- by the service. Stored importance/urgency/score/quadrant use the default weights (the surface rescored at read).
CREATE TABLE items (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
  owner_user_id uuid NOT NULL,
  assignee_user_id uuid,
  visibility text NOT NULL CHECK (visibility IN ('owner', 'private', 'company')),
  domain text NOT NULL DEFAULT 'agent' CHECK (domain IN ('human', 'agent', 'self')),
  domain_override text CHECK (domain_override IN ('human', 'agent', 'self')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'snoozed', 'done', 'dismissed', 'archived', 'suggested')),
  snoozed_until timestamptz,
  source_type text,
  source_id text,
  source_url text CHECK (char_length(source_url) <= 2000),
  revenue_potential numeric NOT NULL DEFAULT 0 CHECK (revenue_potential >= 0),
  deadline timestamptz,
  awaiting_reply boolean NOT NULL DEFAULT false,
  expected_response_hours integer,
  sender_email text,
  sender_tier text,
  sender_score integer CHECK (sender_score BETWEEN 0 AND 100),
  is_strategic boolean NOT NULL DEFAULT false,
  tags text[] NOT NULL DEFAULT '{}',
  risk_level integer CHECK (risk_level BETWEEN 0 AND 10),
  approval_required boolean NOT NULL DEFAULT false,
  body_preview text CHECK (char_length(body_preview) <= 2000),
  importance real NOT NULL DEFAULT 0,
  urgency real NOT NULL DEFAULT 0,
  effort real,
  score real NOT NULL DEFAULT 0,
  quadrant text NOT NULL DEFAULT 'Q4' CHECK (quadrant IN ('Q1', 'Q2', 'Q3', 'Q4')),
  importance_override real CHECK (importance_override BETWEEN 0 AND 100),
  urgency_override real CHECK (urgency_override BETWEEN 0 AND 100),
  pinned boolean NOT NULL DEFAULT false,
  taint boolean NOT NULL DEFAULT false,
  -- meeting start and attendees, and other kind-specific scoring inputs
  details jsonb NOT NULL DEFAULT '{}',
  agent_activity text,
  agent_state text CHECK (agent_state IN ('queued', 'working', 'awaiting_approval', 'done', 'skipped')),
  last_activity_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX items_owner_open ON items (owner_user_id) WHERE status IN ('open', 'snoozed');
CREATE INDEX items_assignee_open ON items (assignee_user_id) WHERE status IN ('open', 'snoozed');
CREATE INDEX items_company_open ON items (visibility) WHERE status IN ('open', 'snoozed') AND visibility = 'company';
CREATE INDEX items_quadrant ON items (quadrant, score DESC) WHERE status = 'open';

-- the company-wide task number shown as #123
CREATE SEQUENCE task_number_seq;

CREATE TABLE task_details (
  item_id uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  number bigint NOT NULL UNIQUE DEFAULT nextval('task_number_seq'),
  description text CHECK (char_length(description) <= 10000),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
  priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
  category text NOT NULL DEFAULT 'general' CHECK (category IN ('general', 'email', 'meeting', 'deadline', 'opportunity', 'feedback',
    'security', 'analysis', 'planning', 'research', 'development', 'maintenance', 'optimization', 'learning')),
  due_at timestamptz,
  acknowledged_at timestamptz,
  escalated_at timestamptz,
  watcher_user_ids uuid[] NOT NULL DEFAULT '{}',
  associated_people jsonb NOT NULL DEFAULT '[]',
  associated_deals jsonb NOT NULL DEFAULT '[]',
  requester_user_id uuid,
  completed_at timestamptz
);
ALTER SEQUENCE task_number_seq OWNED BY task_details.number;
CREATE INDEX task_details_watchers ON task_details USING gin (watcher_user_ids);

-- every source of an item; one source belongs to one item (dedup rule 1)
CREATE TABLE item_sources (
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  source_type text NOT NULL CHECK (char_length(source_type) BETWEEN 1 AND 100),
  source_id text NOT NULL CHECK (char_length(source_id) BETWEEN 1 AND 500),
  url text CHECK (char_length(url) <= 2000),
  added_at timestamptz NOT NULL,
  UNIQUE (source_type, source_id)
);
CREATE INDEX item_sources_item ON item_sources (item_id);

CREATE TABLE people (
  email text PRIMARY KEY CHECK (email = lower(email) AND char_length(email) <= 254),
  name text CHECK (char_length(name) <= 200),
  tier text NOT NULL DEFAULT 'unknown' CHECK (tier IN ('founder', 'c_level', 'vp', 'director', 'manager', 'individual', 'unknown')),
  score integer NOT NULL DEFAULT 50 CHECK (score BETWEEN 0 AND 100),
  response_hours integer NOT NULL DEFAULT 48 CHECK (response_hours BETWEEN 0 AND 8760),
  company text CHECK (char_length(company) <= 200),
  updated_at timestamptz NOT NULL
);

CREATE TABLE deals (
  external_id text PRIMARY KEY CHECK (char_length(external_id) BETWEEN 1 AND 200),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300),
  amount numeric NOT NULL CHECK (amount >= 0),
  probability integer NOT NULL DEFAULT 50 CHECK (probability BETWEEN 0 AND 100),
  stage text,
  close_date timestamptz,
  contact_emails text[] NOT NULL DEFAULT '{}',
  owner_user_id uuid NOT NULL,
  item_id uuid REFERENCES items (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL
);

-- every drag between quadrants, a training signal (SPEC §4.2)
CREATE TABLE item_feedback (
  id uuid PRIMARY KEY,
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  from_quadrant text NOT NULL CHECK (from_quadrant IN ('Q1', 'Q2', 'Q3', 'Q4')),
  to_quadrant text NOT NULL CHECK (to_quadrant IN ('Q1', 'Q2', 'Q3', 'Q4')),
  user_id uuid NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX item_feedback_item ON item_feedback (item_id);

-- SPEC §4.4: the strategic focus per user (no row = gandhi 5)
CREATE TABLE user_focus (
  user_id uuid PRIMARY KEY,
  gandhi integer NOT NULL CHECK (gandhi BETWEEN 1 AND 10),
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);

-- SPEC §4.6: per-user settings (no row = the defaults)
CREATE TABLE user_settings (
  user_id uuid PRIMARY KEY,
  surface_count integer NOT NULL DEFAULT 10 CHECK (surface_count BETWEEN 1 AND 50),
  surface_only_q1 boolean NOT NULL DEFAULT false,
  notify_human boolean NOT NULL DEFAULT true,
  notify_agent_completions boolean NOT NULL DEFAULT false,
  notify_self_issues boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL
);
