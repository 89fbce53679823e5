-- SPEC §2.4: the signed heads of every service's audit chain, taken hourly by auth.
-- signature = base64url Ed25519 signature (key of ROBBIE_AUDIT_CHECKPOINT_KEY_FILE) over the canonical JSON
-- of {hash, seq, service, signedAt}.
CREATE TABLE audit_checkpoints (
  service text NOT NULL CHECK (char_length(service) <= 64),
  seq bigint NOT NULL CHECK (seq >= 1),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  signed_at timestamptz NOT NULL,
  signature text NOT NULL CHECK (char_length(signature) <= 200),
  PRIMARY KEY (service, seq)
);
CREATE INDEX audit_checkpoints_signed_at_idx ON audit_checkpoints (signed_at DESC, service);
