-- SPEC §3.2: conversations and their messages, per user. Ids are UUIDv7 made by the service. A message's text
-- is stored once it is final (a streaming answer lives in Redis until chat.done); `tsv` follows the content
-- for the full-text search, and `reply_to` ties an assistant message to the user message it answers.
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  title text NOT NULL DEFAULT '' CHECK (char_length(title) <= 200),
  channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'slack', 'api')),
  channel_ref text CHECK (char_length(channel_ref) <= 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'deleted')),
  pinned boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_message_at timestamptz,
  message_count integer NOT NULL DEFAULT 0,
  -- soft delete: hidden at once, purged after 30 days
  deleted_at timestamptz
);
CREATE INDEX conversations_user_activity ON conversations (user_id, pinned DESC, (coalesce(last_message_at, created_at)) DESC, id DESC)
  WHERE status <> 'deleted';
CREATE INDEX conversations_deleted ON conversations (deleted_at) WHERE status = 'deleted';

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  seq integer NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'notice')),
  content text NOT NULL DEFAULT '' CHECK (char_length(content) <= 200000),
  status text NOT NULL CHECK (status IN ('complete', 'streaming', 'stopped', 'failed')),
  client_msg_id uuid,
  reply_to uuid,
  model text,
  node text,
  route_request_id text,
  tokens_in integer,
  tokens_out integer,
  latency_ms integer,
  tool_calls jsonb,
  taint boolean NOT NULL DEFAULT false,
  redactions integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
  UNIQUE (conversation_id, seq),
  UNIQUE (user_id, client_msg_id)
);
CREATE INDEX messages_tsv ON messages USING gin (tsv);
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
CREATE INDEX messages_user_created ON messages (user_id, created_at DESC, id DESC);
CREATE INDEX messages_streaming ON messages (created_at) WHERE status = 'streaming';
