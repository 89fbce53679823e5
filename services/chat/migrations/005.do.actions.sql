-- Approvals and tool runs (SPEC §3.7): every write a tool or command makes, and every call waiting for the
-- user's decision, is an action. `undo` keeps the values an undo restores (never shown); `idempotency_key` is the
-- action id, sent to the owning service so that running an action twice has one effect.
CREATE TABLE actions (
  id uuid PRIMARY KEY,
  tool text NOT NULL CHECK (tool ~ '^[a-z][a-z_]{0,63}$'),
  class text NOT NULL CHECK (class IN ('read', 'prepare', 'write', 'external', 'send')),
  args jsonb NOT NULL,
  origin text NOT NULL CHECK (origin IN ('direct', 'initiative')),
  requester_id uuid NOT NULL,
  conversation_id uuid,
  message_id uuid,
  confidence real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  taint boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'executing', 'scheduled', 'done', 'failed', 'undone', 'expired', 'cancelled')),
  decided_by uuid,
  decided_at timestamptz,
  execute_after timestamptz,
  target_service text,
  target_ref text,
  idempotency_key text NOT NULL,
  result jsonb,
  error text CHECK (char_length(error) <= 1000),
  undo jsonb,
  trace_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  expires_at timestamptz
);
CREATE INDEX actions_requester ON actions (requester_id, id DESC);
CREATE INDEX actions_requester_status ON actions (requester_id, status, id DESC);
CREATE INDEX actions_proposed_expiry ON actions (expires_at) WHERE status = 'proposed';

-- The killswitch as chat last heard it from auth.killswitch.changed.v1 (SPEC §11.5); auth's Redis mirror is read
-- first, this row when Redis does not answer.
CREATE TABLE killswitch_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  active boolean NOT NULL,
  pause_outbound boolean NOT NULL,
  reason text,
  changed_by text,
  event_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
