"""The runtime database role (iro_app): refused what would destroy records, able to do the work.

The suite itself connects as `postgres` (pytest-django creates the test database); these tests
apply the grants to the test database (iro_service/dbroles.py, as `manage.py db_grant` does in
production) and then connect to it AS the runtime role: with psycopg to show each refusal with
PostgreSQL's own error, and through Django's connection to run real requests and the worker's
tasks, so that a grant the application needs and lacks fails here.
"""

import importlib.util
import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from psycopg import errors

from accounts.models import AccessLog
from audits.tasks import sweep_reminders
from children.models import Child
from iro_service.celery import app
from iro_service.dbroles import DELETABLE, READ_ONLY, RUNTIME_ROLE, apply_grants, grant_statements, is_append_only
from reviews.codes import DocumentState
from reviews.models import Document, ReportReceived, Review, Visit
from tests.factories import child_in_care
from tests.test_permissions import RULES, _args, world  # noqa: F401 - `world` is a fixture used here

KEPT = [
    "children_child",
    "children_periodofcare",
    "children_episode",
    "children_allocation",
    "reviews_review",
    "reviews_visit",
    "reviews_document",
    "reviews_booking",
    "reviews_invitee",
    "reviews_distribution",
    "audits_escalation",
    "audits_monitoringform",
    "accounts_accesslog",
    "accounts_user",
    "accounts_notification",
    "django_admin_log",
    "children_historicalchild",
    "reviews_historicalreview",
    "reviews_historicaldocument",
]


@pytest.fixture(scope="module")
def runtime_grants(django_db_setup, django_db_blocker):
    """The grants, committed in the test database (outside any test's transaction)."""
    with django_db_blocker.unblock():
        tables = apply_grants(connection, RUNTIME_ROLE)
    return tables


