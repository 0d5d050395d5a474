"""Security and audit of children's records: the access log, sign-in lockout,
passwords, sessions, two-factor sign-in, headers and cookies, records kept not deleted, and
downloads that refuse path tricks."""

import http.client
import io
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils.formats import date_format
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import client_ip
from accounts.models import AccessAction, AccessLog, ImmutableRowError
from children.models import Child, PeriodOfCare
from children.records import RecordsAreKept
from reviews import claims
from reviews.documents import private_storage
from reviews.models import Document, Review, Visit
from reviews.services import review_record_held
from tests.factories import UserFactory, child_in_care

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)


# --- The access log ---------------------------------------------------------------------------


def test_viewing_a_childs_page_writes_one_row_with_who_what_when_where(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    response = client.get(
        reverse("caseload:child", args=[child.pk]), HTTP_USER_AGENT="Test browser", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    [row] = AccessLog.objects.all()
    assert (row.user, row.child_id, row.action, row.object_type, row.object_id) == (
        iro,
        child.pk,
        AccessAction.VIEW,
        "child",
        str(child.pk),
    )
    assert (row.ip_address, row.user_agent, row.method, row.status_code) == ("10.1.2.3", "Test browser", "GET", 200)
    assert row.at.tzinfo is not None
    assert row.at.utcoffset() == timedelta(0)


def test_a_change_is_logged_as_a_change_with_the_child(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("reviews:visit_new", args=[child.pk]), {"visited_on": "2025-01-10", "seen_alone": "True", "notes": "Ok"}
    )
    assert response.status_code == 302
    [row] = AccessLog.objects.all()
    assert (row.action, row.child_id, row.object_type) == (AccessAction.CHANGE, child.pk, "child")


def test_if_the_log_row_cannot_be_written_the_change_rolls_back(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    with connection.cursor() as cursor:  # a real failure in the database, for this test only
        cursor.execute("ALTER TABLE accounts_accesslog ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    with pytest.raises(IntegrityError):
        client.post(reverse("reviews:visit_new", args=[child.pk]), {"visited_on": "2025-01-10", "notes": "Lost?"})
    assert not Visit.objects.filter(child=child).exists()


def test_the_application_cannot_change_or_delete_a_log_row(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    client.get(reverse("caseload:child", args=[child.pk]))
    row = AccessLog.objects.get()
    row.action = AccessAction.CHANGE
    with pytest.raises(ImmutableRowError):
        row.save()
    with pytest.raises(ImmutableRowError):
        row.delete()
    with pytest.raises(ImmutableRowError):
        AccessLog.objects.update(action="view")
    with pytest.raises(ImmutableRowError):
        AccessLog.objects.all().delete()


@pytest.mark.parametrize("statement", ["UPDATE accounts_accesslog SET action = 'x'", "DELETE FROM accounts_accesslog"])
def test_the_database_refuses_to_change_or_delete_a_log_row(client, iro, statement):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    client.get(reverse("caseload:child", args=[child.pk]))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AccessLog.objects.get().action == AccessAction.VIEW


def test_refusals_are_logged(client, iro, other_iro, business_support):
    theirs, _review = child_in_care(other_iro)
    client.force_login(iro)
    assert client.get(reverse("caseload:child", args=[theirs.pk])).status_code == 404
    client.force_login(business_support)
    assert client.get(reverse("caseload:mine")).status_code == 403
    refused = list(AccessLog.objects.filter(action=AccessAction.REFUSED).order_by("pk"))
    assert [(row.user, row.status_code, row.object_type) for row in refused] == [
        (iro, 404, "caseload:child"),
        (business_support, 403, "caseload:mine"),
    ]


def test_downloads_and_exports_are_logged(client, iro, manager):
    child, review = child_in_care(iro)
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
    document = Document.objects.create(
        review=held,
        kind="outcomes",
        version=1,
        state="ready",
        created_by=iro,
        file_name=private_storage().save(f"{held.pk}/outcomes-v1.pdf", ContentFile(b"%PDF-1.7 test")),
    )
    client.force_login(manager)
    assert client.get(reverse("reviews:document_download", args=[document.pk])).status_code == 200
    assert client.get(reverse("caseload:dashboard_export", args=["ages", "csv"])).status_code == 200
    actions = list(AccessLog.objects.order_by("pk").values_list("action", "child_id", "object_type"))
    assert actions == [(AccessAction.DOWNLOAD, child.pk, "document"), (AccessAction.EXPORT, None, "dashboard_table")]


def test_a_manager_sees_the_childs_access_log(client, iro, manager):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    client.get(reverse("caseload:child", args=[child.pk]), HTTP_USER_AGENT="IRO laptop")
    client.force_login(manager)
    page = client.get(reverse("caseload:child_access_log", args=[child.pk])).content.decode()
    assert "IRO laptop" in page
    assert str(iro) in page
    assert "Viewed" in page


def test_field_history_is_kept_for_a_review(client, iro):
    child, review = child_in_care(iro)
    client.force_login(iro)
    data = {
        "claim": claims.RECORD.claim(review),
        "save_draft": "1",
        "worried_about": "School moves.",
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("reviews:detail", args=[review.pk]), data).status_code == 302
    latest, previous = review.history.all()[:2]
    delta = latest.diff_against(previous)
    assert [change.field for change in delta.changes if change.field == "worried_about"] == ["worried_about"]
    assert latest.history_user == iro
    assert Child.history.filter(id=child.pk).exists()


# --- Sign-in --------------------------------------------------------------------------------


def _sign_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_five_failures_lock_the_username_for_30_minutes(client, iro):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False) as clock:
        for _ in range(4):
            assert _sign_in(client, "iro.one", "wrong-password-1").status_code == 200
        assert _sign_in(client, "iro.one", "wrong-password-1").status_code == 429  # the fifth locks
        locked = _sign_in(client, "iro.one", "correct-horse-battery")
        assert locked.status_code == 429
        assert "Sign-in locked for 30 minutes" in locked.content.decode()
        clock.shift(timedelta(minutes=29))
        assert _sign_in(client, "iro.one", "correct-horse-battery").status_code == 429
        clock.shift(timedelta(minutes=2))
        assert _sign_in(client, "iro.one", "correct-horse-battery").status_code == 302


def test_an_unknown_username_gets_the_same_answers(client, iro):
    known = [_sign_in(client, "iro.one", "wrong-password-1") for _ in range(6)]
    unknown = [_sign_in(client, "nobody.here", "wrong-password-1") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 4 + [429] * 2

    def page(response, username):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(username, "")

    assert page(known[0], "iro.one") == page(unknown[0], "nobody.here")
    assert page(known[-1], "iro.one") == page(unknown[-1], "nobody.here")


@pytest.mark.parametrize("password", ["short-pass1", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_unusual_password_is_accepted():
    validate_password("harbour-violet-kettle-42")


def test_a_session_ends_after_30_minutes_idle(client, iro):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False) as clock:
        client.force_login(iro)
        assert client.get(reverse("caseload:mine")).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("caseload:mine")).status_code == 200  # activity renews the idle limit
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("caseload:mine"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_a_session_ends_12_hours_after_sign_in_however_active(client, iro):
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=LONDON), tick=False) as clock:
        client.force_login(iro)
        for _ in range(35):  # every 20 minutes for 11 h 40 min
            clock.shift(timedelta(minutes=20))
            assert client.get(reverse("caseload:mine")).status_code == 200
        clock.shift(timedelta(minutes=21))
        response = client.get(reverse("caseload:mine"))
        assert response.status_code == 302
        assert "expired=1" in response.url
        assert "Your session ended" in client.get(response.url).content.decode()


def test_signing_out_ends_the_session(client, iro):
    client.force_login(iro)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("caseload:mine")).status_code == 302


def _token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_managers_need_a_second_factor_when_production_requires_it(client, settings, manager, iro):
    settings.IRO_REQUIRE_MANAGER_2FA = True
    clock = time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False)
    clock.start()
    client.force_login(manager)
    response = client.get(reverse("caseload:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor")
    setup = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Scan this code" in setup
    assert "<svg" in setup
    assert reverse("caseload:dashboard") not in setup  # no menu until the code is entered
    device = TOTPDevice.objects.get(user=manager)
    wrong = client.post(reverse("accounts:two_factor"), {"token": "000000" if _token(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(reverse("caseload:dashboard")).status_code == 302
    throttled = client.post(reverse("accounts:two_factor"), {"token": _token(device)})
    assert "Too many wrong codes" in throttled.content.decode()  # django-otp slows guessing down
    clock.stop()
    clock = time_machine.travel(datetime(2026, 3, 2, 9, 0, 10, tzinfo=LONDON), tick=False)
    clock.start()
    device.refresh_from_db()
    assert client.post(reverse("accounts:two_factor"), {"token": _token(device)}).status_code == 302
    page = client.get(reverse("caseload:dashboard"))
    assert page.status_code == 200
    assert reverse("audits:qa_report") in page.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    client.force_login(iro)  # IROs are not asked
    assert client.get(reverse("caseload:mine")).status_code == 200
    clock.stop()


def test_without_the_setting_managers_sign_in_with_a_password(client, manager):
    client.force_login(manager)
    assert client.get(reverse("caseload:dashboard")).status_code == 200


# --- Headers and cookies ------------------------------------------------------------------------


def test_signed_in_pages_are_never_stored(client, iro):
    client.force_login(iro)
    assert client.get(reverse("caseload:mine"))["Cache-Control"] == "no-store"


def test_the_content_security_policy_allows_no_inline_script(client, iro):
    client.force_login(iro)
    response = client.get(reverse("caseload:mine"))
    policy = response["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script
    assert "unsafe-inline" not in script
    assert "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, iro):
    response = client.post(
        reverse("accounts:login"), {"username": "iro.one", "password": "correct-horse-battery"}, follow=False
    )
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    page = client.get(reverse("accounts:login"))
    assert page.status_code in (200, 302)
    csrf_response = client.__class__().get(reverse("accounts:login"))
    csrf = csrf_response.cookies["csrftoken"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Strict"


def _production_env() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "IRO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="iro_service.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-for-the-check-only-" + "z" * 20,
        DJANGO_ALLOWED_HOSTS="iro.example.gov.uk",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/iro_service",
    )
    return env


def test_the_production_settings_pass_the_deployment_checklist():
    result = subprocess.run(  # our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_cookies_are_secure_and_managers_need_two_factor():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.SESSION_COOKIE_NAME, s.IRO_REQUIRE_MANAGER_2FA, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "Lax", "__Host-sessionid", "True", "True"]


# --- Nothing lost ------------------------------------------------------------------------------


def test_kept_records_cannot_be_deleted_only_archived(iro, manager):
    child, review = child_in_care(iro)
    period = PeriodOfCare.objects.get(child=child)
    for record in (child, period, review):
        with pytest.raises(RecordsAreKept):
            record.delete()
    for model in (Child, PeriodOfCare, Review, Document):
        with pytest.raises(RecordsAreKept):
            model.objects.all().delete()
    child.archive(by=manager, reason="Moved to another authority.")
    child.refresh_from_db()
    assert child.archived_at is not None
    assert child.archived_by == manager


@pytest.mark.parametrize("table", ["children_child", "children_periodofcare", "reviews_review"])
def test_the_database_refuses_to_delete_kept_records(iro, table):
    child_in_care(iro)
    with pytest.raises(DatabaseError, match="kept"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def test_the_child_page_shows_the_retention_date(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    page = client.get(reverse("caseload:child", args=[child.pk])).content.decode()
    assert f'data-testid="retention">{date_format(date(2087, 1, 1))} (75th birthday' in page


# --- Downloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..", "", "1/../../outside.pdf"])
def test_a_document_name_outside_the_private_root_is_refused(client, iro, name, tmp_path):
    (tmp_path.parent / "outside.pdf").write_bytes(b"%PDF secret")
    _child, review = child_in_care(iro)
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
    document = Document.objects.create(
        review=held, kind="outcomes", version=1, state="ready", created_by=iro, file_name=name
    )
    client.force_login(iro)
    response = client.get(reverse("reviews:document_download", args=[document.pk]))
    assert response.status_code == 404
    assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_url_with_path_tricks_does_not_resolve(client, iro):
    client.force_login(iro)
    for url in ("/reviews/documents/..%2F..%2Fetc%2Fpasswd/download/", "/reviews/documents/1/../../download/"):
        assert client.get(url).status_code == 404


def test_users_with_no_role_are_refused_everywhere_and_logged(client):
    nobody = UserFactory()
    client.force_login(nobody)
    assert client.get(reverse("caseload:dashboard")).status_code == 403
    assert AccessLog.objects.filter(user=nobody, action=AccessAction.REFUSED).count() == 1


def test_commands_that_read_or_write_in_bulk_leave_a_row(tmp_path):
    call_command("export_ssda903", "--year", "2025", str(tmp_path / "out"), stdout=io.StringIO())
    call_command("iro_report", "--start", "2024-04-01", "--end", "2025-03-31", stdout=io.StringIO())
    rows = list(AccessLog.objects.order_by("pk").values_list("action", "object_type", "method"))
    assert rows == [(AccessAction.EXPORT, "ssda903_export", "CLI"), (AccessAction.EXPORT, "annual_report", "CLI")]


# --- Proxies and headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # no proxy trusted: the header is the client's say-so
        (["10.0.0.2"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from the proxy
        (["10.0.0.2"], "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.5", "198.51.100.7"),  # forged left part ignored
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, <script>, 10.0.0.5", "10.0.0.5"),
        (["10.0.0.0/8"], "::ffff:10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (["fd00::/8"], "fd00::1", "2001:db8::7", "2001:db8::7"),
        ([], "", "198.51.100.7", None),
    ],
)
def test_the_client_address_trusts_x_forwarded_for_only_from_a_trusted_proxy(
    settings, trusted, remote, forwarded, expected
):
    settings.IRO_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_trusted_proxy_setting_that_is_no_address_stops_the_service(settings):
    settings.IRO_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="IRO_TRUSTED_PROXIES"):
        client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2"))


def test_a_forged_x_forwarded_for_is_not_logged_as_the_client(client, iro, settings):
    settings.IRO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    child, _review = child_in_care(iro)
    client.force_login(iro)
    client.get(reverse("caseload:child", args=[child.pk]), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AccessLog.objects.get().ip_address == "203.0.113.9"


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_logged(client, iro, settings):
    settings.IRO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    child, _review = child_in_care(iro)
    client.force_login(iro)
    client.get(
        reverse("caseload:child", args=[child.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    assert AccessLog.objects.get().ip_address == "198.51.100.7"


def test_a_locked_out_address_cannot_dodge_the_lockout_by_forging_x_forwarded_for(client, iro, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]  # as with IRO_LOCKOUT_BY_IP
    for attempt in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": f"guess{attempt}", "password": "wrong-password-1"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )
    dodge = client.post(
        reverse("accounts:login"),
        {"username": "iro.one", "password": "correct-horse-battery"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert dodge.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_behind_a_trusted_proxy_the_lockout_is_per_client_not_per_proxy(client, iro, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]
    settings.IRO_TRUSTED_PROXIES = ["10.0.0.2"]
    for attempt in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": f"guess{attempt}", "password": "wrong-password-1"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    sign_in = {"username": "iro.one", "password": "correct-horse-battery"}
    attacker = client.post(
        reverse("accounts:login"), sign_in, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    colleague = client.post(
        reverse("accounts:login"), sign_in, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert (attacker.status_code, colleague.status_code) == (429, 302)


PERMISSIONS_POLICY_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")


def test_every_response_carries_a_strict_permissions_policy(client, iro):
    anonymous = [
        client.get(reverse("accounts:login")),
        client.get("/no-such-page/"),
        client.get("/static/css/site.css"),
    ]
    client.force_login(iro)
    signed_in = client.get(reverse("caseload:mine"))
    for response in [*anonymous, signed_in]:
        policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
        assert all(policy[feature] == "()" for feature in PERMISSIONS_POLICY_FEATURES), response
        assert set(policy.values()) == {"()"}  # nothing is allowed, not even to the service itself


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_header(db):
    """The real server, started as the Dockerfile and compose start it (./gunicorn.conf.py is
    read from the working directory)."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iro_service.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
    }
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn with fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "iro_service.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for path in ("/accounts/login/", "/healthz"):
            conversation = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conversation.request("GET", path)
            response = conversation.getresponse()
            response.read()
            conversation.close()
            assert response.status in (200, 503), path
            assert response.getheader("Server") is None, path
            assert "camera=()" in response.getheader("Permissions-Policy"), path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_nul_byte_in_the_user_agent_is_logged_without_it(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    response = client.get(reverse("caseload:child", args=[child.pk]), HTTP_USER_AGENT="Fire\x00fox")
    assert response.status_code == 200
    assert AccessLog.objects.filter(child_id=child.pk).latest("pk").user_agent == "Firefox"
