-- The schema and its two roles exist before migrations run (scripts/setup-db.ts, infra/postgres/init);
-- this first migration records what the schema is for. The bus's and the kit's tables arrive from their
-- own migration sources.
COMMENT ON SCHEMA priorities IS 'Robbie priorities: The ranked list of what deserves attention: items, tasks, scores and quadrants.';
