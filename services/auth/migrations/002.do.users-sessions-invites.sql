-- SPEC §2.1, §2.2: accounts, refresh-token sessions and invites. Ids are UUIDv7 made by the service.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  name text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'disabled')),
  -- null until an invited user accepts; argon2id PHC string otherwise
  password_hash text,
  time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) <= 64),
  -- login lockout (SPEC §0.5): 5 consecutive failures lock the account for 15 minutes
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  -- carried by auth.user.updated.v1 so consumers can ignore stale events (SPEC §0.4)
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
-- There is always exactly one owner (SPEC §2.2): a second one fails this index.
CREATE UNIQUE INDEX users_one_owner ON users (role) WHERE role = 'owner';

-- One row per refresh token. A login starts a family (family_id = the access token's `sid`); every refresh
-- revokes the presented row ('rotated', replaced_by = its successor) and inserts the next one.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  refresh_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('rotated', 'logout', 'logout_all', 'password_change', 'role_change', 'disabled', 'reuse', 'deleted')),
  replaced_by uuid,
  ip text CHECK (char_length(ip) <= 64),
  user_agent text CHECK (char_length(user_agent) <= 512)
);
CREATE UNIQUE INDEX sessions_refresh_hash_key ON sessions (refresh_hash);
CREATE INDEX sessions_family_idx ON sessions (family_id);
CREATE INDEX sessions_user_live_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE invites (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (char_length(email) <= 254),
  role text NOT NULL CHECK (role IN ('admin', 'member')),
  token_hash bytea NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz
);
CREATE UNIQUE INDEX invites_token_hash_key ON invites (token_hash);
CREATE INDEX invites_user_idx ON invites (user_id);
