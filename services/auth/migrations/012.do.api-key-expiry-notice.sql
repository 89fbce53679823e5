-- SPEC §2.3: a personal key that expires within 14 days emits auth.apikey.expiring.v1 once.
ALTER TABLE api_keys ADD COLUMN expiring_notified_at timestamptz;
CREATE INDEX api_keys_expiring ON api_keys (expires_at) WHERE type = 'pat' AND revoked_at IS NULL AND expiring_notified_at IS NULL;
