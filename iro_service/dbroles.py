"""Least privilege in PostgreSQL: the owner role runs migrations; the runtime role (the web
app, the worker and beat) may read and write what the application needs and nothing more.

The runtime role gets SELECT, INSERT and UPDATE on every table, USAGE on the sequences, and
DELETE only on the tables in DELETABLE, each for a reason found in the code. It never gets
TRUNCATE, REFERENCES or TRIGGER, owns nothing (so it cannot ALTER, DROP or DISABLE TRIGGER) and
may not CREATE in the schema. Audit tables (APPEND_ONLY) are insert-only.

`manage.py db_grant` applies this after every `migrate` (docker-compose runs both); ALTER
DEFAULT PRIVILEGES covers a table created between the two. Only PostgreSQL: on SQLite
(`make run`) there is nothing to grant.
"""

import psycopg
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql
from psycopg.rows import TupleRow

OWNER_ROLE = "iro_owner"
RUNTIME_ROLE = "iro_app"
SCHEMA = "public"

# The only tables the application deletes rows from, and why. Every other table is kept.
DELETABLE = {
    "django_session": "sign-out, the session key renewed at sign-in, and expired sessions cleared",
    "axes_accessattempt": "django-axes clears a username's failed sign-ins after a success and when they expire, "
    "and the admin unlocks a username by deleting its attempts",
    "axes_accessattemptexpiration": "deleted with its access attempt (one-to-one, CASCADE)",
    "accounts_user_groups": "a user's roles changed in the admin (the many-to-many rows are replaced)",
    "accounts_user_user_permissions": "a user's permissions changed in the admin",
    "auth_group_permissions": "a role's permissions changed in the admin",
    "otp_totp_totpdevice": "the admin removes a manager's lost authenticator so they can set up a new one",
    "reviews_reportreceived": "reports ticked off while preparing a review are replaced by the new set "
    "(reviews.services.review_record_preparation)",
    "reviews_decision": "a decision typed in error is removed from a draft record; once the review is held its "
    "decisions are kept (the record form offers no delete, reviews.forms.BaseDecisionFormSet)",
    "accounts_team": "the admin removes a team no IRO belongs to (IRO profiles PROTECT a team in use)",
    "caseload_monthendcount": "kept month-end figures are forgotten when the data they counted changes "
    "(triggers, caseload migration 0003) and counted again nightly (caseload.month_ends)",
    "django_celery_beat_periodictask": "reminder schedules are configuration, edited and removed in the admin",
    "django_celery_beat_intervalschedule": "as above (removing a schedule removes its tasks, CASCADE)",
    "django_celery_beat_crontabschedule": "as above",
    "django_celery_beat_solarschedule": "as above",
    "django_celery_beat_clockedschedule": "as above",
    "api_idempotentrequest": "answers kept for an API client's Idempotency-Key are deleted after "
    "IRO_API_IDEMPOTENCY_HOURS (api.idempotency.idempotent_requests_purge)",
}

# Audit rows are written once: the runtime role may insert and read them, never change them.
APPEND_ONLY = {"accounts_accesslog", "django_admin_log"}
APPEND_ONLY_PREFIXES = ("children_historical", "reviews_historical", "audits_historical", "accounts_historical")

# Written only by the owner: `migrate`, and `load_postcodes` (the ONS postcode table and its
# marker, children/postcode_table.py, which the application only reads).
READ_ONLY = {"django_migrations", "ons_postcode", "ons_postcode_source"}


def is_append_only(table: str) -> bool:
    return table in APPEND_ONLY or table.startswith(APPEND_ONLY_PREFIXES)


def schema_tables(cursor: psycopg.Cursor[TupleRow]) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [SCHEMA])
    return [row[0] for row in cursor.fetchall()]


def grant_statements(tables: list[str], runtime_role: str = RUNTIME_ROLE) -> list[sql.Composed]:
    """Every statement, in order: revoke everything, then grant back only what is needed."""
    missing = sorted(set(DELETABLE) - set(tables))
    if missing:
        # A renamed table must be re-examined, not silently left without its DELETE.
        raise LookupError(f"tables listed in iro_service.dbroles.DELETABLE do not exist: {', '.join(missing)}")
    role, schema = sql.Identifier(runtime_role), sql.Identifier(SCHEMA)
    statements = [
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema, role),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schema, role),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role),
        # New tables and sequences made by whoever runs this (the owner) before the next db_grant.
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE ON TABLES TO {}").format(
            schema, role
        ),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(schema, role),
    ]
    for table in tables:
        if table in READ_ONLY:
            privileges = "SELECT"
        elif is_append_only(table):
            privileges = "SELECT, INSERT"
        elif table in DELETABLE:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        else:
            privileges = "SELECT, INSERT, UPDATE"
        statements.append(
            sql.SQL("GRANT {} ON TABLE {}.{} TO {}").format(sql.SQL(privileges), schema, sql.Identifier(table), role)
        )
    return statements


def apply_grants(connection: BaseDatabaseWrapper, runtime_role: str = RUNTIME_ROLE) -> list[str]:
    """Apply the runtime role's privileges in one transaction through a Django connection
    (PostgreSQL only). Returns the tables granted, empty on any other database."""
    if connection.vendor != "postgresql":
        return []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        return grant_all(cursor.cursor, runtime_role)


def grant_all(cursor: psycopg.Cursor[TupleRow], runtime_role: str = RUNTIME_ROLE) -> list[str]:
    """The same through a psycopg cursor (a restore into another database uses this)."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime_role])
    if cursor.fetchone() is None:
        raise LookupError(
            f"the role {runtime_role!r} does not exist on this server: create it first "
            "(scripts/ensure_db_roles.py, or scripts/postgres-init/ in docker-compose)"
        )
    tables = schema_tables(cursor)
    for statement in grant_statements(tables, runtime_role):
        cursor.execute(statement.as_string(cursor.connection))
    return tables
