#!/usr/bin/env python3
"""Create the two PostgreSQL roles if they are missing (idempotent); `make test` runs this.

iro_owner owns the schema and runs migrations; iro_app is what the web app and the worker
connect as (iro_service/dbroles.py gives it its privileges), with `jit = off` for its sessions
(RUNTIME_ROLE_SETTINGS). Neither is a superuser, and
neither may create databases or roles. Passwords come from IRO_DB_OWNER_PASSWORD and
IRO_DB_APP_PASSWORD when set (this machine's local server trusts 127.0.0.1, so none is needed).

The server is DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/postgres), reached as
a role allowed to CREATE ROLE.
"""

import os
import sys

import environ
import psycopg
from psycopg import sql

RUNTIME_ROLE = os.environ.get("IRO_DB_RUNTIME_ROLE") or "iro_app"
ROLES = (
    (os.environ.get("IRO_DB_OWNER_ROLE", "iro_owner"), "IRO_DB_OWNER_PASSWORD"),
    (RUNTIME_ROLE, "IRO_DB_APP_PASSWORD"),
)
# Settings of the runtime role's sessions. jit: PostgreSQL's planner turns JIT compilation on
# for the statistics' aggregates and spends longer compiling than running them (~236 ms of a
# dashboard at national scale, issue #19); the app's statements are short, so it is off.
RUNTIME_ROLE_SETTINGS = {"jit": "off"}


def main() -> int:
    config = environ.Env.db_url_config(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if "postgresql" not in config["ENGINE"]:
        print("ensure_db_roles: DATABASE_URL is not PostgreSQL; no roles to create.")
        return 0
    try:
        connection = psycopg.connect(
            dbname="postgres",
            user=config.get("USER") or "postgres",
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or "127.0.0.1",
            port=config.get("PORT") or 5432,
        )
    except psycopg.OperationalError as error:
        print(f"ensure_db_roles: cannot reach PostgreSQL: {error}", file=sys.stderr)
        return 1
    connection.autocommit = True
    with connection.cursor() as cursor:
        for role, password_variable in ROLES:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            statement = sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION").format(
                sql.SQL(verb), sql.Identifier(role)
            )
            password = os.environ.get(password_variable)
            if password:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            cursor.execute(statement)
            if verb == "CREATE":
                print(f"ensure_db_roles: created role {role}")
        for name, value in RUNTIME_ROLE_SETTINGS.items():
            cursor.execute(
                sql.SQL("ALTER ROLE {} SET {} = {}").format(
                    sql.Identifier(RUNTIME_ROLE), sql.Identifier(name), sql.Literal(value)
                )
            )
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
