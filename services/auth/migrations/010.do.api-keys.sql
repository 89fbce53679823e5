-- SPEC §2.3: API keys. Only HMAC-SHA-256(pepper, key) is stored; the key itself is shown once.
-- `id` is the key's 12-character public lookup id (the part after `robbie_<type>_`).
--   pat: a user's personal key (user_id set, expires)
--   svc: a service key (service_name set) or a GPU node agent's key (node_name set); neither expires
CREATE TABLE api_keys (
  id text PRIMARY KEY CHECK (id ~ '^[0-9A-Za-z]{12}$'),
  type text NOT NULL CHECK (type IN ('pat', 'svc')),
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  service_name text CHECK (char_length(service_name) <= 64),
  node_name text CHECK (char_length(node_name) <= 100),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  scopes text[] NOT NULL DEFAULT '{}',
  key_hmac bytea NOT NULL CHECK (octet_length(key_hmac) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text CHECK (char_length(last_used_ip) <= 64),
  revoked_at timestamptz,
  -- set on the key made by a rotation: the key it replaced
  rotated_from text REFERENCES api_keys (id),
  -- set on a rotated-away key: it keeps working until then
  grace_until timestamptz,
  CONSTRAINT api_keys_owner_by_type CHECK (
    (type = 'pat' AND user_id IS NOT NULL AND service_name IS NULL AND node_name IS NULL AND expires_at IS NOT NULL)
    OR (type = 'svc' AND user_id IS NULL AND num_nonnulls(service_name, node_name) = 1 AND expires_at IS NULL))
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;
-- one live agent key per GPU node
CREATE UNIQUE INDEX api_keys_node_live_key ON api_keys (node_name) WHERE node_name IS NOT NULL AND revoked_at IS NULL;
CREATE INDEX api_keys_service_idx ON api_keys (service_name) WHERE service_name IS NOT NULL;
