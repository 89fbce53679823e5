-- SPEC §7.4: one routing decision per model call (candidates with their scores, the chosen node, timings and
-- the outcome), kept 7 days by the decisions-purge job. SPEC §7.2: GPU seconds per identity (the token's sub)
-- and company day, which the members' daily quota reads.
CREATE TABLE decisions (
  id uuid PRIMARY KEY,
  request_id text NOT NULL CHECK (char_length(request_id) <= 128),
  at timestamptz NOT NULL,
  model text NOT NULL CHECK (char_length(model) <= 200),
  class text NOT NULL CHECK (class IN ('interactive', 'normal', 'batch')),
  identity text NOT NULL CHECK (char_length(identity) <= 200),
  candidates jsonb NOT NULL DEFAULT '[]',
  -- the node that answered (or the last one tried); null when the call never got a node
  chosen text,
  node_id uuid,
  queue_ms integer NOT NULL DEFAULT 0,
  failovers integer NOT NULL DEFAULT 0,
  outcome text NOT NULL CHECK (outcome ~ '^[a-z][a-z_]{0,63}$'),
  ttft_ms integer,
  tokens_out integer,
  duration_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_at ON decisions (at DESC, id DESC);
CREATE INDEX decisions_request ON decisions (request_id);
CREATE INDEX decisions_node_at ON decisions (node_id, at DESC, id DESC);

CREATE TABLE gpu_usage (
  identity text NOT NULL CHECK (char_length(identity) <= 200),
  day date NOT NULL,
  gpu_seconds double precision NOT NULL DEFAULT 0 CHECK (gpu_seconds >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (identity, day)
);
