COMMENT ON SCHEMA gpu_coordinator IS NULL;
