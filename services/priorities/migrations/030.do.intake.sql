-- Intake (SPEC §4.8): the users priorities has heard of through auth's events, so event-derived items that
-- belong to the owner (email, meetings, conflicts, integration tasks) find the owner without an HTTP call inside
-- the consumer's transaction, and a disabled user's tasks can be released.
CREATE TABLE known_users (
  user_id uuid PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  status text NOT NULL CHECK (status IN ('active', 'invited', 'disabled')),
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX known_users_owner ON known_users (role) WHERE role = 'owner';
