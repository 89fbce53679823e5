-- SPEC §5.3 (rotation due): secrets.secret.rotation-due.v1 goes out once per due date. Each column holds the due
-- date last announced for its reason, so a new date (a rotation moved rotation_due_at, an edited expiry) is
-- announced again and the same date never twice. 002's indexes on rotation_due_at and expires_at serve the scan.
ALTER TABLE secrets
  ADD COLUMN rotation_notified_for timestamptz,
  ADD COLUMN expiry_notified_for timestamptz;
