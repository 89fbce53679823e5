DROP INDEX api_keys_expiring;
ALTER TABLE api_keys DROP COLUMN expiring_notified_at;
