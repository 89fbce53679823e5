-- The schema and its two roles exist before migrations run (scripts/setup-db.ts, infra/postgres/init);
-- this first migration records what the schema is for. The bus's and the kit's tables arrive from their
-- own migration sources.
COMMENT ON SCHEMA auth IS 'Robbie auth: Users, sessions, API keys, roles, company settings, the killswitch and the audit viewer.';