def _runtime_connection():
    settings = connection.settings_dict
    runtime = psycopg.connect(
        dbname=settings["NAME"],
        user=RUNTIME_ROLE,
        password=os.environ.get("IRO_DB_APP_PASSWORD") or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    runtime.autocommit = True
    return runtime


@pytest.fixture
def runtime(runtime_grants):
    """A cursor on the test database, connected as the runtime role."""
    runtime = _runtime_connection()
    with runtime.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (RUNTIME_ROLE, False)
        yield cursor
    runtime.close()


@pytest.fixture
def as_runtime_role(runtime_grants, transactional_db):
    """Django's own connection, for this test, signed in to PostgreSQL as the runtime role."""
    settings = connection.settings_dict
    original = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = RUNTIME_ROLE, os.environ.get("IRO_DB_APP_PASSWORD", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == RUNTIME_ROLE
    yield
    connection.close()
    settings["USER"], settings["PASSWORD"] = original


@pytest.fixture
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")


def _refused(cursor, statement: str, message: str) -> None:
    with pytest.raises(errors.InsufficientPrivilege) as refusal:
        cursor.execute(statement)
    assert re.search(message, str(refusal.value)), str(refusal.value)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("TRUNCATE accounts_accesslog", "permission denied for table accounts_accesslog"),
        ("TRUNCATE children_child CASCADE", "permission denied for table children_child"),
        ("TRUNCATE django_session", "permission denied for table django_session"),
        ("DELETE FROM children_child", "permission denied for table children_child"),
        ("DELETE FROM reviews_review", "permission denied for table reviews_review"),
        ("DELETE FROM children_allocation", "permission denied for table children_allocation"),
        ("DELETE FROM reviews_visit", "permission denied for table reviews_visit"),
        ("DELETE FROM reviews_booking", "permission denied for table reviews_booking"),
        ("DELETE FROM audits_escalation", "permission denied for table audits_escalation"),
        ("DELETE FROM children_historicalchild", "permission denied for table children_historicalchild"),
        ("DELETE FROM reviews_historicalreview", "permission denied for table reviews_historicalreview"),
        ("DELETE FROM accounts_accesslog", "permission denied for table accounts_accesslog"),
        ("UPDATE accounts_accesslog SET path = 'rewritten'", "permission denied for table accounts_accesslog"),
        ("UPDATE children_historicalchild SET first_name = 'x'", "permission denied for table children_historical"),
        ("ALTER TABLE children_child DISABLE TRIGGER ALL", "must be owner of table children_child"),
        ("ALTER TABLE reviews_review DISABLE TRIGGER reviews_review_kept", "must be owner of table reviews_review"),
        ("ALTER TABLE accounts_accesslog ADD COLUMN note text", "must be owner of table accounts_accesslog"),
        ("DROP TABLE accounts_accesslog", "must be owner of table accounts_accesslog"),
        ("CREATE TABLE scratch (id int)", "permission denied for schema public"),
        ("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())", "django_migrations"),
        ("INSERT INTO ons_postcode VALUES ('ZZ99ZZ', 'E06000042', 1, 1)", "permission denied for table ons_postcode"),
        ("UPDATE ons_postcode SET easting = 0", "permission denied for table ons_postcode"),
        ("DELETE FROM ons_postcode", "permission denied for table ons_postcode"),
        ("TRUNCATE ons_postcode", "permission denied for table ons_postcode"),
        ("DELETE FROM ons_postcode_source", "permission denied for table ons_postcode_source"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
        ("CREATE ROLE intruder", "permission denied to create role"),
    ],
)
def test_the_runtime_role_is_refused(runtime, iro, statement, message):
    child, review = child_in_care(iro)
    _refused(runtime, statement, message)
    # Nothing went: the child, their review and allocation are all still there.
    runtime.execute("SELECT count(*) FROM children_child WHERE id = %s", [child.pk])
    assert runtime.fetchone() == (1,)
    runtime.execute("SELECT count(*) FROM children_allocation WHERE child_id = %s", [child.pk])
    assert runtime.fetchone() == (1,)
    runtime.execute("SELECT count(*) FROM reviews_review WHERE id = %s", [review.pk])
    assert runtime.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_does_the_ordinary_work(runtime, iro):
    child, _review = child_in_care(iro)
    runtime.execute("UPDATE children_child SET preferred_name = 'Zee' WHERE id = %s", [child.pk])
    assert runtime.rowcount == 1
    runtime.execute(
        "INSERT INTO reviews_visit (child_id, iro_id, visited_on, seen_alone, notes) "
        "VALUES (%s, %s, %s, true, 'Seen at school.') RETURNING id",
        [child.pk, iro.pk, date(2025, 2, 1)],
    )
    assert runtime.fetchone()[0] > 0
    runtime.execute(
        "INSERT INTO accounts_accesslog (at, user_id, child_id, action, object_type, object_id, path, method, "
        "user_agent) VALUES (now(), %s, %s, 'view', 'child', %s, '/x/', 'GET', '')",
        [iro.pk, child.pk, str(child.pk)],
    )
    runtime.execute(
        "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('k' || repeat('0', 31), '', now())"
    )
    runtime.execute("DELETE FROM django_session WHERE session_key = 'k' || repeat('0', 31)")
    assert runtime.rowcount == 1
    # Placement distances read the ONS postcode table (load_postcodes fills it as the owner).
    runtime.execute("SELECT local_authority, easting, northing FROM ons_postcode WHERE postcode = 'MK93EJ'")
    assert runtime.fetchone() == ("E06000042", 485085, 239043)
    assert Child.objects.get(pk=child.pk).preferred_name == "Zee"
    assert Visit.objects.filter(child=child, notes="Seen at school.").exists()


def test_every_table_is_granted_and_only_the_listed_ones_may_be_deleted_from(runtime, runtime_grants):
    runtime.execute(
        "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
        "FROM information_schema.role_table_grants WHERE grantee = current_user AND table_schema = 'public' "
        "GROUP BY table_name"
    )
    privileges = dict(runtime.fetchall())
    runtime.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert set(privileges) == {row[0] for row in runtime.fetchall()} == set(runtime_grants)
    for table, granted in privileges.items():
        granted = set(granted.split(","))
        assert not granted & {"TRUNCATE", "REFERENCES", "TRIGGER"}, table
        assert ("DELETE" in granted) == (table in DELETABLE), table
        if table in READ_ONLY:
            assert granted == {"SELECT"}, table
        elif is_append_only(table):
            assert granted == {"SELECT", "INSERT"}, table
        else:
            assert {"SELECT", "INSERT", "UPDATE"} <= granted, table
    for table in KEPT:
        assert "DELETE" not in privileges[table], table
    runtime.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    assert runtime.fetchone() == (0,), "the runtime role owns no table"


def test_a_deletable_table_that_no_longer_exists_is_reported(runtime_grants):
    with pytest.raises(LookupError, match="django_session"):
        grant_statements([table for table in runtime_grants if table != "django_session"])


@pytest.mark.django_db
def test_db_grant_refuses_a_role_that_does_not_exist():
    with pytest.raises(CommandError, match="'no_such_role' does not exist"):
        call_command("db_grant", "--role", "no_such_role")


def test_grants_are_a_no_op_on_sqlite():
    class SQLite:
        vendor = "sqlite"

    assert apply_grants(SQLite()) == []


class _Inputs(HTMLParser):
    """The named inputs of the form that posts to `action` (hidden ones included)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") in (self.action, "", None)
        elif tag == "input" and self.inside and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Inputs(url)
    parser.feed(response.content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


@pytest.mark.usefixtures("as_runtime_role", "private_documents")
def test_real_requests_and_the_workers_tasks_run_as_the_runtime_role(client, world):  # noqa: F811
    """Sign in (django-axes, the session), every page of the permission matrix, preparing a review
    (which deletes the reports no longer received), recording a visit, a document requested and
    rendered, the reminder sweep and its emails, and sign-out: all as iro_app."""
    users, objects = world
    iro = users["iro"]
    login = reverse("accounts:login")
    assert client.post(login, {"username": iro.username, "password": "wrong-password-1"}).status_code == 200
    response = client.post(login, {"username": iro.username, "password": "correct-horse-battery"})
    assert response.status_code == 302, "signed in (the failed attempt is deleted: AXES_RESET_ON_SUCCESS)"

    pages = 0
    for role in ("iro", "manager", "support"):
        client.force_login(users[role])
        for name, (argument, expected) in RULES.items():
            if expected == "post-only":
                continue
            status = expected[role][0] if isinstance(expected[role], tuple) else expected[role]
            if status != 200:
                continue
            url = reverse(name, args=_args(objects["own"][argument]) if argument else [])
            assert client.get(url).status_code == 200, url
            pages += 1
    assert pages > 40

    client.force_login(iro)
    review = Review.objects.get(pk=objects["own"]["review"])
    prepare = reverse("reviews:prepare", args=[review.pk])
    fields = _form(client, prepare)
    fields.update({"report_care_plan": "2025-02-10", "report_health_plan": "2025-02-11"})
    assert client.post(prepare, fields).status_code == 302
    assert set(ReportReceived.objects.filter(review=review).values_list("kind", flat=True)) == {
        "care_plan",
        "health_plan",
    }
    fields = _form(client, prepare)
    fields.pop("report_health_plan", None)
    fields["report_health_plan"] = ""
    assert client.post(prepare, fields).status_code == 302
    assert list(ReportReceived.objects.filter(review=review).values_list("kind", flat=True)) == ["care_plan"]

    child = objects["own"]["child"]
    visit = reverse("reviews:visit_new", args=[child])
    fields = _form(client, visit)
    fields.update({"visited_on": "2025-02-01", "seen_alone": "True", "notes": "Seen at home."})
    assert client.post(visit, fields).status_code == 302
    assert Visit.objects.filter(child_id=child, notes="Seen at home.").exists()

    app.conf.task_always_eager = True
    try:
        held = objects["own"]["held_review"]
        response = client.post(reverse("reviews:document_request", args=[held]), {"kind": "minutes"})
        assert response.status_code == 302
        document = Document.objects.get(review_id=held, kind="minutes")
        assert document.state == DocumentState.READY, document.failure_reason
        assert client.get(reverse("reviews:document_download", args=[document.pk])).status_code == 200

        mail.outbox.clear()
        sweep_reminders()
        assert mail.outbox, "the sweep sent its reminders as the runtime role"
    finally:
        app.conf.task_always_eager = False

    assert client.post(reverse("accounts:logout")).status_code == 302
    assert AccessLog.objects.filter(user=iro).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == RUNTIME_ROLE


def test_the_runtime_roles_sessions_run_without_jit(db, runtime_grants):
    """scripts/ensure_db_roles.py (run by `make test` and to set up a server) sets `jit = off`
    for the runtime role: a session it opens afterwards has it off (issue #19)."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "ensure_db_roles.py"
    spec = importlib.util.spec_from_file_location("ensure_db_roles", script)
    assert spec is not None
    assert spec.loader is not None
    ensure_db_roles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ensure_db_roles)
    assert ensure_db_roles.main() == 0
    runtime = _runtime_connection()
    with runtime.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('jit')")
        assert cursor.fetchone() == (RUNTIME_ROLE, "off")
    runtime.close()
