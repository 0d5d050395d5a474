#!/bin/sh
# Run once by the postgres image (/docker-entrypoint-initdb.d) when its data volume is new:
# the owner role (migrations) and the runtime role (web, worker, beat), neither a superuser.
# `manage.py db_grant`, run by the migrate service after every migrate, gives iro_app its
# privileges on the tables (iro_service/dbroles.py). README: Database roles.
set -eu
: "${IRO_DB_OWNER_PASSWORD:?set IRO_DB_OWNER_PASSWORD}"
: "${IRO_DB_APP_PASSWORD:?set IRO_DB_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$IRO_DB_OWNER_PASSWORD" -v app_password="$IRO_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE iro_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'owner_password';
CREATE ROLE iro_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
-- JIT compiles the statistics' aggregates for longer than they run (README: Database roles).
ALTER ROLE iro_app SET jit = off;
SELECT format('ALTER DATABASE %I OWNER TO iro_owner', current_database()) \gexec
ALTER SCHEMA public OWNER TO iro_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO iro_app', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO iro_app;
SQL
