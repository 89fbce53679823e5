COMMENT ON SCHEMA integration_sync IS NULL;
