-- SPEC §5.1: the encrypted store. No column ever holds a plaintext value or a master key: values are
-- AES-256-GCM ciphertexts under a per-version data key (DEK), and DEKs are stored wrapped by the master key.
CREATE TABLE secrets (
  id uuid PRIMARY KEY,
  service text NOT NULL CHECK (service ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,79}$'),
  scope text NOT NULL CHECK (scope IN ('global', 'company', 'node')),
  -- '' for global; the company slug or the node name otherwise
  scope_id text NOT NULL CHECK ((scope = 'global') = (scope_id = '') AND char_length(scope_id) <= 100),
  current_version integer NOT NULL CHECK (current_version >= 1),
  managed boolean NOT NULL DEFAULT false,
  visibility text NOT NULL DEFAULT 'company' CHECK (visibility IN ('company', 'owner')),
  -- 8 KiB as JSON is enforced by the service; jsonb's text form adds spaces, hence the looser backstop
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (octet_length(metadata::text) <= 10240),
  expires_at timestamptz,
  rotation_interval_days integer CHECK (rotation_interval_days BETWEEN 1 AND 730),
  rotation_due_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
-- one live entry per address; deleted ones (restorable for 30 days) may share it
CREATE UNIQUE INDEX secrets_address_live ON secrets (service, name, scope, scope_id) WHERE deleted_at IS NULL;
CREATE INDEX secrets_address ON secrets (service, name);
CREATE INDEX secrets_deleted ON secrets (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX secrets_rotation_due ON secrets (rotation_due_at) WHERE deleted_at IS NULL;
CREATE INDEX secrets_expires ON secrets (expires_at) WHERE deleted_at IS NULL;

-- one DEK per secret version; `wrapped` = 0x01 ‖ masterKeyId (8) ‖ nonce (12) ‖ ct ‖ tag (16), erased when destroyed
CREATE TABLE data_keys (
  id uuid PRIMARY KEY,
  secret_id uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  version integer NOT NULL,
  wrapped bytea,
  master_key_id bytea NOT NULL CHECK (octet_length(master_key_id) = 8),
  created_at timestamptz NOT NULL,
  destroyed_at timestamptz,
  CHECK ((destroyed_at IS NULL) = (wrapped IS NOT NULL)),
  UNIQUE (secret_id, version)
);
-- the re-wrap of a master-key rotation walks the DEKs still under another key
CREATE INDEX data_keys_master_key ON data_keys (master_key_id) WHERE destroyed_at IS NULL;

-- `ciphertext` = 0x01 ‖ dekId (16) ‖ nonce (12) ‖ ct ‖ tag (16), erased when the version is destroyed;
-- `value_hmac` (HKDF of the master key, info robbie.redact.v1) only for values of 8–4 096 characters
CREATE TABLE secret_versions (
  secret_id uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  ciphertext bytea,
  dek_id uuid NOT NULL REFERENCES data_keys (id),
  value_hmac bytea,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  destroyed_at timestamptz,
  CHECK ((destroyed_at IS NULL) = (ciphertext IS NOT NULL)),
  PRIMARY KEY (secret_id, version)
);
CREATE INDEX secret_versions_hmac ON secret_versions (value_hmac) WHERE value_hmac IS NOT NULL AND destroyed_at IS NULL;

-- SPEC §5.2: a check value per master key ever accepted (never the key): a wrong key seals the service
CREATE TABLE master_key_checks (
  key_id bytea PRIMARY KEY CHECK (octet_length(key_id) = 8),
  check_value bytea NOT NULL,
  first_seen_at timestamptz NOT NULL
);
