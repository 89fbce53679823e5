-- SPEC §2.4: the service's append-only audit hash chain. The runtime role may only INSERT and SELECT here.
CREATE TABLE audit_events (
  seq           bigint      PRIMARY KEY,
  id            uuid        NOT NULL UNIQUE,
  at            timestamptz NOT NULL,
  service       text        NOT NULL,
  actor_type    text        NOT NULL CHECK (actor_type IN ('user', 'service', 'system', 'anonymous')),
  actor_id      text,
  on_behalf_of  text,
  action        text        NOT NULL,
  resource_type text,
  resource_id   text,
  outcome       text        NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
  request_id    text,
  trace_id      text,
  ip            text,
  details       jsonb       NOT NULL DEFAULT '{}',
  prev_hash     text        NOT NULL,
  hash          text        NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
DO $$ BEGIN
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM %I', 'robbie_' || current_schema());
END $$;
