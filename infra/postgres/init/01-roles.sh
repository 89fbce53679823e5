#!/bin/sh
# Production Postgres init (docker-entrypoint-initdb.d; runs once, on an empty data directory).
# Per service (SPEC §11.6): schema <schema> owned by robbie_<schema>_owner, and the runtime role robbie_<schema>
# with USAGE on it and, by default, rows only (SELECT, INSERT, UPDATE, DELETE on tables; USAGE, SELECT on
# sequences) in what the owner creates. Same steps as packages/db/src/provision.ts; idempotent.
# Passwords from the environment: ROBBIE_DB_OWNER_PASSWORD_<SCHEMA> and ROBBIE_DB_PASSWORD_<SCHEMA>
# (upper case, e.g. ROBBIE_DB_PASSWORD_GPU_COORDINATOR).
set -eu

# Keep in fleet order with fleet.json (test/static/deploy.test.ts checks it).
SERVICES="auth chat priorities secrets integration-sync gpu-coordinator slack-bot github-bot"
DB="${POSTGRES_DB:-robbie}"

for service in $SERVICES; do
  schema=$(echo "$service" | tr '-' '_')
  upper=$(echo "$schema" | tr '[:lower:]' '[:upper:]')
  owner_pw=$(printenv "ROBBIE_DB_OWNER_PASSWORD_${upper}") || { echo "ROBBIE_DB_OWNER_PASSWORD_${upper} is not set" >&2; exit 1; }
  runtime_pw=$(printenv "ROBBIE_DB_PASSWORD_${upper}") || { echo "ROBBIE_DB_PASSWORD_${upper} is not set" >&2; exit 1; }

  # Values travel as psql variables into session settings, so no password is ever pasted into SQL text;
  # the DO blocks read them back and quote them with format(%I / %L).
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "$DB" \
    -v schema="$schema" -v owner="robbie_${schema}_owner" -v runtime="robbie_${schema}" \
    -v owner_pw="$owner_pw" -v runtime_pw="$runtime_pw" -v db="$DB" <<'SQL'
SELECT set_config('robbie.schema', :'schema', false), set_config('robbie.owner', :'owner', false),
       set_config('robbie.runtime', :'runtime', false), set_config('robbie.owner_pw', :'owner_pw', false),
       set_config('robbie.runtime_pw', :'runtime_pw', false), set_config('robbie.db', :'db', false) \gset x_
DO $$
DECLARE
  s text := current_setting('robbie.schema');
  o text := current_setting('robbie.owner');
  r text := current_setting('robbie.runtime');
BEGIN
  BEGIN EXECUTE format('CREATE ROLE %I LOGIN', o);
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
  BEGIN EXECUTE format('CREATE ROLE %I LOGIN', r);
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
  EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', o, current_setting('robbie.owner_pw'));
  EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', r, current_setting('robbie.runtime_pw'));
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_setting('robbie.db'), o, r);
  BEGIN EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s, o);
  EXCEPTION WHEN duplicate_schema OR unique_violation THEN NULL; END;
  EXECUTE format('ALTER SCHEMA %I OWNER TO %I', s, o);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, r);
  -- Rows only: the runtime role can never create, alter or drop anything.
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', o, s, r);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', o, s, r);
END $$;
SQL
done

# Nobody but the schema owners may create objects anywhere (Postgres 15 already does this for public).
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "$DB" -c 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'
