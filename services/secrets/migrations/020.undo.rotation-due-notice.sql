ALTER TABLE secrets DROP COLUMN expiry_notified_for, DROP COLUMN rotation_notified_for;
