-- SPEC §7.1: the node registry. The coordinator's in-memory view is the truth for routing; these rows are what
-- the API reads, what other replicas reconcile from, and what a restart starts with. Ids are UUIDv7 made by the
-- service.
CREATE TABLE nodes (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  base_url text NOT NULL CHECK (char_length(base_url) <= 2048),
  labels jsonb NOT NULL DEFAULT '{}',
  -- {count, type, memoryMb}; null when unknown (then size checks cannot refuse a model)
  gpu jsonb,
  max_inflight integer NOT NULL DEFAULT 2 CHECK (max_inflight BETWEEN 1 AND 32),
  enabled boolean NOT NULL DEFAULT true,
  draining boolean NOT NULL DEFAULT false,
  -- the node agent's heartbeat (optional): busy, memory in use, when it last reported
  busy boolean NOT NULL DEFAULT false,
  memory_used_mb integer,
  heartbeat_at timestamptz,
  status text NOT NULL DEFAULT 'offline'
    CHECK (status IN ('healthy', 'degraded', 'busy', 'unhealthy', 'offline', 'draining', 'disabled')),
  breaker_state text NOT NULL DEFAULT 'closed' CHECK (breaker_state IN ('closed', 'open', 'half-open')),
  breaker_opened_at timestamptz,
  last_seen_at timestamptz,
  last_probe_at timestamptz,
  registered_at timestamptz NOT NULL DEFAULT now(),
  -- 'config' rows come from ROBBIE_GPU_NODES and are updated at start; 'api' rows are left alone by it
  source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
  -- an agent key was minted for this node: removing the node revokes it
  agent_key boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE node_models (
  node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  model text NOT NULL CHECK (char_length(model) <= 200),
  size_mb integer NOT NULL CHECK (size_mb >= 0),
  loaded boolean NOT NULL DEFAULT false,
  expires_at timestamptz,
  tok_per_s_ewma double precision,
  digest text,
  modified_at timestamptz,
  details jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node_id, model)
);

-- SPEC §7.4: a sample every 10 s per replica (in flight per node, queue depth), kept 24 h for the load chart.
CREATE TABLE mesh_samples (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  instance text NOT NULL,
  inflight jsonb NOT NULL,
  queue_depth integer NOT NULL,
  by_class jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mesh_samples_at ON mesh_samples (at);
