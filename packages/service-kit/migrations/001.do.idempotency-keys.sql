-- SPEC §0.3: one row per (identity, Idempotency-Key), kept 24 h.
CREATE TABLE idempotency_keys (
  identity_id    text        NOT NULL,
  key            text        NOT NULL,
  request_hash   text        NOT NULL,
  state          text        NOT NULL CHECK (state IN ('running', 'done')),
  status_code    integer,
  content_type   text,
  response       bytea,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (identity_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
