-- @robbie/bus tables, migrated into every service schema (unqualified names: search_path is the schema).

-- Events written in the producer's transaction; the relay publishes them to <prefix>events:<producer>.
-- Published rows are kept 7 days so they can be re-published if Redis loses its data (SPEC §0.4).
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  type text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NULL
);
-- The relay's hot path: unpublished rows in seq order.
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
-- Retention and re-publish windows.
CREATE INDEX outbox_created_at_idx ON outbox (created_at);

-- The consumer inbox: written in the same transaction as the effect, so a redelivery is a no-op.
CREATE TABLE consumed_events (
  group_name text NOT NULL,
  event_id uuid NOT NULL,
  consumed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_name, event_id)
);
CREATE INDEX consumed_events_consumed_at_idx ON consumed_events (consumed_at);

-- Small relay state that must survive restarts, e.g. key 'epoch': the last bus:epoch value seen in Redis.
CREATE TABLE bus_state (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
