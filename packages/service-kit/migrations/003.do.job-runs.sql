-- SPEC §0.6: every scheduled job logs a run record.
CREATE TABLE job_runs (
  id          uuid        PRIMARY KEY,
  job         text        NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('success', 'failed')),
  counts      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX job_runs_job_started ON job_runs (job, started_at DESC);
